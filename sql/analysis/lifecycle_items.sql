-- Complaints and proposals with their lifecycle dates (SPEC "Complaints,
-- proposals, action plans and escalation"), received on or before $1.
-- Grain: one row per complaint or proposal (latest loaded row per id).
-- Deadlines in working days are computed from these by csat's calendar.
-- Dates as DATE values.
SELECT 'complaint'                          AS kind,
       complaint_id                         AS item_id,
       received_on,
       responded_on,
       closed_on,
       severity,
       coalesce(complaint_category(root_cause, category), '') AS category,
       department,
       coalesce(status, '')                 AS status,
       CAST(NULL AS BOOLEAN)                AS adopted,
       false                                AS extended,
       customer_id,
       coalesce(description, '')            AS description
FROM complaints_current
WHERE received_on <= CAST($1 AS DATE)
  AND NOT excluded_complaint(status)
UNION ALL
SELECT 'proposal',
       proposal_id,
       received_on,
       responded_on,
       closed_on,
       NULL,
       category,
       department,
       '',
       adopted,
       coalesce(extended, false),
       customer_id,
       coalesce(content, '')
FROM proposals_current
WHERE received_on <= CAST($1 AS DATE)
ORDER BY kind, received_on, item_id;
