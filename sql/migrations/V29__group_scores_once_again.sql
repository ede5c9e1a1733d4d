-- V29: the group scores defined in one place again.
--
-- V27 left V16's view group_item_scores and V20's macro group_scores_over
-- beside group_cells_in and group_scores_of: the same rules (a question's
-- mean over its answers, a group's M over its questions, the variance of
-- its answers' percentages: SPEC "Scores") written twice. The view
-- group_cells holds the answer cells of every month (group_cells_in), and
-- group_scores_over — which the view group_scores reads — is now
-- group_scores_of over it; group_item_scores goes (nothing else read it).
-- Identical rows (checked on a 2M-answer month).
CREATE VIEW group_cells AS
SELECT * FROM group_cells_in((SELECT coalesce(list(DISTINCT month), CAST([] AS VARCHAR[])) FROM responses));

CREATE OR REPLACE MACRO group_scores_over(respondents) AS TABLE
SELECT * FROM group_scores_of('group_cells', respondents);

DROP VIEW group_item_scores;
