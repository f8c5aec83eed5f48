-- Customer credits (Dolibarr's llx_societe_remise_except for credit notes):
-- a validated credit note nothing was refunded on can be turned into an
-- available credit of its customer, then used, whole, on another of its
-- invoices. The credit note is then closed as paid; the invoice's
-- credit_used grows by the credit, so what is left to pay on it is
-- total_incl_tax - paid - credit_used. Foreign keys are table constraints:
-- MySQL ignores a column's inline REFERENCES.
ALTER TABLE invoices ADD COLUMN credit_used NUMERIC(24, 8) NOT NULL DEFAULT 0;

CREATE TABLE customer_credits (
    id                BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    customer_id       BIGINT         NOT NULL,
    source_invoice_id BIGINT         NOT NULL,
    amount_excl_tax   NUMERIC(24, 8) NOT NULL,
    amount_vat        NUMERIC(24, 8) NOT NULL,
    amount_incl_tax   NUMERIC(24, 8) NOT NULL,
    used_invoice_id   BIGINT         NULL,
    used_at           DATETIME(6)    NULL,
    created_by        BIGINT         NOT NULL DEFAULT 0,
    created_at        DATETIME(6)    NOT NULL,
    CONSTRAINT customer_credits_positive CHECK (amount_incl_tax > 0),
    CONSTRAINT customer_credits_customer_fk FOREIGN KEY (customer_id) REFERENCES thirdparties (id) ON DELETE RESTRICT,
    CONSTRAINT customer_credits_source_fk FOREIGN KEY (source_invoice_id) REFERENCES invoices (id) ON DELETE RESTRICT,
    CONSTRAINT customer_credits_used_fk FOREIGN KEY (used_invoice_id) REFERENCES invoices (id) ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX customer_credits_source ON customer_credits (source_invoice_id);
CREATE INDEX customer_credits_customer ON customer_credits (customer_id, used_invoice_id);
CREATE INDEX customer_credits_used ON customer_credits (used_invoice_id);

-- Aging now subtracts credit_used as well as paid: the covering index of
-- open invoices (000007) carries it.
DROP INDEX invoices_open ON invoices;
CREATE INDEX invoices_open ON invoices
    (status, customer_id, due_date, doc_date, total_incl_tax, paid, credit_used);
