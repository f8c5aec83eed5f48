DROP TABLE IF EXISTS bank_statement_entries;
DROP TABLE IF EXISTS bank_statements;
