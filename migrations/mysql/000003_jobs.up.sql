-- Background jobs (PDF, e-mail). A use case writes its job in the same
-- transaction as the business change; dolibarr-runner claims jobs with
-- FOR UPDATE SKIP LOCKED (MySQL 8, MariaDB 10.6+) and owns a running job
-- through its lease.
CREATE TABLE jobs (
    id               BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    kind             VARCHAR(64)  NOT NULL,
    payload          JSON         NOT NULL,
    state            VARCHAR(16)  NOT NULL DEFAULT 'available',
    attempt          INT          NOT NULL DEFAULT 0,
    max_attempts     INT          NOT NULL DEFAULT 5,
    run_at           DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    unique_key       VARCHAR(191) COLLATE utf8mb4_bin NULL,
    request_id       VARCHAR(128) NULL,
    lease_owner      VARCHAR(128) NULL,
    lease_expires_at DATETIME(6)  NULL,
    attempted_at     DATETIME(6)  NULL,
    finished_at      DATETIME(6)  NULL,
    last_error       TEXT         NULL,
    errors           JSON         NOT NULL,
    created_at       DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at       DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT jobs_state_check CHECK (state IN ('available', 'running', 'retryable', 'completed', 'failed', 'cancelled')),
    CONSTRAINT jobs_attempts_check CHECK (attempt >= 0 AND max_attempts >= 1),
    CONSTRAINT jobs_running_lease_check CHECK (state <> 'running' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL)),
    -- Idempotent enqueue: NULL keys never collide.
    UNIQUE KEY jobs_kind_unique_key (kind, unique_key),
    -- The claim, the promotion of due retryable jobs and the lease rescue
    -- read this index from its state prefix, in order, so InnoDB locks only
    -- the rows it returns and finished rows never enter the scan.
    KEY jobs_state_run_at_idx (state, run_at, id),
    -- Pruning finished jobs by age.
    KEY jobs_state_finished_idx (state, finished_at),
    -- The inspection list filtered by kind, newest first.
    KEY jobs_kind_idx (kind, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
