-- V1: the initial schema.
--
-- Grain: one row per loaded file (files), per respondent or call (responses),
-- per answer (answers, long form), per record (the record-kind tables), per
-- refused cell (rejected_rows). Every data row carries the file_id it came
-- from, so a file's rows can be traced and, if ever needed, removed together.
-- Record kinds keyed by an id (complaints, customers, …) may be re-exported:
-- the *_current views keep the row from the most recently loaded file.

CREATE SEQUENCE file_id_seq START 1;

CREATE TABLE files (
    file_id     INTEGER PRIMARY KEY,
    sha256      VARCHAR NOT NULL UNIQUE,
    file_name   VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    sheet       VARCHAR NOT NULL,
    loaded_on   DATE NOT NULL,
    n_rows      INTEGER NOT NULL,
    n_loaded    INTEGER NOT NULL,
    n_rejected  INTEGER NOT NULL
);

CREATE TABLE responses (
    file_id      INTEGER NOT NULL,
    row_number   INTEGER NOT NULL,
    response_id  VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    channel      VARCHAR NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    month        VARCHAR NOT NULL,
    customer_id  VARCHAR,
    dealer       VARCHAR
);

CREATE TABLE answers (
    file_id       INTEGER NOT NULL,
    response_id   VARCHAR NOT NULL,
    question_key  VARCHAR,
    question_text VARCHAR NOT NULL,
    raw_text      VARCHAR NOT NULL,
    value         DOUBLE
);

CREATE TABLE callbacks (
    file_id       INTEGER NOT NULL,
    row_number    INTEGER NOT NULL,
    callback_id   VARCHAR NOT NULL,
    callback_type VARCHAR NOT NULL,
    planned_on    DATE,
    called_at     TIMESTAMP,
    customer_id   VARCHAR,
    dealer        VARCHAR,
    reached       BOOLEAN NOT NULL,
    remark        VARCHAR
);

CREATE TABLE complaints (
    file_id      INTEGER NOT NULL,
    row_number   INTEGER NOT NULL,
    complaint_id VARCHAR NOT NULL,
    received_on  DATE NOT NULL,
    customer_id  VARCHAR,
    product      VARCHAR,
    category     VARCHAR,
    description  VARCHAR,
    severity     INTEGER NOT NULL,
    root_cause   VARCHAR,
    department   VARCHAR,
    status       VARCHAR,
    closed_on    DATE
);

CREATE TABLE proposals (
    file_id      INTEGER NOT NULL,
    row_number   INTEGER NOT NULL,
    proposal_id  VARCHAR NOT NULL,
    received_on  DATE NOT NULL,
    customer_id  VARCHAR,
    category     VARCHAR NOT NULL,
    content      VARCHAR,
    department   VARCHAR,
    responded_on DATE,
    adopted      BOOLEAN
);

CREATE TABLE customers (
    file_id       INTEGER NOT NULL,
    row_number    INTEGER NOT NULL,
    customer_id   VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    customer_type VARCHAR,
    region        VARCHAR,
    started_on    DATE NOT NULL,
    phone         VARCHAR
);

CREATE TABLE sales (
    file_id      INTEGER NOT NULL,
    row_number   INTEGER NOT NULL,
    customer_id  VARCHAR NOT NULL,
    month        VARCHAR NOT NULL,
    amount       DOUBLE NOT NULL,
    gross_margin DOUBLE,
    orders       BIGINT
);

CREATE TABLE payments (
    file_id     INTEGER NOT NULL,
    row_number  INTEGER NOT NULL,
    invoice_id  VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    invoiced_on DATE,
    due_on      DATE NOT NULL,
    paid_on     DATE,
    amount      DOUBLE NOT NULL
);

CREATE TABLE action_plans (
    file_id     INTEGER NOT NULL,
    row_number  INTEGER NOT NULL,
    item_id     VARCHAR NOT NULL,
    description VARCHAR,
    department  VARCHAR NOT NULL,
    root_cause  VARCHAR,
    action      VARCHAR,
    owner       VARCHAR,
    due_on      DATE,
    status      VARCHAR NOT NULL,
    progress    VARCHAR
);

CREATE TABLE rejected_rows (
    file_id     INTEGER NOT NULL,
    file_name   VARCHAR NOT NULL,
    sheet       VARCHAR NOT NULL,
    row_number  INTEGER NOT NULL,
    column_name VARCHAR NOT NULL,
    value       VARCHAR NOT NULL,
    expected    VARCHAR NOT NULL
);

CREATE TABLE job_runs (
    job           VARCHAR NOT NULL,
    scheduled_for TIMESTAMP,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    outcome       VARCHAR NOT NULL,
    message       VARCHAR
);

-- Mirrors of the configuration, replaced before every analysis so SQL can
-- join on them. The configuration file stays the source of truth.
CREATE TABLE question_map (
    question_key   VARCHAR PRIMARY KEY,
    indicator      VARCHAR NOT NULL,
    indicator_name VARCHAR NOT NULL,
    department     VARCHAR NOT NULL,
    scale          VARCHAR NOT NULL,
    scale_max      DOUBLE NOT NULL,
    low_max        DOUBLE NOT NULL,
    category       VARCHAR NOT NULL
);

CREATE TABLE departments (
    department VARCHAR PRIMARY KEY,
    name       VARCHAR NOT NULL,
    position   INTEGER NOT NULL
);

CREATE TABLE department_targets (
    department VARCHAR NOT NULL,
    month      VARCHAR NOT NULL,
    target     DOUBLE NOT NULL
);

CREATE TABLE keyword_rules (
    position INTEGER NOT NULL,
    keyword  VARCHAR NOT NULL,
    category VARCHAR NOT NULL
);

-- Latest loaded file wins for records keyed by an id (the documented
-- "replace" rule for corrected re-exports).
CREATE VIEW complaints_current AS
SELECT * EXCLUDE (rn) FROM (
    SELECT *, row_number() OVER (PARTITION BY complaint_id ORDER BY file_id DESC, row_number DESC) AS rn
    FROM complaints) WHERE rn = 1;

CREATE VIEW proposals_current AS
SELECT * EXCLUDE (rn) FROM (
    SELECT *, row_number() OVER (PARTITION BY proposal_id ORDER BY file_id DESC, row_number DESC) AS rn
    FROM proposals) WHERE rn = 1;

CREATE VIEW customers_current AS
SELECT * EXCLUDE (rn) FROM (
    SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY file_id DESC, row_number DESC) AS rn
    FROM customers) WHERE rn = 1;

CREATE VIEW sales_current AS
SELECT * EXCLUDE (rn) FROM (
    SELECT *, row_number() OVER (PARTITION BY customer_id, month ORDER BY file_id DESC, row_number DESC) AS rn
    FROM sales) WHERE rn = 1;

CREATE VIEW payments_current AS
SELECT * EXCLUDE (rn) FROM (
    SELECT *, row_number() OVER (PARTITION BY invoice_id ORDER BY file_id DESC, row_number DESC) AS rn
    FROM payments) WHERE rn = 1;

CREATE VIEW action_plans_current AS
SELECT * EXCLUDE (rn) FROM (
    SELECT *, row_number() OVER (PARTITION BY item_id ORDER BY file_id DESC, row_number DESC) AS rn
    FROM action_plans) WHERE rn = 1;
