-- V26: same_survey_files (V14) — the older files that count as exports of
-- the same survey as the newly loaded file new_file of source new_source:
-- the same source with the same header layout, or (surveys) the same
-- question numbers and at least half of the new file's respondents (same id
-- and submission time) — finds the candidate files first and counts shared
-- respondents only with the survey candidates not already matched by their
-- layout. V14 wrote the count as a subquery per file, which DuckDB turned
-- into a join of every stored response with the new file's whatever the
-- files: every file loaded paid it, even a call-centre log that no survey
-- can match (2M-answer month: 52–75 ms of its load for a count of 0; now
-- about 5 ms). The same files, NULL layouts included (a layout that is
-- unknown matches by respondents only, as before).
CREATE OR REPLACE MACRO same_survey_files(new_file, new_source) AS TABLE
WITH new AS (
    SELECT * FROM files WHERE file_id = new_file
),
candidates AS (
    SELECT f.file_id,
           coalesce(f.source = new_source AND f.layout = new.layout, false) AS same_layout
    FROM files AS f, new
    WHERE f.file_id <> new_file
      AND ((f.source = new_source AND f.layout = new.layout)
           OR (f.kind = 'survey' AND new.kind = 'survey' AND new.question_numbers <> ''
               AND f.question_numbers = new.question_numbers))
),
shared AS (
    SELECT o.file_id, count(*) AS n
    FROM responses AS o
    JOIN responses AS n ON o.response_id = n.response_id AND o.submitted_at = n.submitted_at
    WHERE n.file_id = new_file
      AND o.file_id IN (SELECT file_id FROM candidates WHERE NOT same_layout)
    GROUP BY o.file_id
)
SELECT c.file_id
FROM candidates AS c
LEFT JOIN shared AS s USING (file_id)
WHERE c.same_layout
   OR 2 * coalesce(s.n, 0) >= (SELECT count(*) FROM responses WHERE file_id = new_file);
