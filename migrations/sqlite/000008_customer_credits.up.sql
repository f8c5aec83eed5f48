-- Customer credits (Dolibarr's llx_societe_remise_except for credit notes):
-- a validated credit note nothing was refunded on can be turned into an
-- available credit of its customer, then used, whole, on another of its
-- invoices. The credit note is then closed as paid; the invoice's
-- credit_used grows by the credit, so what is left to pay on it is
-- total_incl_tax - paid - credit_used.
ALTER TABLE invoices ADD COLUMN credit_used NUMERIC(24, 8) NOT NULL DEFAULT 0;

CREATE TABLE customer_credits (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id       INTEGER        NOT NULL REFERENCES thirdparties (id) ON DELETE RESTRICT,
    source_invoice_id INTEGER        NOT NULL REFERENCES invoices (id) ON DELETE RESTRICT,
    amount_excl_tax   NUMERIC(24, 8) NOT NULL,
    amount_vat        NUMERIC(24, 8) NOT NULL,
    amount_incl_tax   NUMERIC(24, 8) NOT NULL CHECK (amount_incl_tax > 0),
    used_invoice_id   INTEGER        NULL REFERENCES invoices (id) ON DELETE RESTRICT,
    used_at           DATETIME       NULL,
    created_by        INTEGER        NOT NULL DEFAULT 0,
    created_at        DATETIME       NOT NULL
);
CREATE UNIQUE INDEX customer_credits_source ON customer_credits (source_invoice_id);
CREATE INDEX customer_credits_customer ON customer_credits (customer_id, used_invoice_id);
CREATE INDEX customer_credits_used ON customer_credits (used_invoice_id);

-- Aging now subtracts credit_used as well as paid: the covering index of
-- open invoices (000007) carries it.
DROP INDEX IF EXISTS invoices_open;
CREATE INDEX invoices_open ON invoices
    (customer_id, due_date, doc_date, total_incl_tax, paid, credit_used)
    WHERE status = 1;
