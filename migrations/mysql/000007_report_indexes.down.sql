DROP INDEX invoice_lines_report ON invoice_lines;
DROP INDEX invoices_open ON invoices;
DROP INDEX invoices_turnover ON invoices;
