-- The catalog the migrations (sql/migrations) make, as DuckDB writes it
-- back: a new store is made from this in one step (src/store/migrate.rs).
-- Generated; do not edit: add a migration, then run
-- CSAT_WRITE_SCHEMA=1 cargo test --lib the_schema_is_what_the_migrations_make

CREATE SEQUENCE file_id_seq INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START 1 NO CYCLE;

CREATE SEQUENCE grading_run_seq INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START 1 NO CYCLE;

CREATE TABLE action_plans(file_id INTEGER NOT NULL, row_number INTEGER NOT NULL, item_id VARCHAR NOT NULL, description VARCHAR, department VARCHAR NOT NULL, root_cause VARCHAR, "action" VARCHAR, "owner" VARCHAR, due_on DATE, status VARCHAR NOT NULL, progress VARCHAR);

CREATE TABLE alert_deliveries(alert_key VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL, channel VARCHAR NOT NULL, "target" VARCHAR NOT NULL, sent_at TIMESTAMP NOT NULL, ok BOOLEAN NOT NULL, "error" VARCHAR, attempt INTEGER, next_attempt_at TIMESTAMP);

CREATE TABLE alerts(alert_key VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL, subject VARCHAR NOT NULL, body VARCHAR NOT NULL, first_sent_at TIMESTAMP NOT NULL, last_sent_at TIMESTAMP NOT NULL, n_sent INTEGER NOT NULL);

CREATE TABLE answers(file_id INTEGER NOT NULL, question_key VARCHAR, question_text VARCHAR NOT NULL, raw_text VARCHAR NOT NULL, "value" DOUBLE, response_row INTEGER);

CREATE TABLE callbacks(file_id INTEGER NOT NULL, row_number INTEGER NOT NULL, callback_id VARCHAR NOT NULL, callback_type VARCHAR NOT NULL, planned_on DATE, called_at TIMESTAMP, customer_id VARCHAR, dealer VARCHAR, reached BOOLEAN NOT NULL, remark VARCHAR, superseded_by INTEGER);

CREATE TABLE closed_statuses(status VARCHAR NOT NULL);

CREATE TABLE company_month_scores("month" VARCHAR PRIMARY KEY, inputs VARCHAR NOT NULL, score DOUBLE, n_answers BIGINT, n_responses BIGINT, pct_variance DOUBLE);

CREATE TABLE complaints(file_id INTEGER NOT NULL, row_number INTEGER NOT NULL, complaint_id VARCHAR NOT NULL, received_on DATE NOT NULL, customer_id VARCHAR, product VARCHAR, category VARCHAR, description VARCHAR, severity INTEGER NOT NULL, root_cause VARCHAR, department VARCHAR, status VARCHAR, closed_on DATE, responded_on DATE);

CREATE TABLE config_mirror(fingerprint VARCHAR NOT NULL);

CREATE TABLE customers(file_id INTEGER NOT NULL, row_number INTEGER NOT NULL, customer_id VARCHAR NOT NULL, "name" VARCHAR NOT NULL, customer_type VARCHAR, region VARCHAR, started_on DATE NOT NULL, phone VARCHAR, purchase_share DOUBLE, standing VARCHAR, grade VARCHAR);

CREATE TABLE deliveries("month" VARCHAR NOT NULL, kind VARCHAR NOT NULL, department VARCHAR, recipient VARCHAR NOT NULL, file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, sent_at TIMESTAMP NOT NULL, ok BOOLEAN NOT NULL, "error" VARCHAR, forced BOOLEAN NOT NULL);

CREATE TABLE department_targets(department VARCHAR NOT NULL, "month" VARCHAR NOT NULL, "target" DOUBLE NOT NULL);

CREATE TABLE departments(department VARCHAR PRIMARY KEY, "name" VARCHAR NOT NULL, "position" INTEGER NOT NULL);

CREATE TABLE dispatch(file_id INTEGER NOT NULL, row_number INTEGER NOT NULL, "month" VARCHAR NOT NULL, channel VARCHAR, sent BIGINT, served BIGINT);

CREATE TABLE excluded_statuses(status VARCHAR NOT NULL);

