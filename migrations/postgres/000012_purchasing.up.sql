-- The buy side (issue 14 step 2, decision 0020): supplier prices per
-- product, purchase orders, receptions and supplier invoices on the same
-- document columns as the sales documents (customer_id is the document's
-- third party: the supplier here, Dolibarr's fk_soc), supplier payments
-- spread over supplier invoices, and the built-in buyer role.
CREATE TABLE supplier_prices (
    id             BIGSERIAL PRIMARY KEY,
    product_id     BIGINT         NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    supplier_id    BIGINT         NOT NULL REFERENCES thirdparties (id) ON DELETE RESTRICT,
    supplier_ref   VARCHAR(128)   NOT NULL DEFAULT '',
    unit_price     NUMERIC(24, 8) NOT NULL,
    min_quantity   NUMERIC(24, 8) NOT NULL,
    vat_rate       NUMERIC(24, 8) NOT NULL DEFAULT 0,
    lead_time_days INTEGER        NOT NULL DEFAULT 0,
    active         BOOLEAN        NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMPTZ    NOT NULL,
    updated_at     TIMESTAMPTZ    NOT NULL
);
CREATE UNIQUE INDEX supplier_prices_key ON supplier_prices (product_id, supplier_id, min_quantity);
CREATE INDEX supplier_prices_supplier ON supplier_prices (supplier_id);

CREATE TABLE purchase_orders (
    id             BIGSERIAL PRIMARY KEY,
    ref            VARCHAR(64)    NULL,
    customer_id    BIGINT         NOT NULL REFERENCES thirdparties (id) ON DELETE RESTRICT,
    status         SMALLINT       NOT NULL DEFAULT 0,
    doc_date       DATE           NOT NULL,
    ref_customer   VARCHAR(255)   NOT NULL DEFAULT '',
    note_public    TEXT NOT NULL DEFAULT '',
    note_private   TEXT NOT NULL DEFAULT '',
    rounding       SMALLINT       NOT NULL DEFAULT 0,
    total_excl_tax NUMERIC(24, 8) NOT NULL DEFAULT 0,
    total_vat      NUMERIC(24, 8) NOT NULL DEFAULT 0,
    total_incl_tax NUMERIC(24, 8) NOT NULL DEFAULT 0,
    warehouse_id   BIGINT         NULL REFERENCES warehouses (id) ON DELETE RESTRICT,
    created_by     BIGINT         NOT NULL DEFAULT 0,
    validated_by   BIGINT         NOT NULL DEFAULT 0,
    validated_at   TIMESTAMPTZ    NULL,
    version        BIGINT         NOT NULL DEFAULT 1,
    created_at     TIMESTAMPTZ    NOT NULL,
    updated_at     TIMESTAMPTZ    NOT NULL,
    delivery_date  DATE           NULL,
    approved_by    BIGINT         NOT NULL DEFAULT 0,
    approved_at    TIMESTAMPTZ    NULL,
    ordered_at     TIMESTAMPTZ    NULL,
    billed         BOOLEAN        NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX purchase_orders_ref ON purchase_orders (ref);
CREATE INDEX purchase_orders_supplier ON purchase_orders (customer_id);
CREATE INDEX purchase_orders_status ON purchase_orders (status, doc_date);

CREATE TABLE purchase_order_lines (
    id               BIGSERIAL PRIMARY KEY,
    document_id      BIGINT         NOT NULL REFERENCES purchase_orders (id) ON DELETE CASCADE,
    position         INTEGER        NOT NULL,
    product_id       BIGINT         NULL REFERENCES products (id) ON DELETE RESTRICT,
    product_type     SMALLINT       NOT NULL DEFAULT 0,
    description      TEXT NOT NULL DEFAULT '',
    quantity         NUMERIC(24, 8) NOT NULL,
    unit_price       NUMERIC(24, 8) NOT NULL,
    discount_percent NUMERIC(24, 8) NOT NULL DEFAULT 0,
    vat_rate         NUMERIC(24, 8) NOT NULL DEFAULT 0,
    total_excl_tax   NUMERIC(24, 8) NOT NULL,
    total_vat        NUMERIC(24, 8) NOT NULL,
    total_incl_tax   NUMERIC(24, 8) NOT NULL
);
CREATE INDEX purchase_order_lines_document ON purchase_order_lines (document_id, position);
CREATE INDEX purchase_order_lines_product ON purchase_order_lines (product_id);

CREATE TABLE supplier_invoices (
    id             BIGSERIAL PRIMARY KEY,
    ref            VARCHAR(64)    NULL,
    customer_id    BIGINT         NOT NULL REFERENCES thirdparties (id) ON DELETE RESTRICT,
    status         SMALLINT       NOT NULL DEFAULT 0,
    doc_date       DATE           NOT NULL,
    ref_customer   VARCHAR(255)   NOT NULL DEFAULT '',
    note_public    TEXT NOT NULL DEFAULT '',
    note_private   TEXT NOT NULL DEFAULT '',
    rounding       SMALLINT       NOT NULL DEFAULT 0,
    total_excl_tax NUMERIC(24, 8) NOT NULL DEFAULT 0,
    total_vat      NUMERIC(24, 8) NOT NULL DEFAULT 0,
    total_incl_tax NUMERIC(24, 8) NOT NULL DEFAULT 0,
    warehouse_id   BIGINT         NULL REFERENCES warehouses (id) ON DELETE RESTRICT,
    created_by     BIGINT         NOT NULL DEFAULT 0,
    validated_by   BIGINT         NOT NULL DEFAULT 0,
    validated_at   TIMESTAMPTZ    NULL,
    version        BIGINT         NOT NULL DEFAULT 1,
    created_at     TIMESTAMPTZ    NOT NULL,
    updated_at     TIMESTAMPTZ    NOT NULL,
    type              SMALLINT       NOT NULL DEFAULT 0,
    due_date          DATE           NOT NULL,
    source_invoice_id BIGINT         NULL REFERENCES supplier_invoices (id) ON DELETE RESTRICT,
    purchase_order_id BIGINT         NULL REFERENCES purchase_orders (id) ON DELETE RESTRICT,
    paid              NUMERIC(24, 8) NOT NULL DEFAULT 0,
    credit_used       NUMERIC(24, 8) NOT NULL DEFAULT 0,
    close_code        VARCHAR(16)    NOT NULL DEFAULT '',
    close_note        TEXT NOT NULL DEFAULT '',
    supplier_ref      VARCHAR(128)   NOT NULL
);
CREATE UNIQUE INDEX supplier_invoices_ref ON supplier_invoices (ref);
-- The supplier's own number is unique per supplier: of two concurrent
-- creations with the same one, the index lets one commit.
CREATE UNIQUE INDEX supplier_invoices_supplier_ref ON supplier_invoices (customer_id, supplier_ref);
CREATE INDEX supplier_invoices_status ON supplier_invoices (status, doc_date);
CREATE INDEX supplier_invoices_order ON supplier_invoices (purchase_order_id);

CREATE TABLE supplier_invoice_lines (
    id               BIGSERIAL PRIMARY KEY,
    document_id      BIGINT         NOT NULL REFERENCES supplier_invoices (id) ON DELETE CASCADE,
    position         INTEGER        NOT NULL,
    product_id       BIGINT         NULL REFERENCES products (id) ON DELETE RESTRICT,
    product_type     SMALLINT       NOT NULL DEFAULT 0,
    description      TEXT NOT NULL DEFAULT '',
    quantity         NUMERIC(24, 8) NOT NULL,
    unit_price       NUMERIC(24, 8) NOT NULL,
    discount_percent NUMERIC(24, 8) NOT NULL DEFAULT 0,
    vat_rate         NUMERIC(24, 8) NOT NULL DEFAULT 0,
    total_excl_tax   NUMERIC(24, 8) NOT NULL,
    total_vat        NUMERIC(24, 8) NOT NULL,
    total_incl_tax   NUMERIC(24, 8) NOT NULL
);
CREATE INDEX supplier_invoice_lines_document ON supplier_invoice_lines (document_id, position);
CREATE INDEX supplier_invoice_lines_product ON supplier_invoice_lines (product_id);

CREATE TABLE receptions (
    id             BIGSERIAL PRIMARY KEY,
    ref            VARCHAR(64)    NULL,
    customer_id    BIGINT         NOT NULL REFERENCES thirdparties (id) ON DELETE RESTRICT,
    status         SMALLINT       NOT NULL DEFAULT 0,
    doc_date       DATE           NOT NULL,
    ref_customer   VARCHAR(255)   NOT NULL DEFAULT '',
    note_public    TEXT NOT NULL DEFAULT '',
    note_private   TEXT NOT NULL DEFAULT '',
    rounding       SMALLINT       NOT NULL DEFAULT 0,
    total_excl_tax NUMERIC(24, 8) NOT NULL DEFAULT 0,
    total_vat      NUMERIC(24, 8) NOT NULL DEFAULT 0,
    total_incl_tax NUMERIC(24, 8) NOT NULL DEFAULT 0,
    warehouse_id   BIGINT         NULL REFERENCES warehouses (id) ON DELETE RESTRICT,
    created_by     BIGINT         NOT NULL DEFAULT 0,
    validated_by   BIGINT         NOT NULL DEFAULT 0,
    validated_at   TIMESTAMPTZ    NULL,
    version        BIGINT         NOT NULL DEFAULT 1,
    created_at     TIMESTAMPTZ    NOT NULL,
    updated_at     TIMESTAMPTZ    NOT NULL,
    order_id            BIGINT         NOT NULL REFERENCES purchase_orders (id) ON DELETE RESTRICT,
    supplier_invoice_id BIGINT         NULL REFERENCES supplier_invoices (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX receptions_ref ON receptions (ref);
CREATE INDEX receptions_order ON receptions (order_id, status);
CREATE INDEX receptions_invoice ON receptions (supplier_invoice_id);

CREATE TABLE reception_lines (
    id            BIGSERIAL PRIMARY KEY,
    document_id   BIGINT         NOT NULL REFERENCES receptions (id) ON DELETE CASCADE,
    order_line_id BIGINT         NOT NULL REFERENCES purchase_order_lines (id) ON DELETE RESTRICT,
    product_id    BIGINT         NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    warehouse_id  BIGINT         NOT NULL REFERENCES warehouses (id) ON DELETE RESTRICT,
    quantity      NUMERIC(24, 8) NOT NULL,
    unit_price    NUMERIC(24, 8) NOT NULL DEFAULT 0
);
CREATE INDEX reception_lines_document ON reception_lines (document_id);
CREATE INDEX reception_lines_order_line ON reception_lines (order_line_id);

CREATE TABLE supplier_payments (
    id          BIGSERIAL PRIMARY KEY,
    supplier_id BIGINT         NOT NULL REFERENCES thirdparties (id) ON DELETE RESTRICT,
    pay_date    DATE           NOT NULL,
    amount      NUMERIC(24, 8) NOT NULL,
    method      VARCHAR(16)    NOT NULL,
    reference   VARCHAR(128)   NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    created_by  BIGINT         NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ    NOT NULL
);
CREATE INDEX supplier_payments_supplier ON supplier_payments (supplier_id, pay_date);
CREATE INDEX supplier_payments_date ON supplier_payments (pay_date);

CREATE TABLE supplier_payment_allocations (
    id         BIGSERIAL PRIMARY KEY,
    payment_id BIGINT         NOT NULL REFERENCES supplier_payments (id) ON DELETE CASCADE,
    invoice_id BIGINT         NOT NULL REFERENCES supplier_invoices (id) ON DELETE RESTRICT,
    amount     NUMERIC(24, 8) NOT NULL
);
CREATE UNIQUE INDEX supplier_payment_allocations_key ON supplier_payment_allocations (payment_id, invoice_id);
CREATE INDEX supplier_payment_allocations_invoice ON supplier_payment_allocations (invoice_id);

-- The built-in buyer role, as internal/domain.BuiltinRoles defines it at
-- this version (the API bootstrap keeps it in step afterwards).
INSERT INTO roles (name, description, builtin) VALUES ('buyer', 'Supplier prices, purchase orders, receptions and supplier invoices', TRUE);
INSERT INTO role_permissions (role_id, permission)
SELECT r.id, p.perm FROM roles r, (
    SELECT 'thirdparty:read' AS perm
    UNION ALL SELECT 'thirdparty:write' AS perm
    UNION ALL SELECT 'contact:read' AS perm
    UNION ALL SELECT 'contact:write' AS perm
    UNION ALL SELECT 'product:read' AS perm
    UNION ALL SELECT 'warehouse:read' AS perm
    UNION ALL SELECT 'stock:read' AS perm
    UNION ALL SELECT 'supplier_price:read' AS perm
    UNION ALL SELECT 'supplier_price:write' AS perm
    UNION ALL SELECT 'purchase:read' AS perm
    UNION ALL SELECT 'purchase:write' AS perm
    UNION ALL SELECT 'purchase:validate' AS perm
    UNION ALL SELECT 'purchase:send' AS perm
    UNION ALL SELECT 'reception:read' AS perm
    UNION ALL SELECT 'reception:write' AS perm
    UNION ALL SELECT 'reception:validate' AS perm
    UNION ALL SELECT 'supplier_invoice:read' AS perm
    UNION ALL SELECT 'supplier_invoice:write' AS perm
    UNION ALL SELECT 'supplier_invoice:validate' AS perm
    UNION ALL SELECT 'report:read' AS perm
) p WHERE r.name = 'buyer';
