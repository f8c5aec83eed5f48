-- Catalogue and stock: third parties, contacts, products, warehouses,
-- per-warehouse stock rows (locked FOR UPDATE by every movement), the
-- append-only movement journal, and numbering counters (locked FOR UPDATE
-- to hand out unique codes).
-- Foreign keys use the default NO ACTION: SQLite reports a RESTRICT violation
-- with an extended code (CONSTRAINT_TRIGGER) the repository does not map,
-- whereas NO ACTION, checked at the end of each statement, reports
-- CONSTRAINT_FOREIGNKEY and means the same here.
CREATE TABLE numbering_counters (
    scope      VARCHAR(64) NOT NULL,
    period_key VARCHAR(16) NOT NULL DEFAULT '',
    last_value INTEGER      NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, period_key)
);

CREATE TABLE thirdparties (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          VARCHAR(255) NOT NULL,
    alias         VARCHAR(255) NOT NULL DEFAULT '',
    is_customer   BOOLEAN      NOT NULL DEFAULT FALSE,
    is_prospect   BOOLEAN      NOT NULL DEFAULT FALSE,
    is_supplier   BOOLEAN      NOT NULL DEFAULT FALSE,
    customer_code VARCHAR(32)  NULL,
    supplier_code VARCHAR(32)  NULL,
    address       VARCHAR(255) NOT NULL DEFAULT '',
    zip           VARCHAR(32)  NOT NULL DEFAULT '',
    town          VARCHAR(128) NOT NULL DEFAULT '',
    country_code  VARCHAR(2)   NOT NULL DEFAULT '',
    email         VARCHAR(254) NOT NULL DEFAULT '',
    phone         VARCHAR(32)  NOT NULL DEFAULT '',
    vat_number    VARCHAR(20)  NOT NULL DEFAULT '',
    payment_terms VARCHAR(16)  NOT NULL DEFAULT '',
    active        BOOLEAN      NOT NULL DEFAULT TRUE,
    version       INTEGER       NOT NULL DEFAULT 1,
    created_at    DATETIME  NOT NULL,
    updated_at    DATETIME  NOT NULL
);
CREATE UNIQUE INDEX thirdparties_customer_code ON thirdparties (customer_code);
CREATE UNIQUE INDEX thirdparties_supplier_code ON thirdparties (supplier_code);
CREATE INDEX thirdparties_name ON thirdparties (name);

CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    thirdparty_id INTEGER       NULL REFERENCES thirdparties (id),
    firstname     VARCHAR(128) NOT NULL DEFAULT '',
    lastname      VARCHAR(128) NOT NULL,
    email         VARCHAR(254) NOT NULL DEFAULT '',
    phone         VARCHAR(32)  NOT NULL DEFAULT '',
    mobile        VARCHAR(32)  NOT NULL DEFAULT '',
    role          VARCHAR(128) NOT NULL DEFAULT '',
    active        BOOLEAN      NOT NULL DEFAULT TRUE,
    version       INTEGER       NOT NULL DEFAULT 1,
    created_at    DATETIME  NOT NULL,
    updated_at    DATETIME  NOT NULL
);
CREATE INDEX contacts_thirdparty ON contacts (thirdparty_id);
CREATE INDEX contacts_lastname ON contacts (lastname);

CREATE TABLE products (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    ref            VARCHAR(128)   NOT NULL,
    label          VARCHAR(255)   NOT NULL,
    description    TEXT           NOT NULL DEFAULT '',
    type           SMALLINT       NOT NULL DEFAULT 0,
    price          NUMERIC(24, 8) NOT NULL DEFAULT 0,
    price_incl_tax NUMERIC(24, 8) NOT NULL DEFAULT 0,
    price_base     VARCHAR(8)     NOT NULL DEFAULT 'excl_tax',
    vat_rate       NUMERIC(24, 8) NOT NULL DEFAULT 0,
    cost_price     NUMERIC(24, 8) NOT NULL DEFAULT 0,
    average_cost   NUMERIC(24, 8) NOT NULL DEFAULT 0,
    on_sale        BOOLEAN        NOT NULL DEFAULT TRUE,
    on_purchase    BOOLEAN        NOT NULL DEFAULT TRUE,
    stock_alert    NUMERIC(24, 8) NOT NULL DEFAULT 0,
    version        INTEGER         NOT NULL DEFAULT 1,
    created_at     DATETIME    NOT NULL,
    updated_at     DATETIME    NOT NULL
);
CREATE UNIQUE INDEX products_ref ON products (ref);
CREATE INDEX products_label ON products (label);

CREATE TABLE warehouses (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    label        VARCHAR(128) NOT NULL,
    description  TEXT         NOT NULL DEFAULT '',
    location     VARCHAR(255) NOT NULL DEFAULT '',
    address      VARCHAR(255) NOT NULL DEFAULT '',
    zip          VARCHAR(32)  NOT NULL DEFAULT '',
    town         VARCHAR(128) NOT NULL DEFAULT '',
    country_code VARCHAR(2)   NOT NULL DEFAULT '',
    status       SMALLINT     NOT NULL DEFAULT 1,
    version      INTEGER       NOT NULL DEFAULT 1,
    created_at   DATETIME  NOT NULL,
    updated_at   DATETIME  NOT NULL
);
CREATE UNIQUE INDEX warehouses_label ON warehouses (label);

CREATE TABLE product_stock (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id   INTEGER         NOT NULL REFERENCES products (id),
    warehouse_id INTEGER         NOT NULL REFERENCES warehouses (id),
    quantity     NUMERIC(24, 8) NOT NULL DEFAULT 0,
    updated_at   DATETIME    NOT NULL
);
CREATE UNIQUE INDEX product_stock_key ON product_stock (product_id, warehouse_id);
CREATE INDEX product_stock_warehouse ON product_stock (warehouse_id);

CREATE TABLE stock_movements (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id     INTEGER         NOT NULL REFERENCES products (id),
    warehouse_id   INTEGER         NOT NULL REFERENCES warehouses (id),
    quantity       NUMERIC(24, 8) NOT NULL,
    unit_price     NUMERIC(24, 8) NOT NULL DEFAULT 0,
    kind           SMALLINT       NOT NULL,
    label          VARCHAR(255)   NOT NULL DEFAULT '',
    inventory_code VARCHAR(64)    NOT NULL DEFAULT '',
    origin_type    VARCHAR(32)    NOT NULL DEFAULT '',
    origin_id      INTEGER         NOT NULL DEFAULT 0,
    created_at     DATETIME    NOT NULL
);
CREATE INDEX stock_movements_product ON stock_movements (product_id, created_at);
CREATE INDEX stock_movements_warehouse ON stock_movements (warehouse_id, created_at);
CREATE INDEX stock_movements_created ON stock_movements (created_at);
CREATE INDEX stock_movements_inventory ON stock_movements (inventory_code);