CREATE TABLE files(file_id INTEGER PRIMARY KEY, sha256 VARCHAR NOT NULL UNIQUE, file_name VARCHAR NOT NULL, "source" VARCHAR NOT NULL, kind VARCHAR NOT NULL, sheet VARCHAR NOT NULL, loaded_on DATE NOT NULL, n_rows INTEGER NOT NULL, n_loaded INTEGER NOT NULL, n_rejected INTEGER NOT NULL, layout VARCHAR, question_numbers VARCHAR, repeats_questions BOOLEAN);

CREATE TABLE grading_bands("key" VARCHAR NOT NULL, min_value DOUBLE NOT NULL, points DOUBLE NOT NULL);

CREATE TABLE grading_categories("key" VARCHAR NOT NULL, category VARCHAR NOT NULL, points DOUBLE NOT NULL);

CREATE TABLE grading_criteria("position" INTEGER NOT NULL, "key" VARCHAR NOT NULL, "name" VARCHAR NOT NULL, measure VARCHAR NOT NULL, weight DOUBLE NOT NULL);

CREATE TABLE grading_criterion_scores(run_id INTEGER NOT NULL, customer_id VARCHAR NOT NULL, criterion VARCHAR NOT NULL, "value" DOUBLE, text_value VARCHAR, points DOUBLE NOT NULL);

CREATE TABLE grading_results(run_id INTEGER NOT NULL, customer_id VARCHAR NOT NULL, "name" VARCHAR NOT NULL, customer_type VARCHAR, months_of_business INTEGER NOT NULL, score DOUBLE, rank INTEGER, grade VARCHAR NOT NULL, old_grade VARCHAR, payment_terms_grade VARCHAR NOT NULL, provisional BOOLEAN NOT NULL, at_risk BOOLEAN NOT NULL, reasons VARCHAR NOT NULL);

CREATE TABLE grading_runs(run_id INTEGER PRIMARY KEY, as_of DATE NOT NULL, rule_version VARCHAR NOT NULL, "method" VARCHAR NOT NULL, rules VARCHAR NOT NULL, n_customers INTEGER NOT NULL);

CREATE TABLE grading_thresholds("position" INTEGER NOT NULL, grade VARCHAR NOT NULL, min_monthly_orders DOUBLE NOT NULL, min_on_margin_share DOUBLE NOT NULL);

CREATE TABLE ingest_attempts(sha256 VARCHAR PRIMARY KEY, file_name VARCHAR NOT NULL, attempts INTEGER NOT NULL, crashed BOOLEAN NOT NULL);

CREATE TABLE job_runs(job VARCHAR NOT NULL, scheduled_for TIMESTAMP, started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP, outcome VARCHAR NOT NULL, message VARCHAR);

CREATE TABLE keyword_rules("position" INTEGER NOT NULL, keyword VARCHAR NOT NULL, category VARCHAR NOT NULL, department VARCHAR);

CREATE TABLE no_problem_texts("text" VARCHAR NOT NULL);

CREATE TABLE payments(file_id INTEGER NOT NULL, row_number INTEGER NOT NULL, invoice_id VARCHAR NOT NULL, customer_id VARCHAR NOT NULL, invoiced_on DATE, due_on DATE NOT NULL, paid_on DATE, amount DOUBLE NOT NULL);

CREATE TABLE problem_deadlines(happened_on DATE NOT NULL, severity INTEGER NOT NULL, due_on DATE NOT NULL);

CREATE TABLE problem_weights(severity INTEGER NOT NULL, weight DOUBLE NOT NULL);

CREATE TABLE proposals(file_id INTEGER NOT NULL, row_number INTEGER NOT NULL, proposal_id VARCHAR NOT NULL, received_on DATE NOT NULL, customer_id VARCHAR, category VARCHAR NOT NULL, "content" VARCHAR, department VARCHAR, responded_on DATE, adopted BOOLEAN, closed_on DATE, extended BOOLEAN);

CREATE TABLE question_map(question_key VARCHAR PRIMARY KEY, indicator VARCHAR NOT NULL, indicator_name VARCHAR NOT NULL, department VARCHAR NOT NULL, scale VARCHAR NOT NULL, scale_max DOUBLE NOT NULL, low_max DOUBLE NOT NULL, category VARCHAR NOT NULL);

