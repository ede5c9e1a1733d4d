-- Records a delivered alert: new, or its latest text and send time, with
-- n_sent counting the different versions (fingerprints) sent.
INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, 1)
ON CONFLICT (alert_key) DO UPDATE
SET fingerprint = excluded.fingerprint,
    subject = excluded.subject,
    body = excluded.body,
    last_sent_at = excluded.last_sent_at,
    n_sent = alerts.n_sent + CASE WHEN alerts.fingerprint = excluded.fingerprint THEN 0 ELSE 1 END;
