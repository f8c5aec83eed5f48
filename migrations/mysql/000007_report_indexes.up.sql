-- Indexes for the reports (internal/infrastructure/persistence/reports/).
-- MySQL and MariaDB have neither partial indexes nor INCLUDE, so these are
-- plain composite indexes whose leading columns are the filters and whose
-- trailing columns make them covering (InnoDB then never reads the rows):
--   * invoices_turnover: turnover, VAT summary and top customers filter
--     status IN (1, 2) and a date range;
--   * invoices_open: aging reads status = 1 grouped by customer, in index
--     order;
--   * invoice_lines_report: VAT summary and top products join the lines of
--     the invoices found above.
CREATE INDEX invoices_turnover ON invoices
    (status, doc_date, customer_id, type, rounding, total_excl_tax, total_vat, total_incl_tax);
CREATE INDEX invoices_open ON invoices
    (status, customer_id, due_date, doc_date, total_incl_tax, paid);
CREATE INDEX invoice_lines_report ON invoice_lines
    (document_id, product_id, vat_rate, quantity, total_excl_tax, total_vat);