CREATE TABLE rejected_rows(file_id INTEGER NOT NULL, file_name VARCHAR NOT NULL, sheet VARCHAR NOT NULL, row_number INTEGER NOT NULL, column_name VARCHAR NOT NULL, "value" VARCHAR NOT NULL, expected VARCHAR NOT NULL);

CREATE TABLE report_group_cells("month" VARCHAR, channel VARCHAR, dealer VARCHAR, region VARCHAR, department VARCHAR, indicator VARCHAR, question_key VARCHAR, scale_max DOUBLE, n BIGINT, s DECIMAL(38,4), ss DECIMAL(38,8));

CREATE TABLE report_group_respondents(dimension VARCHAR, group_key VARCHAR, "month" VARCHAR, n_responses BIGINT);

CREATE TABLE report_group_scores(dimension VARCHAR, group_key VARCHAR, "month" VARCHAR, score DOUBLE, n_answers BIGINT, n_responses BIGINT, pct_variance DOUBLE);

CREATE TABLE report_problems("month" VARCHAR, origin VARCHAR, item_id VARCHAR, happened_on DATE, category VARCHAR, categorised_by VARCHAR, rule_position INTEGER, department VARCHAR, severity INTEGER, excluded BOOLEAN, weight DOUBLE);

CREATE TABLE responses(file_id INTEGER NOT NULL, row_number INTEGER NOT NULL, response_id VARCHAR NOT NULL, "source" VARCHAR NOT NULL, channel VARCHAR NOT NULL, submitted_at TIMESTAMP NOT NULL, "month" VARCHAR NOT NULL, customer_id VARCHAR, dealer VARCHAR, superseded_by INTEGER, duration_seconds INTEGER);

CREATE TABLE sales(file_id INTEGER NOT NULL, row_number INTEGER NOT NULL, customer_id VARCHAR NOT NULL, "month" VARCHAR NOT NULL, amount DOUBLE NOT NULL, gross_margin DOUBLE, orders BIGINT);

CREATE MACRO complaint_category(root_cause, category) AS COALESCE("nullif"("trim"(root_cause), ''), "nullif"("trim"(category), ''));

CREATE MACRO excluded_complaint(complaint_status) AS (COALESCE("trim"(complaint_status), '') = ANY(SELECT status FROM excluded_statuses));

CREATE MACRO group_scores_of(cells, respondents) AS TABLE WITH grouped AS ((SELECT 'company' AS dimension, '' AS group_key, * FROM query_table(cells)) UNION ALL (SELECT 'indicator', indicator, * FROM query_table(cells))UNION ALL (SELECT 'department', department, * FROM query_table(cells))UNION ALL (SELECT 'channel', channel, * FROM query_table(cells))UNION ALL (SELECT 'dealer', dealer, * FROM query_table(cells) WHERE (dealer IS NOT NULL))UNION ALL (SELECT 'region', region, * FROM query_table(cells) WHERE (region IS NOT NULL))), item_scores AS (SELECT dimension, group_key, "month", question_key, (CAST(sum(s) AS DOUBLE) / sum(n)) AS q_mean, any_value(scale_max) AS q_max, CAST(sum(n) AS BIGINT) AS n_answers, ((CAST(sum(s) AS DOUBLE) * 100) / any_value(scale_max)) AS pct_sum, ((CAST(sum(ss) AS DOUBLE) * 10000) / (any_value(scale_max) * any_value(scale_max))) AS pct_square_sum FROM grouped GROUP BY dimension, group_key, "month", question_key), items AS (SELECT dimension, group_key, "month", satisfaction_m(sum(q_mean ORDER BY question_key), sum(q_max ORDER BY question_key)) AS score, CAST(sum(n_answers) AS BIGINT) AS n_answers, sum(pct_sum ORDER BY question_key) AS pct_sum, sum(pct_square_sum ORDER BY question_key) AS pct_square_sum FROM item_scores GROUP BY dimension, group_key, "month") SELECT i.dimension, i.group_key, i."month", i.score, i.n_answers, r.n_responses, CASE  WHEN ((i.n_answers > 1)) THEN (greatest(((i.pct_square_sum - ((i.pct_sum * i.pct_sum) / i.n_answers)) / (i.n_answers - 1)), 0)) ELSE NULL END AS pct_variance FROM (items AS i INNER JOIN query_table(respondents) AS r USING (dimension, group_key, "month"));

