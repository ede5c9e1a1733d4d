-- The group scores of every dimension in the months a report compares,
-- from the answer cells and the respondents report_group_cells.sql and
-- report_group_respondents.sql wrote first (macro group_scores_of, V27:
-- each step its own statement, one hash table of responses at a time),
-- into report_group_scores (V17); the store empties it first.
INSERT INTO report_group_scores
SELECT * FROM group_scores_of('report_group_cells', 'report_group_respondents');
