DROP INDEX IF EXISTS stock_movements_user;
ALTER TABLE stock_movements DROP COLUMN user_id;