CREATE MACRO latest_grades(as_of) AS TABLE SELECT r.customer_id, arg_max(r.grade, ((epoch(g.as_of) * 1000000) + g.run_id)) AS grade, max(g.as_of) AS graded_on FROM (grading_results AS r INNER JOIN grading_runs AS g USING (run_id)) WHERE (g.as_of <= CAST(as_of AS DATE)) GROUP BY r.customer_id;

CREATE MACRO month_inputs(first_month, last_month) AS TABLE SELECT "month", ((COALESCE((SELECT max(fingerprint) FROM config_mirror), '') || ';') || string_agg(((CAST(file_id AS VARCHAR) || '=') || CAST(n AS VARCHAR)), ',' ORDER BY file_id)) AS inputs FROM (SELECT "month", file_id, count_star() AS n FROM responses WHERE ((superseded_by IS NULL) AND ("month" BETWEEN first_month AND last_month)) GROUP BY "month", file_id) GROUP BY "month";

CREATE MACRO no_problem_key(text) AS lower("trim"("text", ((((' ' || chr(9)) || chr(13)) || chr(10)) || '　。.!！,，;；~～')));

CREATE MACRO replaced_response(new_file, replaces_months, old_month, old_response_id, old_submitted_at) AS CASE  WHEN (replaces_months) THEN ((old_month = ANY(SELECT DISTINCT "month" FROM responses WHERE (file_id = new_file)))) ELSE EXISTS(SELECT 1 FROM responses AS n WHERE ((n.file_id = new_file) AND (n.response_id = old_response_id) AND (n.submitted_at = old_submitted_at))) END;

CREATE MACRO same_survey_files(new_file, new_source) AS TABLE WITH "new" AS (SELECT * FROM files WHERE (file_id = new_file)), candidates AS (SELECT f.file_id, COALESCE(((f."source" = new_source) AND (f.layout = "new".layout)), false) AS same_layout FROM files AS f , "new" WHERE ((f.file_id != new_file) AND (((f."source" = new_source) AND (f.layout = "new".layout)) OR ((f.kind = 'survey') AND ("new".kind = 'survey') AND ("new".question_numbers != '') AND (f.question_numbers = "new".question_numbers))))), shared AS (SELECT o.file_id, count_star() AS n FROM (responses AS o INNER JOIN responses AS n ON (((o.response_id = n.response_id) AND (o.submitted_at = n.submitted_at)))) WHERE ((n.file_id = new_file) AND (o.file_id = ANY(SELECT file_id FROM candidates WHERE (NOT same_layout)))) GROUP BY o.file_id) SELECT c.file_id FROM (candidates AS c LEFT JOIN shared AS s USING (file_id)) WHERE (c.same_layout OR ((2 * COALESCE(s.n, 0)) >= (SELECT count_star() FROM responses WHERE (file_id = new_file))));

CREATE MACRO satisfaction_m(sum_of_means, sum_of_maxima) AS ((sum_of_means / sum_of_maxima) * 100);

CREATE MACRO terms_grade(grade, late, late_limit) AS CASE  WHEN ((late >= late_limit)) THEN (CASE  WHEN ((grade = 'A')) THEN ('B') WHEN ((grade = 'B')) THEN ('C') ELSE 'D' END) ELSE grade END;

CREATE VIEW action_plans_current AS SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY item_id ORDER BY file_id DESC, row_number DESC) AS rn FROM action_plans) WHERE (rn = 1);

CREATE VIEW complaints_current AS SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY complaint_id ORDER BY file_id DESC, row_number DESC) AS rn FROM complaints) WHERE (rn = 1);

CREATE VIEW customer_regions AS SELECT customer_id, arg_max("name", ((CAST(file_id AS BIGINT) * 1000000000) + row_number)) AS "name", arg_max(region, ((CAST(file_id AS BIGINT) * 1000000000) + row_number)) AS region FROM customers GROUP BY customer_id;

