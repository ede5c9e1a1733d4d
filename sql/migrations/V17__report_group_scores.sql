-- V17: report_group_scores: the group scores of the three months a report reads
-- (the report month, the month before, the same month a year earlier),
-- written by the report before its queries (sql/store/report_group_scores.sql)
-- so the group views run once per report, not once per query that reads them
-- (group_scores.sql and department_scores.sql).
CREATE TABLE report_group_scores AS SELECT * FROM group_scores LIMIT 0;
