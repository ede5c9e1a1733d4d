-- V4: how long each respondent took, and which questionnaire a survey file is.
--
-- responses.duration_seconds: 问卷星 所用时间 (136秒), 腾讯问卷 答题时长 and the
-- like, in seconds; NULL when the file has no such column.
--
-- files.question_numbers: the sorted question numbers of a survey file's
-- question columns ("1,2,3,…"), empty when its questions are not numbered.
-- The 按选项文本 and 按选项序号 exports of one 问卷星 survey have different
-- headers (序号 splits multiple choice into 第N题(选项) columns) but the same
-- numbers; together with the same respondents (id and submission time) this
-- recognises a second export of the same survey in another format, so it is
-- handled by the re-export rule instead of being counted twice.
ALTER TABLE responses ADD COLUMN duration_seconds INTEGER;
ALTER TABLE files ADD COLUMN question_numbers VARCHAR;