CREATE VIEW customers_current AS SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY file_id DESC, row_number DESC) AS rn FROM customers) WHERE (rn = 1);

CREATE VIEW file_months AS (SELECT file_id, "month", (superseded_by IS NOT NULL) AS superseded FROM responses) UNION ALL (SELECT file_id, strftime(COALESCE(called_at, CAST(planned_on AS TIMESTAMP)), '%Y-%m'), (superseded_by IS NOT NULL) FROM callbacks)UNION ALL (SELECT file_id, strftime(received_on, '%Y-%m'), false FROM complaints)UNION ALL (SELECT file_id, strftime(received_on, '%Y-%m'), false FROM proposals)UNION ALL (SELECT file_id, "month", false FROM sales)UNION ALL (SELECT file_id, strftime(due_on, '%Y-%m'), false FROM payments)UNION ALL (SELECT file_id, strftime(paid_on, '%Y-%m'), false FROM payments WHERE (paid_on IS NOT NULL))UNION ALL (SELECT file_id, strftime(due_on, '%Y-%m'), false FROM action_plans)UNION ALL (SELECT file_id, "month", false FROM dispatch)UNION ALL (SELECT DISTINCT c.file_id, strftime(f.loaded_on, '%Y-%m'), false FROM (customers AS c INNER JOIN files AS f USING (file_id)));

CREATE VIEW payments_current AS SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY invoice_id ORDER BY file_id DESC, row_number DESC) AS rn FROM payments) WHERE (rn = 1);

CREATE VIEW proposals_current AS SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY proposal_id ORDER BY file_id DESC, row_number DESC) AS rn FROM proposals) WHERE (rn = 1);

CREATE VIEW sales_current AS SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY customer_id, "month" ORDER BY file_id DESC, row_number DESC) AS rn FROM sales) WHERE (rn = 1);

CREATE VIEW scored_answers AS SELECT r."month", r.file_id, r.response_id, r.row_number AS response_row, r.channel, r.dealer, COALESCE(cr.region, dr.region) AS region, a.question_key, q.department, q.indicator, q.scale_max, a."value" FROM ((((answers AS a INNER JOIN responses AS r ON (((r.file_id = a.file_id) AND (r.row_number = a.response_row)))) INNER JOIN question_map AS q ON ((q.question_key = a.question_key))) LEFT JOIN customer_regions AS cr ON ((cr.customer_id = r.customer_id))) LEFT JOIN (SELECT "name", min(region) AS region FROM customer_regions GROUP BY "name") AS dr ON ((dr."name" = r.dealer))) WHERE ((a."value" IS NOT NULL) AND (r.superseded_by IS NULL));

