-- Instance-wide settings (company identity, numbering masks, ...), key/value.
CREATE TABLE settings (
    key        VARCHAR(128) PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
