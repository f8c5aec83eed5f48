DROP INDEX IF EXISTS invoices_open;
DROP TABLE IF EXISTS customer_credits;
ALTER TABLE invoices DROP COLUMN IF EXISTS credit_used;
CREATE INDEX IF NOT EXISTS invoices_open ON invoices (customer_id, due_date)
    INCLUDE (doc_date, total_incl_tax, paid)
    WHERE status = 1;
