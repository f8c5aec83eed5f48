-- API keys, refresh tokens and token revocation (issue 16, decisions 0025 and 0026).
-- token_generation is bumped with every change that must end a user's
-- tokens (deactivation, roles, password); access tokens carry the
-- generation they were issued at. auth_state.version is bumped in the same
-- transaction as any such change or a key revocation: each replica polls
-- that one row and reloads its revocation cache when it moves.
ALTER TABLE users ADD COLUMN token_generation BIGINT NOT NULL DEFAULT 0;

CREATE TABLE auth_state (
    id      INTEGER PRIMARY KEY,
    version BIGINT  NOT NULL DEFAULT 0
);
INSERT INTO auth_state (id, version) VALUES (1, 0);

CREATE TABLE api_keys (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT       NOT NULL REFERENCES users (id),
    name         VARCHAR(128) NOT NULL,
    prefix       VARCHAR(16)  NOT NULL,
    secret_hash  VARCHAR(64)  NOT NULL,
    expires_at   TIMESTAMPTZ  NULL,
    last_used_at TIMESTAMPTZ  NULL,
    revoked_at   TIMESTAMPTZ  NULL,
    created_by   BIGINT       NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    CONSTRAINT api_keys_prefix_key UNIQUE (prefix)
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, id);

CREATE TABLE api_key_permissions (
    api_key_id BIGINT      NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    permission VARCHAR(64) NOT NULL,
    PRIMARY KEY (api_key_id, permission)
);

CREATE TABLE refresh_tokens (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT      NOT NULL REFERENCES users (id),
    family     VARCHAR(32) NOT NULL,
    token_hash VARCHAR(64) NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ NULL,
    revoked_at TIMESTAMPTZ NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT refresh_tokens_hash_key UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family);
