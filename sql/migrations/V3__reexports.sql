-- V3: re-exports of a period already loaded.
--
-- With `reexport = "replace"` (the default of a source), a later file of the
-- same source and the same question layout (files.layout: a hash of its
-- normalised header row) that covers a month already loaded supersedes the
-- older files' responses (and callbacks) for that month: superseded_by holds
-- the newer file's id. A file with another layout is another questionnaire
-- and is never replaced. Superseded rows stay stored, so nothing is lost and the history
-- of what was reported can be explained; every figure reads only rows whose
-- superseded_by is NULL.
DROP VIEW item_scores;
ALTER TABLE files ADD COLUMN layout VARCHAR;
ALTER TABLE responses ADD COLUMN superseded_by INTEGER;
ALTER TABLE callbacks ADD COLUMN superseded_by INTEGER;

CREATE VIEW item_scores AS
SELECT r.month,
       a.question_key,
       any_value(q.department) AS department,
       any_value(q.indicator)  AS indicator,
       CAST(sum(CAST(a.value AS DECIMAL(18, 4))) AS DOUBLE) / count(*) AS q_mean,
       any_value(q.scale_max)  AS q_max,
       count(*)                AS n_answers
FROM answers AS a
JOIN responses AS r ON r.file_id = a.file_id AND r.response_id = a.response_id
JOIN question_map AS q ON q.question_key = a.question_key
WHERE a.value IS NOT NULL
  AND r.superseded_by IS NULL
GROUP BY r.month, a.question_key;
