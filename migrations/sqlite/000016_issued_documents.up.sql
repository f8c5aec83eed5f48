-- What a validated document was issued with (decision 0036): its customer's and
-- the company's identity, its lines with their product references and its
-- totals, as JSON, written in the validating transaction; and the archived
-- PDF of an issued invoice or credit note per language, with its SHA-256,
-- written the first time it is printed and served from then on. Both go
-- when the document is reopened.
CREATE TABLE issued_documents (
    doc_kind    VARCHAR(16) NOT NULL,
    document_id INTEGER     NOT NULL,
    record      TEXT        NOT NULL,
    issued_at   DATETIME    NOT NULL,
    PRIMARY KEY (doc_kind, document_id)
);

CREATE TABLE document_archives (
    doc_kind     VARCHAR(16)  NOT NULL,
    document_id  INTEGER      NOT NULL,
    language     VARCHAR(35)  NOT NULL,
    file_name    VARCHAR(255) NOT NULL,
    content_type VARCHAR(64)  NOT NULL,
    sha256       CHAR(64)     NOT NULL,
    content      BLOB         NOT NULL,
    created_at   DATETIME     NOT NULL,
    -- issued_at of the issued record it was printed from: a copy of an
    -- earlier issue of the document is never served.
    issued_at    DATETIME NOT NULL,
    PRIMARY KEY (doc_kind, document_id, language)
);
