-- V10: report deliveries (SPEC "The monthly report"): who got which
-- month's workbook (the whole or a department's slice), when, and the
-- SHA-256 of the file sent. A month is never sent twice to a recipient
-- unless re-sent on purpose.
CREATE TABLE deliveries (
    month      VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,
    department VARCHAR,
    recipient  VARCHAR NOT NULL,
    file_name  VARCHAR NOT NULL,
    sha256     VARCHAR NOT NULL,
    sent_at    TIMESTAMP NOT NULL,
    ok         BOOLEAN NOT NULL,
    error      VARCHAR,
    forced     BOOLEAN NOT NULL
);
