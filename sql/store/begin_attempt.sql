-- Notes that the reading of a file (sha256 $1, name $2) begins: one more
-- attempt (the crash-loop breaker, V11).
INSERT INTO ingest_attempts VALUES (?, ?, 1, false)
ON CONFLICT (sha256) DO UPDATE SET attempts = ingest_attempts.attempts + 1;
