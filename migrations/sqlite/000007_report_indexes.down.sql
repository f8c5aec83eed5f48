DROP INDEX IF EXISTS invoice_lines_report;
DROP INDEX IF EXISTS invoices_open;
DROP INDEX IF EXISTS invoices_turnover;
