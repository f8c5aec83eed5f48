-- Money (issue 15): bank and cash accounts, their lines, and the
-- payment-method dictionary (Dolibarr's llx_bank_account, llx_bank and
-- llx_c_paiement). An account's balance is the sum of its lines: the
-- opening balance is its first line (origin 'opening'); no column stores a
-- balance that could drift from them. A line written by a payment or a
-- transfer names it by (origin, origin_id). Decision 0040.
CREATE TABLE bank_accounts (
    id              BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    label           VARCHAR(255)   NOT NULL,
    kind            VARCHAR(16)    NOT NULL,
    currency        VARCHAR(3)     NOT NULL,
    iban            VARCHAR(34)    NOT NULL DEFAULT '',
    bic             VARCHAR(11)    NOT NULL DEFAULT '',
    opening_balance NUMERIC(24, 8) NOT NULL DEFAULT 0,
    opening_date    DATE           NOT NULL,
    closed          BOOLEAN        NOT NULL DEFAULT FALSE,
    version         BIGINT         NOT NULL DEFAULT 1,
    created_at      DATETIME(6)    NOT NULL,
    updated_at      DATETIME(6)    NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX bank_accounts_label ON bank_accounts (label);

CREATE TABLE bank_lines (
    id            BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id    BIGINT         NOT NULL,
    line_date     DATE           NOT NULL,
    amount        NUMERIC(24, 8) NOT NULL,
    label         VARCHAR(255)   NOT NULL DEFAULT '',
    reference     VARCHAR(128)   NOT NULL DEFAULT '',
    origin        VARCHAR(32)    NOT NULL,
    origin_id     BIGINT         NOT NULL DEFAULT 0,
    reconciled    BOOLEAN        NOT NULL DEFAULT FALSE,
    reconciled_at DATETIME(6)    NULL,
    reconciled_by BIGINT         NOT NULL DEFAULT 0,
    created_by    BIGINT         NOT NULL DEFAULT 0,
    created_at    DATETIME(6)    NOT NULL,
    CONSTRAINT bank_lines_account_fk FOREIGN KEY (account_id) REFERENCES bank_accounts (id) ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX bank_lines_account ON bank_lines (account_id, line_date, id);
CREATE INDEX bank_lines_origin ON bank_lines (origin, origin_id);

CREATE TABLE payment_methods (
    code            VARCHAR(16)  NOT NULL PRIMARY KEY,
    label           VARCHAR(128) NOT NULL,
    needs_reference BOOLEAN      NOT NULL DEFAULT FALSE,
    active          BOOLEAN      NOT NULL DEFAULT TRUE,
    builtin         BOOLEAN      NOT NULL DEFAULT FALSE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO payment_methods (code, label, needs_reference, active, builtin) VALUES
    ('VIR', 'Bank transfer', FALSE, TRUE, TRUE),
    ('CHQ', 'Cheque', TRUE, TRUE, TRUE),
    ('CB', 'Credit card', FALSE, TRUE, TRUE),
    ('LIQ', 'Cash', FALSE, TRUE, TRUE),
    ('PRE', 'Direct debit', FALSE, TRUE, TRUE),
    ('VAD', 'Online payment', FALSE, TRUE, TRUE),
    ('TIP', 'Interbank payment (TIP)', FALSE, TRUE, TRUE),
    ('TRA', 'Bank draft', TRUE, TRUE, TRUE),
    ('LCR', 'Bill of exchange (LCR)', TRUE, TRUE, TRUE),
    ('FAC', 'Factor', FALSE, TRUE, TRUE),
    ('PRO', 'Promissory note', TRUE, TRUE, TRUE);

-- Payments name a dictionary code; the five names of the first releases
-- become theirs. A payment names the account it was posted to.
UPDATE payments SET method = 'VIR' WHERE method = 'transfer';
UPDATE payments SET method = 'CB' WHERE method = 'card';
UPDATE payments SET method = 'CHQ' WHERE method = 'cheque';
UPDATE payments SET method = 'LIQ' WHERE method = 'cash';
UPDATE payments SET method = 'PRE' WHERE method = 'direct_debit';
ALTER TABLE payments
    ADD COLUMN bank_account_id BIGINT NULL,
    ADD COLUMN issuer VARCHAR(128) NOT NULL DEFAULT '',
    ADD COLUMN issuer_bank VARCHAR(128) NOT NULL DEFAULT '',
    ADD CONSTRAINT payments_bank_account_fk FOREIGN KEY (bank_account_id) REFERENCES bank_accounts (id) ON DELETE RESTRICT;
