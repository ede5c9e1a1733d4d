-- V22: the fingerprint of the configuration mirrors (question_map,
-- departments, keyword_rules, problem_weights, excluded_statuses,
-- no_problem_texts, closed_statuses, grading_*) as last written, and of what
-- the departments' targets are computed from. Store::sync_config rewrites
-- the mirrors (and checkpoints) only when the fingerprint changes: every
-- ingest and report mirrors the configuration, and rewriting it, about 150
-- statements and a checkpoint, took about 0.14 s of an ingest's CPU and
-- 0.3 s of a 2M-answer report. The fingerprint includes the schema version.
-- No row: never written (the first sync writes them).
CREATE TABLE config_mirror (
    fingerprint VARCHAR NOT NULL
);
