-- Marks the responses that sql/store/superseded_responses.sql counted
-- (same parameters): $1 the newly loaded file, $2 its source, $3 whether
-- it replaces the months it covers.
UPDATE responses AS r SET superseded_by = $1
WHERE r.superseded_by IS NULL
  AND r.file_id IN (SELECT file_id FROM same_survey_files($1, $2))
  AND replaced_response($1, $3, r.month, r.response_id, r.submitted_at);
