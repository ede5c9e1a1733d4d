-- What the newly loaded file $1 (source $2) supersedes, before it is marked:
-- per older export of the same survey (macro same_survey_files, V14) and
-- month, its responses still counting that the new file replaces.
-- $3 whether it replaces the months it covers (macro replaced_response,
-- V14).
SELECT f.file_name, r.month, count(*) AS n_responses
FROM responses AS r
JOIN files AS f ON f.file_id = r.file_id
WHERE r.file_id IN (SELECT file_id FROM same_survey_files($1, $2))
  AND r.superseded_by IS NULL
  AND replaced_response($1, $3, r.month, r.response_id, r.submitted_at)
GROUP BY f.file_name, r.month
ORDER BY r.month, f.file_name;
