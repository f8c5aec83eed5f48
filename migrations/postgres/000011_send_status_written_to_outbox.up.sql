-- A send whose message the all-in-one without SMTP wrote to its outbox
-- folder has its own status, written_to_outbox (17 characters), instead of
-- sent: the column grows from 16 to 32.
ALTER TABLE document_sends ALTER COLUMN status TYPE VARCHAR(32);
