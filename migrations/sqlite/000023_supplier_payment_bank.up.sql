-- Supplier payments post to bank accounts like customer payments (decision 0040):
-- the account they were posted to and a cheque's issuer and bank.
ALTER TABLE supplier_payments ADD COLUMN bank_account_id INTEGER NULL REFERENCES bank_accounts (id) ON DELETE RESTRICT;
ALTER TABLE supplier_payments ADD COLUMN issuer VARCHAR(128) NOT NULL DEFAULT '';
ALTER TABLE supplier_payments ADD COLUMN issuer_bank VARCHAR(128) NOT NULL DEFAULT '';