CREATE MACRO customer_measures(as_of, min_margin_rate) AS TABLE WITH window_sales AS (SELECT customer_id, sum(amount) AS amount, sum(gross_margin) AS margin, sum(orders) AS orders, sum(amount) FILTER (WHERE ((gross_margin * 100) >= (min_margin_rate * amount))) AS on_margin_amount FROM sales_current WHERE (("month" > strftime((CAST(as_of AS DATE) - to_months(CAST(trunc(CAST(12 AS DOUBLE)) AS INTEGER))), '%Y-%m')) AND ("month" <= strftime(CAST(as_of AS DATE), '%Y-%m'))) GROUP BY customer_id), invoices AS (SELECT customer_id, due_on, COALESCE((((paid_on <= CAST(as_of AS DATE)) AND (paid_on > due_on)) OR (((paid_on IS NULL) OR (paid_on > CAST(as_of AS DATE))) AND (due_on < CAST(as_of AS DATE)))), false) AS late FROM payments_current WHERE ((due_on > (CAST(as_of AS DATE) - to_months(CAST(trunc(CAST(12 AS DOUBLE)) AS INTEGER)))) AND (due_on <= CAST(as_of AS DATE)))), window_payments AS (SELECT customer_id, count_star() AS n_invoices, count_star() FILTER (WHERE late) AS n_late FROM invoices GROUP BY customer_id), late_quarters AS (SELECT customer_id, max(n) AS late_in_a_quarter FROM (SELECT customer_id, date_trunc('quarter', due_on) AS "quarter", count_star() AS n FROM invoices WHERE (late AND (date_trunc('quarter', due_on) >= (date_trunc('quarter', CAST(as_of AS DATE)) - to_months(CAST(trunc(CAST(3 AS DOUBLE)) AS INTEGER))))) GROUP BY ALL) GROUP BY customer_id) SELECT c.customer_id, c."name", c.customer_type, c.standing, c.purchase_share, c.grade AS master_grade, date_sub('month', c.started_on, CAST(as_of AS DATE)) AS months_of_business, (date_sub('month', c.started_on, CAST(as_of AS DATE)) / 12.0) AS "years", COALESCE(s.amount, 0) AS sales_amount, CASE  WHEN ((s.amount > 0)) THEN (((s.margin / s.amount) * 100)) ELSE NULL END AS margin_rate, COALESCE(s.orders, 0) AS orders, (COALESCE(s.amount, 0) / 12) AS monthly_orders, CASE  WHEN ((s.amount > 0)) THEN (((COALESCE(s.on_margin_amount, 0) / s.amount) * 100)) ELSE 0 END AS on_margin_share, CASE  WHEN ((p.n_invoices > 0)) THEN ((((p.n_invoices - p.n_late) * 100.0) / p.n_invoices)) ELSE NULL END AS payment_on_time, COALESCE(q.late_in_a_quarter, 0) AS late_in_a_quarter FROM (((customers_current AS c LEFT JOIN window_sales AS s USING (customer_id)) LEFT JOIN window_payments AS p USING (customer_id)) LEFT JOIN late_quarters AS q USING (customer_id)) WHERE (c.started_on <= CAST(as_of AS DATE));

CREATE MACRO group_cells_in(months) AS TABLE SELECT "month", channel, dealer, region, department, indicator, question_key, scale_max, count_star() AS n, sum(CAST("value" AS DECIMAL(18, 4))) AS s, sum((CAST("value" AS DECIMAL(18, 4)) * CAST("value" AS DECIMAL(18, 4)))) AS ss FROM scored_answers WHERE list_contains("months", "month") GROUP BY ALL;

CREATE MACRO no_problem(remark) AS ((COALESCE(no_problem_key(remark), '') = '') OR list_contains((SELECT COALESCE(list(no_problem_key("text")), list_value()) FROM no_problem_texts), no_problem_key(remark)));

CREATE MACRO report_problem_items(report_month, today) AS TABLE WITH items AS (SELECT * FROM report_problems WHERE (("month" = report_month) AND (NOT excluded))), "plans" AS (SELECT item_id, "nullif"("trim"("owner"), '') AS "owner", due_on, status, (lower("trim"(status)) = ANY(SELECT status FROM closed_statuses)) AS closed FROM action_plans_current), complaint_states AS (SELECT complaint_id, CASE  WHEN ((closed_on IS NOT NULL)) THEN ((closed_on <= CAST(today AS DATE))) ELSE (lower("trim"(COALESCE(status, ''))) = ANY(SELECT status FROM closed_statuses)) END AS closed FROM complaints_current) SELECT i.origin, i.item_id, i.happened_on, i.category, i.department, CASE  WHEN ((i.origin = 'complaint')) THEN (i.severity) ELSE NULL END AS severity, p."owner" AS plan_owner, COALESCE(p.due_on, d.due_on) AS due_on, COALESCE(p.closed, c.closed, false) AS closed, p.status AS plan_status FROM (((items AS i LEFT JOIN "plans" AS p ON ((p.item_id = i.item_id))) LEFT JOIN complaint_states AS c ON (((i.origin = 'complaint') AND (c.complaint_id = i.item_id)))) LEFT JOIN problem_deadlines AS d ON (((d.happened_on = i.happened_on) AND (d.severity = CASE  WHEN ((i.origin = 'complaint')) THEN (least(greatest(COALESCE(i.severity, 3), 1), 3)) ELSE 0 END))));

