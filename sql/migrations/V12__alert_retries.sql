-- V12: retries of alert deliveries (issue 14, "network calls without
-- limits"). Each attempt records its number for that alert, fingerprint,
-- channel and target (1 for the first) and, when it failed and another try
-- is left, the earliest time of the next one (the wait doubles with each
-- failure, see `[alerts] retry_minutes`); NULL once delivered or given up.
ALTER TABLE alert_deliveries ADD COLUMN attempt INTEGER;
ALTER TABLE alert_deliveries ADD COLUMN next_attempt_at TIMESTAMP;
