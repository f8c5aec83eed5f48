-- One spelling, canceled, everywhere (decision 0037): jobs canceled before
-- this version were stored as 'cancelled'.
ALTER TABLE jobs DROP CONSTRAINT jobs_state_check;
UPDATE jobs SET state = 'canceled' WHERE state = 'cancelled';
ALTER TABLE jobs ADD CONSTRAINT jobs_state_check CHECK (state IN ('available', 'running', 'retryable', 'completed', 'failed', 'canceled'));
