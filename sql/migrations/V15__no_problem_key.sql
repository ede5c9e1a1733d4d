-- V15: the no-problem rule (SPEC "Root-cause ranking": a callback remark or a
-- free-text answer saying there is nothing to report is no problem) written
-- once. Until V14 the trim set lived twice, here and in Rust (the mirror
-- stored the texts already trimmed); now the mirror stores the configured
-- [pareto] no_problem_texts as written and both sides of the comparison go
-- through the one macro no_problem_key: trimmed of spaces, tabs, line ends,
-- the full-width space and end punctuation, then lowercased.
CREATE OR REPLACE MACRO no_problem_key(text) AS
    lower(trim(text, ' ' || chr(9) || chr(13) || chr(10) || '　。.!！,，;；~～'));

CREATE OR REPLACE MACRO no_problem(remark) AS
    coalesce(no_problem_key(remark), '') = ''
    OR no_problem_key(remark) IN (SELECT no_problem_key(text) FROM no_problem_texts);
