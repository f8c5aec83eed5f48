-- API keys, refresh tokens and token revocation (issue 16, decisions 0025 and 0026).
-- token_generation is bumped with every change that must end a user's
-- tokens (deactivation, roles, password); access tokens carry the
-- generation they were issued at. auth_state.version is bumped in the same
-- transaction as any such change or a key revocation: each replica polls
-- that one row and reloads its revocation cache when it moves.
ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;

CREATE TABLE auth_state (
    id      INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 0
);
INSERT INTO auth_state (id, version) VALUES (1, 0);

CREATE TABLE api_keys (
    id           INTEGER  PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER  NOT NULL REFERENCES users (id),
    name         TEXT     NOT NULL,
    prefix       TEXT     NOT NULL,
    secret_hash  TEXT     NOT NULL,
    expires_at   DATETIME NULL,
    last_used_at DATETIME NULL,
    revoked_at   DATETIME NULL,
    created_by   INTEGER  NULL REFERENCES users (id),
    created_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT api_keys_prefix_key UNIQUE (prefix)
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, id);

CREATE TABLE api_key_permissions (
    api_key_id INTEGER NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    permission TEXT    NOT NULL,
    PRIMARY KEY (api_key_id, permission)
);

CREATE TABLE refresh_tokens (
    id         INTEGER  PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER  NOT NULL REFERENCES users (id),
    family     TEXT     NOT NULL,
    token_hash TEXT     NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME NULL,
    revoked_at DATETIME NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT refresh_tokens_hash_key UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family);
