-- Instance-wide settings (company identity, numbering masks, ...), key/value.
CREATE TABLE settings (
    `key`      VARCHAR(128) NOT NULL PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
