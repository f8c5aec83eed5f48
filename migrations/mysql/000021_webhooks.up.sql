-- Webhooks (issue 16). webhook_subscriptions are the receivers;
-- webhook_events is the outbox: one row per business event, written in the
-- transaction of the change. Publishing fans an event out to one
-- webhook_deliveries row per matching active subscription, with its
-- webhook.deliver job, in that same transaction. A delivery is held back
-- while an earlier delivery of the same object to the same subscription is
-- still pending, so each receiver sees an object's events in order.
CREATE TABLE webhook_subscriptions (
    id            BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    url           VARCHAR(2048) NOT NULL,
    description   VARCHAR(255)  NOT NULL DEFAULT '',
    event_types   TEXT NOT NULL,
    secret        VARCHAR(128)  NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason VARCHAR(255) NOT NULL DEFAULT '',
    failing_since DATETIME(6) NULL,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    DATETIME(6) NOT NULL,
    updated_at    DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE webhook_events (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    uid         VARCHAR(64)  NOT NULL,
    type        VARCHAR(64)  NOT NULL,
    object_type VARCHAR(32)  NOT NULL,
    object_id   BIGINT NOT NULL,
    payload     MEDIUMTEXT NOT NULL,
    created_at  DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX webhook_events_uid ON webhook_events (uid);
CREATE TABLE webhook_deliveries (
    id              BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    subscription_id BIGINT NOT NULL,
    event_id        BIGINT NOT NULL,
    object_key      VARCHAR(64) NOT NULL,
    status          VARCHAR(16) NOT NULL,
    attempt         INT NOT NULL DEFAULT 0,
    response_code   INT NOT NULL DEFAULT 0,
    duration_ms     BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL,
    next_attempt_at DATETIME(6) NULL,
    created_at      DATETIME(6) NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    delivered_at    DATETIME(6) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (subscription_id, object_key, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
