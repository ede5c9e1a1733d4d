-- V11: the crash-loop breaker and readiness for every kind of file.
--
-- ingest_attempts: one row per inbox file (by SHA-256) whose reading has
-- begun and not finished. A row left behind means the process stopped while
-- reading that file; `crashed` is set when it stopped by a fatal signal
-- (abort, segmentation fault) rather than being killed, and such a file is
-- quarantined at the next start instead of being read again.
--
-- file_months: as in V5, plus 问卷发放统计 rows (dispatch) by their month and
-- the customer master by the month it was loaded, so readiness
-- (sources_in_month.sql) knows the months of every kind of file.
CREATE TABLE ingest_attempts (
    sha256        VARCHAR PRIMARY KEY,
    file_name     VARCHAR NOT NULL,
    attempts      INTEGER NOT NULL,
    crashed       BOOLEAN NOT NULL
);

CREATE OR REPLACE VIEW file_months AS
SELECT file_id, month, superseded_by IS NOT NULL AS superseded FROM responses
UNION ALL
SELECT file_id, strftime(coalesce(called_at, CAST(planned_on AS TIMESTAMP)), '%Y-%m'),
       superseded_by IS NOT NULL
FROM callbacks
UNION ALL SELECT file_id, strftime(received_on, '%Y-%m'), false FROM complaints
UNION ALL SELECT file_id, strftime(received_on, '%Y-%m'), false FROM proposals
UNION ALL SELECT file_id, month, false FROM sales
UNION ALL SELECT file_id, strftime(due_on, '%Y-%m'), false FROM payments
UNION ALL SELECT file_id, strftime(paid_on, '%Y-%m'), false FROM payments WHERE paid_on IS NOT NULL
UNION ALL SELECT file_id, strftime(due_on, '%Y-%m'), false FROM action_plans
UNION ALL SELECT file_id, month, false FROM dispatch
UNION ALL
SELECT DISTINCT c.file_id, strftime(f.loaded_on, '%Y-%m'), false
FROM customers AS c JOIN files AS f USING (file_id);