CREATE MACRO report_respondents_in(months, report_month) AS TABLE WITH positions AS (SELECT question_key, CAST((dense_rank() OVER (ORDER BY department) - 1) AS UHUGEINT) AS department_bit, CAST((dense_rank() OVER (ORDER BY indicator) - 1) AS UHUGEINT) AS indicator_bit, scale_max FROM question_map), departments_at AS (SELECT DISTINCT q.department, p.department_bit FROM (question_map AS q INNER JOIN positions AS p USING (question_key))), indicators_at AS (SELECT DISTINCT q.indicator, p.indicator_bit FROM (question_map AS q INNER JOIN positions AS p USING (question_key))), month_files AS (SELECT COALESCE(list(DISTINCT file_id), list_value()) AS files FROM responses WHERE (list_contains("months", "month") AND (superseded_by IS NULL))), answer_sets AS (SELECT a.file_id, a.response_row, bit_or((CAST(1 AS UHUGEINT) << p.department_bit)) AS departments, bit_or((CAST(1 AS UHUGEINT) << p.indicator_bit)) AS indicators, sum(a."value") AS value_sum, sum(p.scale_max) AS scale_sum FROM (answers AS a INNER JOIN positions AS p USING (question_key)) WHERE ((a."value" IS NOT NULL) AND list_contains((SELECT files FROM month_files), a.file_id)) GROUP BY a.file_id, a.response_row), respondents AS (SELECT r."month", r.channel, r.dealer, COALESCE(cr.region, dr.region) AS region, s.departments, s.indicators, s.value_sum, s.scale_sum FROM (((answer_sets AS s INNER JOIN responses AS r ON (((r.file_id = s.file_id) AND (r.row_number = s.response_row)))) LEFT JOIN customer_regions AS cr ON ((cr.customer_id = r.customer_id))) LEFT JOIN (SELECT "name", min(region) AS region FROM customer_regions GROUP BY "name") AS dr ON ((dr."name" = r.dealer))) WHERE (list_contains("months", r."month") AND (r.superseded_by IS NULL))), counted AS (SELECT "month", channel, dealer, region, departments, indicators, (GROUPING(departments) = 1) AS is_profile, count_star() AS n FROM respondents GROUP BY GROUPING SETS (("month", channel, dealer, region),("month", departments, indicators))), profiles AS (SELECT "month", channel, dealer, region, n FROM counted WHERE is_profile), "sets" AS (SELECT "month", departments, indicators, n FROM counted WHERE (NOT is_profile)) (SELECT 'company' AS dimension, '' AS group_key, "month", CAST(sum(n) AS BIGINT) AS n_responses FROM profiles GROUP BY "month") UNION ALL (SELECT 'channel', channel, "month", CAST(sum(n) AS BIGINT) FROM profiles GROUP BY channel, "month")UNION ALL (SELECT 'dealer', dealer, "month", CAST(sum(n) AS BIGINT) FROM profiles WHERE (dealer IS NOT NULL) GROUP BY dealer, "month")UNION ALL (SELECT 'region', region, "month", CAST(sum(n) AS BIGINT) FROM profiles WHERE (region IS NOT NULL) GROUP BY region, "month")UNION ALL (SELECT 'department', d.department, s."month", CAST(sum(s.n) AS BIGINT) FROM ("sets" AS s INNER JOIN departments_at AS d ON ((((s.departments >> d.department_bit) & CAST(1 AS UHUGEINT)) = 1))) GROUP BY d.department, s."month")UNION ALL (SELECT 'indicator', i.indicator, s."month", CAST(sum(s.n) AS BIGINT) FROM ("sets" AS s INNER JOIN indicators_at AS i ON ((((s.indicators >> i.indicator_bit) & CAST(1 AS UHUGEINT)) = 1))) GROUP BY i.indicator, s."month")UNION ALL (SELECT 'score_bin', CAST(CAST(least(floor((satisfaction_m(value_sum, scale_sum) / 10)), 9) AS INTEGER) AS VARCHAR), "month", count_star() FROM respondents WHERE ("month" = report_month) GROUP BY ALL);

CREATE VIEW group_cells AS SELECT * FROM group_cells_in((SELECT COALESCE(list(DISTINCT "month"), CAST(list_value() AS VARCHAR[])) FROM responses));

