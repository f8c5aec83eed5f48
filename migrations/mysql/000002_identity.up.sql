-- Identity: users, roles, the permissions each role grants, and who holds
-- which role. Logins are stored lower-cased, so the unique index is
-- case-insensitive in effect on every engine.
CREATE TABLE users (
    id            BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    login         VARCHAR(64)  NOT NULL,
    name          VARCHAR(128) NOT NULL,
    email         VARCHAR(255) NOT NULL DEFAULT '',
    active        BOOLEAN      NOT NULL DEFAULT TRUE,
    password_hash VARCHAR(255) NOT NULL,
    created_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT users_login_key UNIQUE (login)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE roles (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name        VARCHAR(64)  NOT NULL,
    description VARCHAR(255) NOT NULL DEFAULT '',
    builtin     BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at  DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT roles_name_key UNIQUE (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE role_permissions (
    role_id    BIGINT      NOT NULL,
    permission VARCHAR(64) NOT NULL,
    PRIMARY KEY (role_id, permission),
    CONSTRAINT role_permissions_role_fk FOREIGN KEY (role_id) REFERENCES roles (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL,
    role_id BIGINT NOT NULL,
    PRIMARY KEY (user_id, role_id),
    KEY user_roles_role_id_idx (role_id),
    CONSTRAINT user_roles_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_roles_role_fk FOREIGN KEY (role_id) REFERENCES roles (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Built-in roles and their permissions, as internal/domain.BuiltinRoles defines
-- them at this version (the API bootstrap keeps them in step afterwards).
INSERT INTO roles (name, description, builtin) VALUES ('admin', 'Every permission, including user and role administration', TRUE);
INSERT INTO roles (name, description, builtin) VALUES ('sales', 'Third parties, contacts, proposals, orders and invoices; reads the catalogue and stock', TRUE);
INSERT INTO roles (name, description, builtin) VALUES ('warehouse', 'Products, warehouses and stock movements', TRUE);
INSERT INTO roles (name, description, builtin) VALUES ('accountant', 'Invoices: write, validate, record payments; reports', TRUE);
INSERT INTO roles (name, description, builtin) VALUES ('read-only', 'Reads everything, changes nothing', TRUE);
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
