-- Identity: users, roles, the permissions each role grants, and who holds
-- which role. Logins are stored lower-cased, so the unique index is
-- case-insensitive in effect on every engine.
CREATE TABLE users (
    id            INTEGER  PRIMARY KEY AUTOINCREMENT,
    login         TEXT     NOT NULL,
    name          TEXT     NOT NULL,
    email         TEXT     NOT NULL DEFAULT '',
    active        INTEGER  NOT NULL DEFAULT 1,
    password_hash TEXT     NOT NULL,
    created_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT users_login_key UNIQUE (login)
);

CREATE TABLE roles (
    id          INTEGER  PRIMARY KEY AUTOINCREMENT,
    name        TEXT     NOT NULL,
    description TEXT     NOT NULL DEFAULT '',
    builtin     INTEGER  NOT NULL DEFAULT 0,
    created_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT roles_name_key UNIQUE (name)
);

CREATE TABLE role_permissions (
    role_id    INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    permission TEXT    NOT NULL,
    PRIMARY KEY (role_id, permission)
);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role_id)
);
CREATE INDEX user_roles_role_id_idx ON user_roles (role_id);

-- Built-in roles and their permissions, as internal/domain.BuiltinRoles defines
-- them at this version (the API bootstrap keeps them in step afterwards).
INSERT INTO roles (name, description, builtin) VALUES ('admin', 'Every permission, including user and role administration', 1);
INSERT INTO roles (name, description, builtin) VALUES ('sales', 'Third parties, contacts, proposals, orders and invoices; reads the catalogue and stock', 1);
INSERT INTO roles (name, description, builtin) VALUES ('warehouse', 'Products, warehouses and stock movements', 1);
INSERT INTO roles (name, description, builtin) VALUES ('accountant', 'Invoices: write, validate, record payments; reports', 1);
INSERT INTO roles (name, description, builtin) VALUES ('read-only', 'Reads everything, changes nothing', 1);
INSERT INTO role_permissions (role_id, permission)
SELECT r.id, p.perm FROM roles r, (
    SELECT 'thirdparty:read' AS perm
    UNION ALL SELECT 'thirdparty:write' AS perm
    UNION ALL SELECT 'contact:read' AS perm
    UNION ALL SELECT 'contact:write' AS perm
    UNION ALL SELECT 'product:read' AS perm
    UNION ALL SELECT 'product:write' AS perm
    UNION ALL SELECT 'warehouse:read' AS perm
    UNION ALL SELECT 'warehouse:write' AS perm
    UNION ALL SELECT 'stock:read' AS perm
    UNION ALL SELECT 'stock:move' AS perm
    UNION ALL SELECT 'proposal:read' AS perm
    UNION ALL SELECT 'proposal:write' AS perm
    UNION ALL SELECT 'order:read' AS perm
    UNION ALL SELECT 'order:write' AS perm
    UNION ALL SELECT 'invoice:read' AS perm
    UNION ALL SELECT 'invoice:write' AS perm
    UNION ALL SELECT 'invoice:validate' AS perm
    UNION ALL SELECT 'invoice:pay' AS perm
    UNION ALL SELECT 'report:read' AS perm
    UNION ALL SELECT 'jobs:read' AS perm
    UNION ALL SELECT 'jobs:admin' AS perm
    UNION ALL SELECT 'user:admin' AS perm
) p WHERE r.name = 'admin';
INSERT INTO role_permissions (role_id, permission)
SELECT r.id, p.perm FROM roles r, (
    SELECT 'thirdparty:read' AS perm
    UNION ALL SELECT 'thirdparty:write' AS perm
    UNION ALL SELECT 'contact:read' AS perm
    UNION ALL SELECT 'contact:write' AS perm
    UNION ALL SELECT 'product:read' AS perm
    UNION ALL SELECT 'stock:read' AS perm
    UNION ALL SELECT 'proposal:read' AS perm
    UNION ALL SELECT 'proposal:write' AS perm
    UNION ALL SELECT 'order:read' AS perm
    UNION ALL SELECT 'order:write' AS perm
    UNION ALL SELECT 'invoice:read' AS perm
    UNION ALL SELECT 'invoice:write' AS perm
    UNION ALL SELECT 'report:read' AS perm
) p WHERE r.name = 'sales';
INSERT INTO role_permissions (role_id, permission)
SELECT r.id, p.perm FROM roles r, (
    SELECT 'thirdparty:read' AS perm
    UNION ALL SELECT 'product:read' AS perm
    UNION ALL SELECT 'product:write' AS perm
    UNION ALL SELECT 'warehouse:read' AS perm
    UNION ALL SELECT 'warehouse:write' AS perm
    UNION ALL SELECT 'stock:read' AS perm
    UNION ALL SELECT 'stock:move' AS perm
    UNION ALL SELECT 'order:read' AS perm
) p WHERE r.name = 'warehouse';
INSERT INTO role_permissions (role_id, permission)
SELECT r.id, p.perm FROM roles r, (
    SELECT 'thirdparty:read' AS perm
    UNION ALL SELECT 'contact:read' AS perm
    UNION ALL SELECT 'product:read' AS perm
    UNION ALL SELECT 'proposal:read' AS perm
    UNION ALL SELECT 'order:read' AS perm
    UNION ALL SELECT 'invoice:read' AS perm
    UNION ALL SELECT 'invoice:write' AS perm
    UNION ALL SELECT 'invoice:validate' AS perm
    UNION ALL SELECT 'invoice:pay' AS perm
    UNION ALL SELECT 'report:read' AS perm
) p WHERE r.name = 'accountant';
INSERT INTO role_permissions (role_id, permission)
SELECT r.id, p.perm FROM roles r, (
    SELECT 'thirdparty:read' AS perm
    UNION ALL SELECT 'contact:read' AS perm
    UNION ALL SELECT 'product:read' AS perm
    UNION ALL SELECT 'warehouse:read' AS perm
    UNION ALL SELECT 'stock:read' AS perm
    UNION ALL SELECT 'proposal:read' AS perm
    UNION ALL SELECT 'order:read' AS perm
    UNION ALL SELECT 'invoice:read' AS perm
    UNION ALL SELECT 'report:read' AS perm
    UNION ALL SELECT 'jobs:read' AS perm
) p WHERE r.name = 'read-only';
