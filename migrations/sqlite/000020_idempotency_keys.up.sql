-- Idempotency keys of POST requests (issue 16, decision 0027). A row is
-- reserved ('in_progress') in its own short transaction, then completed with
-- the stored answer inside the business transaction, so a change and its
-- key commit together. Keys live 24 hours; the runner deletes expired rows.
CREATE TABLE idempotency_keys (
    id               INTEGER  PRIMARY KEY AUTOINCREMENT,
    user_id          INTEGER  NOT NULL,
    idem_key         TEXT     NOT NULL,
    request_hash     TEXT     NOT NULL,
    state            TEXT     NOT NULL,
    lock_token       TEXT     NOT NULL,
    locked_until     DATETIME NOT NULL,
    response_status  INTEGER  NULL,
    response_headers TEXT     NULL,
    response_body    TEXT     NULL,
    created_at       DATETIME NOT NULL,
    expires_at       DATETIME NOT NULL,
    CONSTRAINT idempotency_keys_state_check CHECK (state IN ('in_progress', 'completed')),
    CONSTRAINT idempotency_keys_user_key UNIQUE (user_id, idem_key)
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);
