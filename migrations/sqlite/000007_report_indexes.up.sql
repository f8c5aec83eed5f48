-- Indexes for the reports (internal/infrastructure/persistence/reports/).
-- SQLite has partial indexes but no INCLUDE: the filtered column leads and
-- the columns the report reads follow, so the index covers the query.
--   * invoices_turnover: turnover, VAT summary and top customers read
--     validated and paid invoices (status 1, 2) on a date range;
--   * invoices_open: aging reads only open invoices (status 1), by customer;
--   * invoice_lines_report: VAT summary and top products join the lines of
--     the invoices found above.
CREATE INDEX IF NOT EXISTS invoices_turnover ON invoices
    (doc_date, customer_id, type, rounding, total_excl_tax, total_vat, total_incl_tax)
    WHERE status IN (1, 2);
CREATE INDEX IF NOT EXISTS invoices_open ON invoices
    (customer_id, due_date, doc_date, total_incl_tax, paid)
    WHERE status = 1;
CREATE INDEX IF NOT EXISTS invoice_lines_report ON invoice_lines
    (document_id, product_id, vat_rate, quantity, total_excl_tax, total_vat);
