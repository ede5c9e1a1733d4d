-- V9: the closed loop (SPEC "Complaints, proposals, action plans and
-- escalation").
--
-- Lifecycle dates: a complaint's responded_on; a proposal's closed_on and
-- extended (processing time extended with approval, 15 working days).
-- alerts: every alert raised, by key (kind and item), with the fingerprint
-- of what it said: an alert is sent once and again only when what it says
-- changes. alert_deliveries: every attempt, per channel and recipient.
ALTER TABLE complaints ADD COLUMN responded_on DATE;
ALTER TABLE proposals ADD COLUMN closed_on DATE;
ALTER TABLE proposals ADD COLUMN extended BOOLEAN;

CREATE TABLE alerts (
    alert_key     VARCHAR PRIMARY KEY,
    kind          VARCHAR NOT NULL,
    fingerprint   VARCHAR NOT NULL,
    subject       VARCHAR NOT NULL,
    body          VARCHAR NOT NULL,
    first_sent_at TIMESTAMP NOT NULL,
    last_sent_at  TIMESTAMP NOT NULL,
    n_sent        INTEGER NOT NULL
);
CREATE TABLE alert_deliveries (
    alert_key   VARCHAR NOT NULL,
    fingerprint VARCHAR NOT NULL,
    channel     VARCHAR NOT NULL,
    target      VARCHAR NOT NULL,
    sent_at     TIMESTAMP NOT NULL,
    ok          BOOLEAN NOT NULL,
    error       VARCHAR
);
