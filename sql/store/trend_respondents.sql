-- The company's respondents in the other months of a report's trend (see
-- report_company_trend.sql, same parameters), into report_group_respondents.
INSERT INTO report_group_respondents
SELECT * FROM group_respondents_in((
    SELECT list(DISTINCT month) FROM responses
    WHERE superseded_by IS NULL
      AND month BETWEEN $4 AND $1
      AND month NOT IN ($1, $2, $3)))
WHERE dimension = 'company';
