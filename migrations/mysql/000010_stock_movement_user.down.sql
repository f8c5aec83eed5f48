ALTER TABLE stock_movements DROP FOREIGN KEY stock_movements_user_fk;
ALTER TABLE stock_movements DROP INDEX stock_movements_user, DROP COLUMN user_id;
