DROP TABLE IF EXISTS refresh_tokens;
DROP TABLE IF EXISTS api_key_permissions;
DROP TABLE IF EXISTS api_keys;
DROP TABLE IF EXISTS auth_state;
ALTER TABLE users DROP COLUMN IF EXISTS token_generation;
