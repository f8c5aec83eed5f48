-- Sales documents: proposals, orders and invoices (standard and credit
-- notes) with their lines, payments spread over invoices, and the event log
-- of every document's transitions. Definitive references come from
-- numbering_counters (000004), locked FOR UPDATE in the validating
-- transaction; a draft has a NULL ref (shown as "(PROV<id>)"), which the
-- unique indexes ignore.
CREATE TABLE proposals (
    id             BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    ref            VARCHAR(64)    NULL,
    customer_id    BIGINT         NOT NULL REFERENCES thirdparties (id) ON DELETE RESTRICT,
    status         SMALLINT       NOT NULL DEFAULT 0,
    doc_date       DATE           NOT NULL,
    ref_customer   VARCHAR(255)   NOT NULL DEFAULT '',
    note_public    TEXT NOT NULL,
    note_private   TEXT NOT NULL,
    rounding       SMALLINT       NOT NULL DEFAULT 0,
    total_excl_tax NUMERIC(24, 8) NOT NULL DEFAULT 0,
    total_vat      NUMERIC(24, 8) NOT NULL DEFAULT 0,
    total_incl_tax NUMERIC(24, 8) NOT NULL DEFAULT 0,
    warehouse_id   BIGINT         NULL REFERENCES warehouses (id) ON DELETE RESTRICT,
    created_by     BIGINT         NOT NULL DEFAULT 0,
    validated_by   BIGINT         NOT NULL DEFAULT 0,
    validated_at   DATETIME(6)    NULL,
    version        BIGINT         NOT NULL DEFAULT 1,
    created_at     DATETIME(6)    NOT NULL,
    updated_at     DATETIME(6)    NOT NULL,
    valid_until    DATE           NOT NULL,
    closed_at      DATETIME(6)    NULL,
    close_note     TEXT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX proposals_ref ON proposals (ref);
CREATE INDEX proposals_customer ON proposals (customer_id);
CREATE INDEX proposals_status ON proposals (status, doc_date);

CREATE TABLE proposal_lines (
    id               BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    document_id      BIGINT         NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    position         INTEGER        NOT NULL,
    product_id       BIGINT         NULL REFERENCES products (id) ON DELETE RESTRICT,
    product_type     SMALLINT       NOT NULL DEFAULT 0,
    description      TEXT NOT NULL,
    quantity         NUMERIC(24, 8) NOT NULL,
    unit_price       NUMERIC(24, 8) NOT NULL,
    discount_percent NUMERIC(24, 8) NOT NULL DEFAULT 0,
    vat_rate         NUMERIC(24, 8) NOT NULL DEFAULT 0,
    total_excl_tax   NUMERIC(24, 8) NOT NULL,
    total_vat        NUMERIC(24, 8) NOT NULL,
    total_incl_tax   NUMERIC(24, 8) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX proposal_lines_document ON proposal_lines (document_id, position);
CREATE INDEX proposal_lines_product ON proposal_lines (product_id);

CREATE TABLE orders (
    id             BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    ref            VARCHAR(64)    NULL,
    customer_id    BIGINT         NOT NULL REFERENCES thirdparties (id) ON DELETE RESTRICT,
    status         SMALLINT       NOT NULL DEFAULT 0,
    doc_date       DATE           NOT NULL,
    ref_customer   VARCHAR(255)   NOT NULL DEFAULT '',
    note_public    TEXT NOT NULL,
    note_private   TEXT NOT NULL,
    rounding       SMALLINT       NOT NULL DEFAULT 0,
    total_excl_tax NUMERIC(24, 8) NOT NULL DEFAULT 0,
    total_vat      NUMERIC(24, 8) NOT NULL DEFAULT 0,
    total_incl_tax NUMERIC(24, 8) NOT NULL DEFAULT 0,
    warehouse_id   BIGINT         NULL REFERENCES warehouses (id) ON DELETE RESTRICT,
    created_by     BIGINT         NOT NULL DEFAULT 0,
    validated_by   BIGINT         NOT NULL DEFAULT 0,
    validated_at   DATETIME(6)    NULL,
    version        BIGINT         NOT NULL DEFAULT 1,
    created_at     DATETIME(6)    NOT NULL,
    updated_at     DATETIME(6)    NOT NULL,
    delivery_date  DATE           NULL,
    proposal_id    BIGINT         NULL REFERENCES proposals (id) ON DELETE RESTRICT,
    billed         BOOLEAN        NOT NULL DEFAULT FALSE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX orders_ref ON orders (ref);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX orders_status ON orders (status, doc_date);
CREATE INDEX orders_proposal ON orders (proposal_id);

CREATE TABLE order_lines (
    id               BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    document_id      BIGINT         NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position         INTEGER        NOT NULL,
    product_id       BIGINT         NULL REFERENCES products (id) ON DELETE RESTRICT,
    product_type     SMALLINT       NOT NULL DEFAULT 0,
    description      TEXT NOT NULL,
    quantity         NUMERIC(24, 8) NOT NULL,
    unit_price       NUMERIC(24, 8) NOT NULL,
    discount_percent NUMERIC(24, 8) NOT NULL DEFAULT 0,
    vat_rate         NUMERIC(24, 8) NOT NULL DEFAULT 0,
    total_excl_tax   NUMERIC(24, 8) NOT NULL,
    total_vat        NUMERIC(24, 8) NOT NULL,
    total_incl_tax   NUMERIC(24, 8) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX order_lines_document ON order_lines (document_id, position);
CREATE INDEX order_lines_product ON order_lines (product_id);

CREATE TABLE invoices (
    id                BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    ref            VARCHAR(64)    NULL,
    customer_id    BIGINT         NOT NULL REFERENCES thirdparties (id) ON DELETE RESTRICT,
    status         SMALLINT       NOT NULL DEFAULT 0,
    doc_date       DATE           NOT NULL,
    ref_customer   VARCHAR(255)   NOT NULL DEFAULT '',
    note_public    TEXT NOT NULL,
    note_private   TEXT NOT NULL,
    rounding       SMALLINT       NOT NULL DEFAULT 0,
    total_excl_tax NUMERIC(24, 8) NOT NULL DEFAULT 0,
    total_vat      NUMERIC(24, 8) NOT NULL DEFAULT 0,
    total_incl_tax NUMERIC(24, 8) NOT NULL DEFAULT 0,
    warehouse_id   BIGINT         NULL REFERENCES warehouses (id) ON DELETE RESTRICT,
    created_by     BIGINT         NOT NULL DEFAULT 0,
    validated_by   BIGINT         NOT NULL DEFAULT 0,
    validated_at   DATETIME(6)    NULL,
    version        BIGINT         NOT NULL DEFAULT 1,
    created_at     DATETIME(6)    NOT NULL,
    updated_at     DATETIME(6)    NOT NULL,
    type              SMALLINT       NOT NULL DEFAULT 0,
    due_date          DATE           NOT NULL,
    source_invoice_id BIGINT         NULL REFERENCES invoices (id) ON DELETE RESTRICT,
    order_id          BIGINT         NULL REFERENCES orders (id) ON DELETE RESTRICT,
    proposal_id       BIGINT         NULL REFERENCES proposals (id) ON DELETE RESTRICT,
    paid              NUMERIC(24, 8) NOT NULL DEFAULT 0,
    close_code        VARCHAR(16)    NOT NULL DEFAULT '',
    close_note        TEXT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX invoices_ref ON invoices (ref);
CREATE INDEX invoices_customer ON invoices (customer_id, status);
CREATE INDEX invoices_status ON invoices (status, doc_date);
CREATE INDEX invoices_source ON invoices (source_invoice_id);
CREATE INDEX invoices_order ON invoices (order_id);
CREATE INDEX invoices_proposal ON invoices (proposal_id);

CREATE TABLE invoice_lines (
    id               BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    document_id      BIGINT         NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position         INTEGER        NOT NULL,
    product_id       BIGINT         NULL REFERENCES products (id) ON DELETE RESTRICT,
    product_type     SMALLINT       NOT NULL DEFAULT 0,
    description      TEXT NOT NULL,
    quantity         NUMERIC(24, 8) NOT NULL,
    unit_price       NUMERIC(24, 8) NOT NULL,
    discount_percent NUMERIC(24, 8) NOT NULL DEFAULT 0,
    vat_rate         NUMERIC(24, 8) NOT NULL DEFAULT 0,
    total_excl_tax   NUMERIC(24, 8) NOT NULL,
    total_vat        NUMERIC(24, 8) NOT NULL,
    total_incl_tax   NUMERIC(24, 8) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX invoice_lines_document ON invoice_lines (document_id, position);
CREATE INDEX invoice_lines_product ON invoice_lines (product_id);

CREATE TABLE payments (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    customer_id BIGINT         NOT NULL REFERENCES thirdparties (id) ON DELETE RESTRICT,
    pay_date    DATE           NOT NULL,
    amount      NUMERIC(24, 8) NOT NULL,
    method      VARCHAR(16)    NOT NULL,
    reference   VARCHAR(128)   NOT NULL DEFAULT '',
    note        TEXT NOT NULL,
    created_by  BIGINT         NOT NULL DEFAULT 0,
    created_at  DATETIME(6)    NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX payments_customer ON payments (customer_id, pay_date);
CREATE INDEX payments_date ON payments (pay_date);

CREATE TABLE payment_allocations (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    payment_id BIGINT         NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
    invoice_id BIGINT         NOT NULL REFERENCES invoices (id) ON DELETE RESTRICT,
    amount     NUMERIC(24, 8) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX payment_allocations_key ON payment_allocations (payment_id, invoice_id);
CREATE INDEX payment_allocations_invoice ON payment_allocations (invoice_id);

CREATE TABLE document_events (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    doc_kind    VARCHAR(16)    NOT NULL,
    document_id BIGINT         NOT NULL,
    action      VARCHAR(32)    NOT NULL,
    from_status VARCHAR(16)    NOT NULL DEFAULT '',
    to_status   VARCHAR(16)    NOT NULL,
    user_id     BIGINT         NOT NULL DEFAULT 0,
    note        TEXT NOT NULL,
    created_at  DATETIME(6)    NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX document_events_document ON document_events (doc_kind, document_id, id);
