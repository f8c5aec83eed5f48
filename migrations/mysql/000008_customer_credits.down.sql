DROP INDEX invoices_open ON invoices;
DROP TABLE IF EXISTS customer_credits;
ALTER TABLE invoices DROP COLUMN credit_used;
CREATE INDEX invoices_open ON invoices
    (status, customer_id, due_date, doc_date, total_incl_tax, paid);
