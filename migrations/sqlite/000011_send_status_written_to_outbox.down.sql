-- The previous versions know no written_to_outbox: those sends read as sent
-- again, as they were reported before.
UPDATE document_sends SET status = 'sent' WHERE status = 'written_to_outbox';
