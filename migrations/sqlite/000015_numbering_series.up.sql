-- Numbers follow dates (decision 0035): per numbering series (the scope of
-- numbering_counters, whatever the period), the date of its last validated
-- document. Every validation locks its series' row before the counter row
-- and refuses (or re-dates) a document dated before last_date.
CREATE TABLE numbering_series (
    scope     VARCHAR(64) NOT NULL PRIMARY KEY,
    last_date DATE        NULL
);

-- The series of the documents validated so far start at their latest date.
INSERT INTO numbering_series (scope, last_date) SELECT 'sales.proposal', MAX(doc_date) FROM proposals WHERE ref IS NOT NULL;
INSERT INTO numbering_series (scope, last_date) SELECT 'sales.order', MAX(doc_date) FROM orders WHERE ref IS NOT NULL;
INSERT INTO numbering_series (scope, last_date) SELECT 'sales.invoice', MAX(doc_date) FROM invoices WHERE ref IS NOT NULL AND type <> 2;
INSERT INTO numbering_series (scope, last_date) SELECT 'sales.credit_note', MAX(doc_date) FROM invoices WHERE ref IS NOT NULL AND type = 2;
