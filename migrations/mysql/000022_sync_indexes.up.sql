-- Incremental sync (issue 16): lists read with updated_since and a cursor
-- seek on (updated_at, id), or (created_at, id) for tables whose rows never
-- change, instead of sorting the table.
CREATE INDEX thirdparties_sync ON thirdparties (updated_at, id);
CREATE INDEX contacts_sync ON contacts (updated_at, id);
CREATE INDEX products_sync ON products (updated_at, id);
CREATE INDEX warehouses_sync ON warehouses (updated_at, id);
CREATE INDEX proposals_sync ON proposals (updated_at, id);
CREATE INDEX orders_sync ON orders (updated_at, id);
CREATE INDEX invoices_sync ON invoices (updated_at, id);
CREATE INDEX webhook_subscriptions_sync ON webhook_subscriptions (updated_at, id);
CREATE INDEX webhook_deliveries_sync ON webhook_deliveries (updated_at, id);
CREATE INDEX payments_sync ON payments (created_at, id);
CREATE INDEX stock_movements_sync ON stock_movements (created_at, id);
