-- Marks the responses that sql/store/superseded_responses.sql counted
-- (same parameters): $1 the newly loaded file, $2 its source, $3 whether
-- it replaces the months it covers.
UPDATE responses AS r SET superseded_by = $1
WHERE r.superseded_by IS NULL
  AND r.file_id IN (SELECT file_id FROM same_survey_files($1, $2))
  AND CASE WHEN $3
           THEN r.month IN (SELECT DISTINCT month FROM responses WHERE file_id = $1)
           ELSE EXISTS (SELECT 1 FROM responses AS n
                        WHERE n.file_id = $1
                          AND n.response_id = r.response_id
                          AND n.submitted_at = r.submitted_at)
      END;
