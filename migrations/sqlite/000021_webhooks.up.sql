-- Webhooks (issue 16). webhook_subscriptions are the receivers;
-- webhook_events is the outbox: one row per business event, written in the
-- transaction of the change. Publishing fans an event out to one
-- webhook_deliveries row per matching active subscription, with its
-- webhook.deliver job, in that same transaction. A delivery is held back
-- while an earlier delivery of the same object to the same subscription is
-- still pending, so each receiver sees an object's events in order.
CREATE TABLE webhook_subscriptions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    url           VARCHAR(2048) NOT NULL,
    description   VARCHAR(255)  NOT NULL DEFAULT '',
    event_types   TEXT NOT NULL DEFAULT '',
    secret        VARCHAR(128)  NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT 1,
    disabled_reason VARCHAR(255) NOT NULL DEFAULT '',
    failing_since DATETIME NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE TABLE webhook_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    uid         VARCHAR(64)  NOT NULL,
    type        VARCHAR(64)  NOT NULL,
    object_type VARCHAR(32)  NOT NULL,
    object_id   INTEGER NOT NULL,
    payload     TEXT NOT NULL,
    created_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX webhook_events_uid ON webhook_events (uid);
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id INTEGER NOT NULL,
    event_id        INTEGER NOT NULL,
    object_key      VARCHAR(64) NOT NULL,
    status          VARCHAR(16) NOT NULL,
    attempt         INT NOT NULL DEFAULT 0,
    response_code   INT NOT NULL DEFAULT 0,
    duration_ms     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    next_attempt_at DATETIME NULL,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    delivered_at    DATETIME NULL
);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (subscription_id, object_key, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
