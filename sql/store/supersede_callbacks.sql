-- Marks the callbacks of older exports of the same survey (macro
-- same_survey_files, V14) that the newly loaded file $1 (source $2)
-- supersedes. $3 true (`replace`): those called (else planned) in the
-- months the new file covers; false (`append`): those of the new file's
-- respondents.
UPDATE callbacks SET superseded_by = $1
WHERE superseded_by IS NULL
  AND file_id IN (SELECT file_id FROM same_survey_files($1, $2))
  AND CASE WHEN $3
           THEN strftime(coalesce(called_at, CAST(planned_on AS TIMESTAMP)), '%Y-%m')
                IN (SELECT DISTINCT month FROM responses WHERE file_id = $1)
           ELSE callback_id IN (SELECT response_id FROM responses WHERE file_id = $1)
      END;
