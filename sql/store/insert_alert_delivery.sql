-- Records one delivery attempt of an alert (V12: attempt number and when a
-- failed one may be tried again).
INSERT INTO alert_deliveries (alert_key, fingerprint, channel, target, sent_at,
                              ok, error, attempt, next_attempt_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);
