ALTER TABLE supplier_payments DROP FOREIGN KEY supplier_payments_bank_account_fk;
ALTER TABLE supplier_payments DROP COLUMN issuer_bank, DROP COLUMN issuer, DROP COLUMN bank_account_id;
