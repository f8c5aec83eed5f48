-- Idempotency keys of POST requests (issue 16, decision 0027). A row is
-- reserved ('in_progress') in its own short transaction, then completed with
-- the stored answer inside the business transaction, so a change and its
-- key commit together. Keys live 24 hours; the runner deletes expired rows.
CREATE TABLE idempotency_keys (
    id               BIGSERIAL PRIMARY KEY,
    user_id          BIGINT       NOT NULL,
    idem_key         VARCHAR(255) NOT NULL,
    request_hash     VARCHAR(64)  NOT NULL,
    state            VARCHAR(16)  NOT NULL,
    lock_token       VARCHAR(32)  NOT NULL,
    locked_until     TIMESTAMPTZ  NOT NULL,
    response_status  INTEGER      NULL,
    response_headers TEXT         NULL,
    response_body    TEXT         NULL,
    created_at       TIMESTAMPTZ  NOT NULL,
    expires_at       TIMESTAMPTZ  NOT NULL,
    CONSTRAINT idempotency_keys_state_check CHECK (state IN ('in_progress', 'completed')),
    CONSTRAINT idempotency_keys_user_key UNIQUE (user_id, idem_key)
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);
