DROP INDEX IF EXISTS invoices_open;
DROP TABLE IF EXISTS customer_credits;
ALTER TABLE invoices DROP COLUMN credit_used;
CREATE INDEX IF NOT EXISTS invoices_open ON invoices
    (customer_id, due_date, doc_date, total_incl_tax, paid)
    WHERE status = 1;
