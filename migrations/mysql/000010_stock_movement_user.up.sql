-- Who made each stock movement (Dolibarr's llx_stock_mouvement.fk_user_author),
-- for audit. NULL for the movements written before this version and for those
-- the system makes on nobody's behalf. Users are never deleted, only
-- deactivated; ON DELETE SET NULL keeps the journal if one ever were. The
-- index comes in the same statement so InnoDB does not add its own for the
-- foreign key.
ALTER TABLE stock_movements
    ADD COLUMN user_id BIGINT NULL,
    ADD INDEX stock_movements_user (user_id, created_at),
    ADD CONSTRAINT stock_movements_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL;