CREATE VIEW problems AS WITH raw AS ((SELECT strftime(c.received_on, '%Y-%m') AS "month", 'complaint' AS origin, c.complaint_id AS item_id, c.received_on AS happened_on, complaint_category(c.root_cause, c.category) AS record_category, NULL AS question_category, (SELECT min(k."position") FROM keyword_rules AS k WHERE contains(COALESCE(c.description, ''), k.keyword)) AS rule_position, c.department, c.severity, excluded_complaint(c.status) AS excluded FROM complaints_current AS c) UNION ALL (SELECT r."month", 'answer', ((r.response_id || ' / ') || a.question_key), CAST(r.submitted_at AS DATE), NULL, q.category, NULL, q.department, NULL, false FROM ((answers AS a INNER JOIN responses AS r ON (((r.file_id = a.file_id) AND (r.row_number = a.response_row)))) INNER JOIN question_map AS q ON ((q.question_key = a.question_key))) WHERE ((r.superseded_by IS NULL) AND (a."value" <= q.low_max)))UNION ALL (SELECT strftime(c.called_at, '%Y-%m'), 'callback', c.callback_id, CAST(c.called_at AS DATE), NULL, NULL, (SELECT min(k."position") FROM keyword_rules AS k WHERE contains(c.remark, k.keyword)), NULL, NULL, false FROM callbacks AS c WHERE (c.reached AND (c.superseded_by IS NULL) AND (NOT no_problem(c.remark))))) SELECT raw."month", raw.origin, raw.item_id, raw.happened_on, COALESCE(raw.record_category, raw.question_category, k.category, '未分类') AS category, CASE  WHEN ((raw.record_category IS NOT NULL)) THEN ('record') WHEN ((raw.question_category IS NOT NULL)) THEN ('question') WHEN ((k.category IS NOT NULL)) THEN ('keyword') ELSE 'none' END AS categorised_by, CASE  WHEN (((raw.record_category IS NULL) AND (raw.question_category IS NULL))) THEN (raw.rule_position) ELSE NULL END AS rule_position, COALESCE(raw.department, k.department) AS department, raw.severity, raw.excluded, COALESCE(w.weight, 1) AS weight FROM ((raw LEFT JOIN keyword_rules AS k ON ((k."position" = raw.rule_position))) LEFT JOIN problem_weights AS w ON ((w.severity = COALESCE(raw.severity, 0))));

CREATE MACRO criterion_points(as_of, min_margin_rate) AS TABLE WITH long AS (SELECT m.customer_id, c."position", c."key", c."name", c.measure, c.weight, CASE  WHEN ((c.measure = 'sales_amount')) THEN (m.sales_amount) WHEN ((c.measure = 'payment_on_time')) THEN (m.payment_on_time) WHEN ((c.measure = 'margin_rate')) THEN (m.margin_rate) WHEN ((c.measure = 'orders')) THEN (CAST(m.orders AS DOUBLE)) WHEN ((c.measure = 'purchase_share')) THEN (m.purchase_share) WHEN ((c.measure = 'years')) THEN (m."years") ELSE NULL END AS "value", CASE  WHEN ((c.measure = 'customer_type')) THEN (m.customer_type) WHEN ((c.measure = 'standing')) THEN (m.standing) ELSE NULL END AS text_value FROM (customer_measures(as_of, min_margin_rate) AS m CROSS JOIN grading_criteria AS c)) SELECT long.*, COALESCE(CASE  WHEN ((long.measure IN ('customer_type', 'standing'))) THEN ((SELECT max(g.points) FROM grading_categories AS g WHERE ((g."key" = long."key") AND (g.category = "trim"(long.text_value))))) ELSE (SELECT arg_max(b.points, b.min_value) FROM grading_bands AS b WHERE ((b."key" = long."key") AND (long."value" >= b.min_value))) END, 0) AS points FROM long;

CREATE MACRO group_respondents_in(months) AS TABLE SELECT * FROM report_respondents_in("months", CAST(NULL AS VARCHAR));

CREATE MACRO group_scores_over(respondents) AS TABLE SELECT * FROM group_scores_of('group_cells', respondents);

CREATE VIEW group_respondents AS SELECT * FROM group_respondents_in((SELECT list(DISTINCT "month") FROM responses));

CREATE VIEW group_scores AS SELECT * FROM group_scores_over('group_respondents');
