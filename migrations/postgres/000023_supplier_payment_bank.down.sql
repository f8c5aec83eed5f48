ALTER TABLE supplier_payments DROP COLUMN issuer_bank;
ALTER TABLE supplier_payments DROP COLUMN issuer;
ALTER TABLE supplier_payments DROP COLUMN bank_account_id;
