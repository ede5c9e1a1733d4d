-- What the newly loaded file $1 (source $2) supersedes, before it is marked:
-- per older export of the same survey (macro same_survey_files, V14) and
-- month, its responses still counting that the new file replaces.
-- $3 true (`reexport = "replace"`): all of them in the months the new file
-- covers; false (`append`): only those of the same respondents (id and
-- submission time), so new respondents add up and none counts twice.
SELECT f.file_name, r.month, count(*) AS n_responses
FROM responses AS r
JOIN files AS f ON f.file_id = r.file_id
WHERE r.file_id IN (SELECT file_id FROM same_survey_files($1, $2))
  AND r.superseded_by IS NULL
  AND CASE WHEN $3
           THEN r.month IN (SELECT DISTINCT month FROM responses WHERE file_id = $1)
           ELSE EXISTS (SELECT 1 FROM responses AS n
                        WHERE n.file_id = $1
                          AND n.response_id = r.response_id
                          AND n.submitted_at = r.submitted_at)
      END
GROUP BY f.file_name, r.month
ORDER BY r.month, f.file_name;
