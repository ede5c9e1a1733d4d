-- V2: item scores, the building block of every satisfaction figure.
--
-- Grain: one row per month and mapped question with answered values.
-- q_mean is the item score q_i of SPEC "Scores": the mean of the answered
-- values (no-answers are NULL and excluded, never zero); q_max is the
-- question's scale maximum. Values are summed as DECIMAL, which is exact, so
-- parallel execution gives bit-for-bit the same means every time.
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
GROUP BY r.month, a.question_key;
