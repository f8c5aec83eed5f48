-- Indexes for the reports (internal/infrastructure/persistence/reports/).
-- They are partial and covering so that a report reads only the index, not
-- the invoice rows, and only the invoices it can count:
--   * invoices_turnover: turnover, VAT summary, top customers and top
--     products filter validated and paid invoices (status 1, 2) on a date
--     range and need the customer, the type, the rounding mode, the totals
--     and, to join the lines, the id;
--   * invoices_open: aging reads only open invoices (status 1), a small and
--     stable set however long the history grows, grouped by customer;
--   * invoice_lines_report: VAT summary and top products join the lines of
--     the invoices found above and need the rate, product, quantity and
--     totals of each line.
-- IF NOT EXISTS lets an operator of a large database build them beforehand
-- with CREATE INDEX CONCURRENTLY (same names and definitions), which a
-- migration cannot do inside its transaction, so that upgrading does not
-- block writes to invoices while they build (docs/benchmarks.md, Reports).
CREATE INDEX IF NOT EXISTS invoices_turnover ON invoices (doc_date)
    INCLUDE (id, customer_id, type, rounding, total_excl_tax, total_vat, total_incl_tax)
    WHERE status IN (1, 2);
CREATE INDEX IF NOT EXISTS invoices_open ON invoices (customer_id, due_date)
    INCLUDE (doc_date, total_incl_tax, paid)
    WHERE status = 1;
CREATE INDEX IF NOT EXISTS invoice_lines_report ON invoice_lines (document_id)
    INCLUDE (product_id, vat_rate, quantity, total_excl_tax, total_vat);
