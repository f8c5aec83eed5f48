-- Background jobs (PDF, e-mail). A use case writes its job in the same
-- transaction as the business change; the runner claims jobs in one
-- UPDATE ... RETURNING, which SQLite's single writer makes exclusive.
CREATE TABLE jobs (
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
-- Each index covers only the rows its query reads (as on PostgreSQL), so
-- finished rows never enter the claim, rescue or promotion scans.
-- The claim: state = 'available' AND run_at <= now ORDER BY run_at, id.
CREATE INDEX jobs_available_idx ON jobs (run_at, id) WHERE state = 'available';
-- The rescue of expired leases.
CREATE INDEX jobs_running_idx ON jobs (lease_expires_at) WHERE state = 'running';
-- The promotion of retryable jobs whose backoff has passed.
CREATE INDEX jobs_retryable_idx ON jobs (run_at) WHERE state = 'retryable';
-- Pruning finished jobs by age.
CREATE INDEX jobs_finished_idx ON jobs (state, finished_at) WHERE finished_at IS NOT NULL;
-- Idempotent enqueue (ON CONFLICT (kind, unique_key) WHERE unique_key IS NOT NULL).
CREATE UNIQUE INDEX jobs_kind_unique_key ON jobs (kind, unique_key) WHERE unique_key IS NOT NULL;
