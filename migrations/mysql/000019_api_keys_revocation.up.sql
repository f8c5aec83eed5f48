-- API keys, refresh tokens and token revocation (issue 16, decisions 0025 and 0026).
-- token_generation is bumped with every change that must end a user's
-- tokens (deactivation, roles, password); access tokens carry the
-- generation they were issued at. auth_state.version is bumped in the same
-- transaction as any such change or a key revocation: each replica polls
-- that one row and reloads its revocation cache when it moves.
ALTER TABLE users ADD COLUMN token_generation BIGINT NOT NULL DEFAULT 0;

CREATE TABLE auth_state (
    id      INT    NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL DEFAULT 0
) ENGINE=InnoDB;
INSERT INTO auth_state (id, version) VALUES (1, 0);

CREATE TABLE api_keys (
    id           BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id      BIGINT       NOT NULL,
    name         VARCHAR(128) NOT NULL,
    prefix       VARCHAR(16)  COLLATE utf8mb4_bin NOT NULL,
    secret_hash  VARCHAR(64)  COLLATE utf8mb4_bin NOT NULL,
    expires_at   DATETIME(6)  NULL,
    last_used_at DATETIME(6)  NULL,
    revoked_at   DATETIME(6)  NULL,
    created_by   BIGINT       NULL,
    created_at   DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at   DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT api_keys_prefix_key UNIQUE (prefix),
    INDEX api_keys_user_idx (user_id, id),
    CONSTRAINT api_keys_user_fk FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT api_keys_created_by_fk FOREIGN KEY (created_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE api_key_permissions (
    api_key_id BIGINT      NOT NULL,
    permission VARCHAR(64) NOT NULL,
    PRIMARY KEY (api_key_id, permission),
    CONSTRAINT api_key_permissions_key_fk FOREIGN KEY (api_key_id) REFERENCES api_keys (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE refresh_tokens (
    id         BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id    BIGINT      NOT NULL,
    family     VARCHAR(32) COLLATE utf8mb4_bin NOT NULL,
    token_hash VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    used_at    DATETIME(6) NULL,
    revoked_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT refresh_tokens_hash_key UNIQUE (token_hash),
    INDEX refresh_tokens_family_idx (family),
    CONSTRAINT refresh_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
