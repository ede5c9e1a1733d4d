-- V20: the group scores (V16's view, same rules) as a table macro over the
-- respondents' table it is given, so a report computes respondents and
-- scores in two statements: V16's view joined the answer cells to the
-- respondents in one query, each side joining the month's answers to its
-- responses, and the two hash tables of responses held at once did not fit
-- the database's 192 MB at ten million answers (even on one thread, for the
-- company alone). The report first writes the respondents of its months into
-- report_group_respondents (sql/store/report_group_respondents.sql), then the
-- scores over that table. The view group_scores stays, over the respondents'
-- view, for whatever reads it whole.
CREATE TABLE report_group_respondents AS SELECT * FROM group_respondents LIMIT 0;

CREATE MACRO group_scores_over(respondents) AS TABLE
WITH items AS (
    SELECT dimension,
           group_key,
           month,
           satisfaction_m(sum(q_mean ORDER BY question_key), sum(q_max ORDER BY question_key)) AS score,
           CAST(sum(n_answers) AS BIGINT) AS n_answers,
           sum(pct_sum ORDER BY question_key) AS pct_sum,
           sum(pct_square_sum ORDER BY question_key) AS pct_square_sum
    FROM group_item_scores
    GROUP BY dimension, group_key, month
)
SELECT i.dimension,
       i.group_key,
       i.month,
       i.score,
       i.n_answers,
       r.n_responses,
       CASE WHEN i.n_answers > 1
            THEN greatest((i.pct_square_sum - i.pct_sum * i.pct_sum / i.n_answers) / (i.n_answers - 1), 0)
       END AS pct_variance
FROM items AS i
JOIN query_table(respondents) AS r USING (dimension, group_key, month);

CREATE OR REPLACE VIEW group_scores AS
SELECT * FROM group_scores_over('group_respondents');
