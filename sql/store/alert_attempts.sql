-- What was tried so far to deliver alert $1 with fingerprint $2 to target
-- $4 through channel $3: one row (an aggregate) even when nothing was.
SELECT coalesce(bool_or(ok), false)          AS delivered,
       count(*) FILTER (WHERE NOT ok)         AS failures,
       max(sent_at) FILTER (WHERE NOT ok)     AS last_failure
FROM alert_deliveries
WHERE alert_key = $1 AND fingerprint = $2 AND channel = $3 AND target = $4;
