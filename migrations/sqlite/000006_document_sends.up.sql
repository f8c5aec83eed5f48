-- Requests to send a sales document by e-mail (POST .../{id}/send) and what
-- became of each: queued until its send_document job delivers it (sent) or
-- gives up (failed, with the reason). The row and its job are written in
-- one transaction; the job carries only the row's id.
CREATE TABLE document_sends (
    id           INTEGER      PRIMARY KEY AUTOINCREMENT,
    doc_kind     VARCHAR(16)  NOT NULL,
    document_id  INTEGER      NOT NULL,
    recipients   TEXT         NOT NULL,
    subject      TEXT         NOT NULL DEFAULT '',
    body         TEXT         NOT NULL DEFAULT '',
    language     VARCHAR(35)  NOT NULL DEFAULT '',
    status       VARCHAR(16)  NOT NULL,
    job_id       INTEGER      NOT NULL DEFAULT 0,
    message_id   VARCHAR(255) NOT NULL DEFAULT '',
    last_error   TEXT         NOT NULL DEFAULT '',
    requested_by INTEGER      NOT NULL DEFAULT 0,
    created_at   DATETIME     NOT NULL,
    updated_at   DATETIME     NOT NULL,
    sent_at      DATETIME     NULL
);
CREATE INDEX document_sends_document ON document_sends (doc_kind, document_id, id);
