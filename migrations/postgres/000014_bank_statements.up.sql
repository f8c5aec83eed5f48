-- Imported bank statements (ISO 20022 camt.053) and their booked entries.
-- The runner's bank.statement.match job matches each pending entry with
-- one unreconciled line of the account (same amount, date within a window,
-- reference preferred) and reconciles it; ambiguous and unmatched entries
-- stay for a person. Decision 0042.
CREATE TABLE bank_statements (
    id         BIGSERIAL PRIMARY KEY,
    account_id BIGINT       NOT NULL REFERENCES bank_accounts (id) ON DELETE RESTRICT,
    format     VARCHAR(16)  NOT NULL,
    message_id VARCHAR(64)  NOT NULL DEFAULT '',
    status     VARCHAR(16)  NOT NULL,
    job_id     BIGINT       NOT NULL DEFAULT 0,
    created_by BIGINT       NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ  NOT NULL,
    done_at    TIMESTAMPTZ  NULL
);
CREATE INDEX bank_statements_account ON bank_statements (account_id, id);

CREATE TABLE bank_statement_entries (
    id           BIGSERIAL PRIMARY KEY,
    statement_id BIGINT         NOT NULL REFERENCES bank_statements (id) ON DELETE CASCADE,
    entry_date   DATE           NOT NULL,
    amount       NUMERIC(24, 8) NOT NULL,
    reference    VARCHAR(128)   NOT NULL DEFAULT '',
    label        VARCHAR(255)   NOT NULL DEFAULT '',
    status       VARCHAR(16)    NOT NULL,
    line_id      BIGINT         NULL REFERENCES bank_lines (id) ON DELETE SET NULL,
    candidates   INTEGER        NOT NULL DEFAULT 0
);
CREATE INDEX bank_statement_entries_statement ON bank_statement_entries (statement_id, id);
CREATE INDEX bank_statement_entries_line ON bank_statement_entries (line_id);
