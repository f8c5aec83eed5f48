-- Who made each stock movement (Dolibarr's llx_stock_mouvement.fk_user_author),
-- for audit. NULL for the movements written before this version and for those
-- the system makes on nobody's behalf. Users are never deleted, only
-- deactivated; ON DELETE SET NULL keeps the journal if one ever were.
ALTER TABLE stock_movements ADD COLUMN user_id INTEGER NULL REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX stock_movements_user ON stock_movements (user_id, created_at);
