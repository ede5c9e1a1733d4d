-- Action-plan items (行动计划追踪表) as known on $1: for each item the row
-- of the latest file loaded on or before $1 (the report asks for all files,
-- and for those loaded by the month's end as the history).
SELECT a.item_id,
       coalesce(a.description, '') AS description,
       a.department,
       coalesce(a.root_cause, '')  AS root_cause,
       coalesce(a.action, '')      AS action,
       coalesce(a.owner, '')       AS owner,
       a.due_on,
       coalesce(a.status, '')      AS status,
       coalesce(a.progress, '')    AS progress
FROM action_plans AS a
JOIN files AS f USING (file_id)
WHERE f.loaded_on <= CAST($1 AS DATE)
QUALIFY row_number() OVER (PARTITION BY a.item_id ORDER BY a.file_id DESC, a.row_number DESC) = 1
ORDER BY a.department, a.item_id;
