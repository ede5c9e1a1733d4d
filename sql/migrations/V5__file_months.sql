-- V5: which months each file has data for, for the report's data-quality
-- sheet: responses by submission month, callbacks by call (or planned) date,
-- complaints and proposals by received date, sales by month, invoices and
-- action-plan items by due date. `superseded` marks rows a later export
-- replaced.
CREATE VIEW file_months AS
SELECT file_id, month, superseded_by IS NOT NULL AS superseded FROM responses
UNION ALL
SELECT file_id, strftime(coalesce(called_at, CAST(planned_on AS TIMESTAMP)), '%Y-%m'),
       superseded_by IS NOT NULL
FROM callbacks
UNION ALL SELECT file_id, strftime(received_on, '%Y-%m'), false FROM complaints
UNION ALL SELECT file_id, strftime(received_on, '%Y-%m'), false FROM proposals
UNION ALL SELECT file_id, month, false FROM sales
UNION ALL SELECT file_id, strftime(due_on, '%Y-%m'), false FROM payments
UNION ALL SELECT file_id, strftime(due_on, '%Y-%m'), false FROM action_plans;
