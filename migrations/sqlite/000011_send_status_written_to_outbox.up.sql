-- A send whose message the all-in-one without SMTP wrote to its outbox
-- folder has its own status, written_to_outbox (17 characters). SQLite does
-- not enforce VARCHAR lengths, so only PostgreSQL and MySQL widen the
-- column; this version exists so the three dialects stay in step.
SELECT 1;
