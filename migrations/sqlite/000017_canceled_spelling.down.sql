CREATE TABLE jobs_new (
    -- AUTOINCREMENT: ids of pruned jobs are never reused, so a job id in a
    -- log line always means one job.
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT     NOT NULL,
    payload          TEXT     NOT NULL DEFAULT '{}',
    state            TEXT     NOT NULL DEFAULT 'available',
    attempt          INTEGER  NOT NULL DEFAULT 0,
    max_attempts     INTEGER  NOT NULL DEFAULT 5,
    run_at           DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    unique_key       TEXT,
    request_id       TEXT,
    lease_owner      TEXT,
    lease_expires_at DATETIME,
    attempted_at     DATETIME,
    finished_at      DATETIME,
    last_error       TEXT,
    errors           TEXT     NOT NULL DEFAULT '[]',
    created_at       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT jobs_state_check CHECK (state IN ('available', 'running', 'retryable', 'completed', 'failed', 'cancelled')),
    CONSTRAINT jobs_attempts_check CHECK (attempt >= 0 AND max_attempts >= 1),
    CONSTRAINT jobs_running_lease_check CHECK (state <> 'running' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
);
INSERT INTO jobs_new (id, kind, payload, state, attempt, max_attempts, run_at, unique_key, request_id, lease_owner, lease_expires_at, attempted_at, finished_at, last_error, errors, created_at, updated_at)
SELECT id, kind, payload, CASE state WHEN 'canceled' THEN 'cancelled' ELSE state END, attempt, max_attempts, run_at, unique_key, request_id, lease_owner, lease_expires_at, attempted_at, finished_at, last_error, errors, created_at, updated_at FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_available_idx ON jobs (run_at, id) WHERE state = 'available';
CREATE INDEX jobs_running_idx ON jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX jobs_retryable_idx ON jobs (run_at) WHERE state = 'retryable';
CREATE INDEX jobs_finished_idx ON jobs (state, finished_at) WHERE finished_at IS NOT NULL;
CREATE UNIQUE INDEX jobs_kind_unique_key ON jobs (kind, unique_key) WHERE unique_key IS NOT NULL;
