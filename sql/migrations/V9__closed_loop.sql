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

-- The problem list (问题清单) item by item, for month report_month as of
-- today: each problem of the month (view problems, V7; excluded complaints
-- left out) with its action plan's owner, due date and status when an
-- action plan names its id (latest loaded), else its due date from
-- problem_deadlines (filled by csat's working-day calendar for the month's
-- days: severity 1–3 a complaint's answer deadline, 0 any other problem's);
-- closed by the plan's status, else by the complaint's closing date (on or
-- before today) or, without a date, its closing status. Statuses that mean
-- closed are mirrored in closed_statuses (lowercase).
CREATE TABLE closed_statuses (status VARCHAR NOT NULL);
CREATE TABLE problem_deadlines (happened_on DATE NOT NULL, severity INTEGER NOT NULL, due_on DATE NOT NULL);

CREATE MACRO month_problem_items(report_month, today) AS TABLE
WITH items AS (
    SELECT * FROM problems WHERE month = report_month AND NOT excluded
),
plans AS (
    SELECT item_id,
           nullif(trim(owner), '') AS owner,
           due_on,
           status,
           lower(trim(status)) IN (SELECT status FROM closed_statuses) AS closed
    FROM action_plans_current
),
complaint_states AS (
    SELECT complaint_id,
           CASE WHEN closed_on IS NOT NULL THEN closed_on <= CAST(today AS DATE)
                ELSE lower(trim(coalesce(status, ''))) IN (SELECT status FROM closed_statuses) END AS closed
    FROM complaints_current
)
SELECT i.origin,
       i.item_id,
       i.happened_on,
       i.category,
       i.department,
       CASE WHEN i.origin = 'complaint' THEN i.severity END AS severity,
       p.owner                                   AS plan_owner,
       coalesce(p.due_on, d.due_on)              AS due_on,
       coalesce(p.closed, c.closed, false)       AS closed,
       p.status                                  AS plan_status
FROM items AS i
LEFT JOIN plans AS p ON p.item_id = i.item_id
LEFT JOIN complaint_states AS c ON i.origin = 'complaint' AND c.complaint_id = i.item_id
LEFT JOIN problem_deadlines AS d
       ON d.happened_on = i.happened_on
      AND d.severity = CASE WHEN i.origin = 'complaint'
                            THEN least(greatest(coalesce(i.severity, 3), 1), 3) ELSE 0 END;
