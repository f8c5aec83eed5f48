-- Idempotency keys of POST requests (issue 16, decision 0027). A row is
-- reserved ('in_progress') in its own short transaction, then completed with
-- the stored answer inside the business transaction, so a change and its
-- key commit together. Keys live 24 hours; the runner deletes expired rows.
-- The key is compared byte for byte (utf8mb4_bin), as on the other engines.
CREATE TABLE idempotency_keys (
    id               BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id          BIGINT       NOT NULL,
    idem_key         VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
    request_hash     VARCHAR(64)  COLLATE utf8mb4_bin NOT NULL,
    state            VARCHAR(16)  NOT NULL,
    lock_token       VARCHAR(32)  COLLATE utf8mb4_bin NOT NULL,
    locked_until     DATETIME(6)  NOT NULL,
    response_status  INT          NULL,
    response_headers TEXT         NULL,
    response_body    MEDIUMTEXT   NULL,
    created_at       DATETIME(6)  NOT NULL,
    expires_at       DATETIME(6)  NOT NULL,
    CONSTRAINT idempotency_keys_state_check CHECK (state IN ('in_progress', 'completed')),
    CONSTRAINT idempotency_keys_user_key UNIQUE (user_id, idem_key),
    INDEX idempotency_keys_expires_idx (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
