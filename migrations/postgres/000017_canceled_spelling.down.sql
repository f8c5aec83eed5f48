ALTER TABLE jobs DROP CONSTRAINT jobs_state_check;
UPDATE jobs SET state = 'cancelled' WHERE state = 'canceled';
ALTER TABLE jobs ADD CONSTRAINT jobs_state_check CHECK (state IN ('available', 'running', 'retryable', 'completed', 'failed', 'cancelled'));
