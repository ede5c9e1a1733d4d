//! Customer grading, payment terms and the year-end regrade.

use crate::util::*;

/// Monthly sales rows as the sales export (30 % gross margin, 10 orders).
fn sales_csv(rows: &[(&str, &str, i64)]) -> Vec<u8> {
    let mut csv = String::from("客户编号,月份,销售额（元）,毛利（元）,订单数\n");
    for (id, month, amount) in rows {
        csv.push_str(&format!("{id},{month},{amount},{},10\n", amount * 3 / 10));
    }
    csv.into_bytes()
}

/// The grading fixture of `grading_matches_hand_worked_values`: customer
/// master, 2025–2026 sales, invoices, one open complaint.
fn drop_grading_fixture(data_dir: &DataDir) {
    let customers = [
        ("K1", "普通商", "2015-01-01", "B"),
        ("K2", "普通商", "2016-01-01", "A"),
        ("K3", "普通商", "2016-01-01", "A"),
        ("K4", "加盟商", "2018-01-01", "B"),
        ("K5", "加盟商", "2018-01-01", "B"),
        ("K6", "普通商", "2026-09-01", ""),
        ("K7", "加盟商", "2019-01-01", "C"),
        ("K8", "加盟商", "2019-01-01", "C"),
        ("K9", "普通商", "2019-01-01", "C"),
        ("K10", "加盟商", "2019-01-01", "C"),
        ("K11", "加盟商", "2019-01-01", "B"),
    ];
    let mut master = String::from("客户编号,客户名称,客户类型,所在区域,合作开始日期,客户等级\n");
    for (id, kind, started, grade) in customers {
        master.push_str(&format!("{id},客户{id},{kind},深圳,{started},{grade}\n"));
    }
    let sales_rows = [
        ("K1", "2026-06", 1_200_000),
        ("K2", "2026-06", 800_000),
        ("K3", "2026-06", 800_000),
        ("K4", "2026-06", 600_000),
        ("K5", "2026-06", 400_000),
        ("K5", "2025-06", 2_000_000),
        ("K6", "2026-10", 100_000),
        ("K7", "2026-06", 300_000),
        ("K8", "2026-06", 1_500_000),
        ("K9", "2026-06", 200_000),
        ("K11", "2026-06", 550_000),
    ];
    let mut invoices = String::from("发票号,客户编号,开票日期,到期日,付款日期,金额（元）\n");
    let mut invoice = |id: &str, due: &str, paid: &str| {
        let n = invoices.lines().count();
        invoices.push_str(&format!("F{n},{id},,{due},{paid},1000\n"));
    };
    invoice("K1", "2026-03-31", "2026-03-30");
    invoice("K1", "2026-06-30", "2026-06-30");
    for id in ["K2", "K3", "K4", "K5", "K9", "K11"] {
        invoice(id, "2026-06-30", "2026-06-25");
    }
    invoice("K7", "2026-03-31", "2026-03-31");
    invoice("K7", "2026-06-30", "2026-07-20");
    invoice("K7", "2026-09-30", "2026-09-29");
    invoice("K7", "2026-12-15", "2026-12-10");
    invoice("K8", "2026-03-31", "2026-03-31");
    invoice("K8", "2026-06-30", "2026-06-28");
    invoice("K8", "2026-10-31", "2026-11-20");
    invoice("K8", "2026-11-30", "");
    let complaints = "投诉编号,受理日期,严重等级,客户编号,原因类别\nT1,2026-12-01,3,K9,安装服务\n";
    drop_into_inbox(
        data_dir,
        &[
            ("客户档案.csv".into(), master.into_bytes()),
            ("销售_2026.csv".into(), sales_csv(&sales_rows)),
            ("回款.csv".into(), invoices.into_bytes()),
            ("投诉.csv".into(), complaints.as_bytes().to_vec()),
        ],
    );
}

/// A data dir with the grading fixture loaded, and the test's rules.
fn grading_fixture() -> (tempfile::TempDir, DataDir, Config, csat::store::Store) {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let mut config = Config::load(None).unwrap();
    grading_rules(&mut config);
    drop_grading_fixture(&data_dir);
    let mut store = pipeline::open_store(&data_dir).unwrap();
    let summary = pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    assert!(!summary.is_partial(), "{:?}", summary.files);
    (temp, data_dir, config, store)
}

fn grading_rules(config: &mut Config) {
    use csat::config::GradingCriterion;
    let criterion =
        |key: &str, measure: &str, weight: f64, bands: Vec<[f64; 2]>| GradingCriterion {
            key: key.into(),
            name: key.into(),
            measure: measure.into(),
            weight,
            bands,
            categories: Default::default(),
        };
    let mut model = criterion("model", "customer_type", 20.0, Vec::new());
    model.categories = [("普通商".to_string(), 100.0), ("加盟商".to_string(), 50.0)]
        .into_iter()
        .collect();
    config.grading.version = "test-1".into();
    config.grading.criteria = vec![
        criterion(
            "sales",
            "sales_amount",
            50.0,
            vec![[1_000_000.0, 100.0], [500_000.0, 60.0], [0.0, 20.0]],
        ),
        criterion(
            "payment",
            "payment_on_time",
            30.0,
            vec![[100.0, 100.0], [75.0, 50.0], [0.0, 0.0]],
        ),
        model,
    ];
}

/// Customer grading worked by hand (SPEC "Customer grading"), as of
/// 2026-12-28, criteria: sales (12 months) 50 % (≥1M 100, ≥500k 60, else
/// 20), payment on time 30 % (100 % → 100, ≥75 % → 50, else 0), type 20 %
/// (普通商 100, 加盟商 50). score = 0.5·sales + 0.3·payment + 0.2·type:
///   K1 100 · K2 80 · K3 80 · K4 70 · K11 70 · K8 60 (two late payments in
///   Q4: 0 payment points) · K9 60 · K5 50 (its 2M sale of 2025-06 is outside
///   the window) · K7 35 (one of four late: 50 points) · K10 20 (no sales,
///   no invoices) · K6 started 2026-09: provisional C.
/// Ten established customers: A when fewer than 2 score higher (K1, and the
/// tie K2 = K3), B under 5 (K4, K11), C under 9 (K8, K9, K5, K7), D K10.
/// K8's payment terms drop to D's. K9 has an open complaint: at risk.
/// Old grades from the master: K1 B→A up; K5 B→C and K10 C→D down.
#[test]
fn grading_matches_hand_worked_values() {
    let (_temp, data_dir, config, mut store) = grading_fixture();
    let as_of = NaiveDate::from_ymd_opt(2026, 12, 28).unwrap();
    let outcome = pipeline::regrade(&config, &data_dir, &mut store, as_of).unwrap();
    let grading = &outcome.grading;
    let got: Vec<(&str, Option<f64>, &str, Option<&str>, &str)> = grading
        .customers
        .iter()
        .map(|c| {
            (
                c.customer_id.as_str(),
                c.score,
                c.grade.as_str(),
                c.old_grade.as_deref(),
                c.payment_terms_grade.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            // Upgrades, downgrades, at risk, then by score.
            ("K1", Some(100.0), "A", Some("B"), "A"),
            ("K5", Some(50.0), "C", Some("B"), "C"),
            ("K10", Some(20.0), "D", Some("C"), "D"),
            ("K9", Some(60.0), "C", Some("C"), "C"),
            ("K2", Some(80.0), "A", Some("A"), "A"),
            ("K3", Some(80.0), "A", Some("A"), "A"),
            ("K11", Some(70.0), "B", Some("B"), "B"),
            ("K4", Some(70.0), "B", Some("B"), "B"),
            ("K8", Some(60.0), "C", Some("C"), "D"),
            ("K7", Some(35.0), "C", Some("C"), "C"),
            ("K6", Some(30.0), "C", None, "C"),
        ]
    );
    let by_id: BTreeMap<&str, &csat::analysis::grading::GradedCustomer> = grading
        .customers
        .iter()
        .map(|c| (c.customer_id.as_str(), c))
        .collect();
    assert!(by_id["K6"].provisional && by_id["K6"].rank.is_none());
    assert!(by_id["K9"].at_risk && !by_id["K2"].at_risk);
    assert!(by_id["K8"]
        .reasons
        .iter()
        .any(|r| r.starts_with("LATE_PAYMENTS")));
    assert_eq!(
        by_id["K8"].payment_terms.as_deref(),
        Some("预付款"),
        "D's terms"
    );
    assert_eq!(by_id["K2"].rank, by_id["K3"].rank, "ties share a rank");
    let k7: Vec<f64> = by_id["K7"].criteria.iter().map(|c| c.points).collect();
    assert_eq!(k7, vec![20.0, 50.0, 50.0]);

    // The alternative rule set: monthly orders and on-margin share (every
    // month here has a 30 % margin, above the 25 % minimum): K1 1.2M / 12 =
    // 100k → A; K2 66.7k → B; K5 33.3k → C (fallback); K10 no sales → C.
    let mut thresholds = config.clone();
    thresholds.grading.method = csat::config::GradingMethod::Thresholds;
    thresholds.grading.thresholds = vec![
        csat::config::GradeThreshold {
            grade: "A".into(),
            min_monthly_orders: 80_000.0,
            min_on_margin_share: 80.0,
        },
        csat::config::GradeThreshold {
            grade: "B".into(),
            min_monthly_orders: 40_000.0,
            min_on_margin_share: 70.0,
        },
    ];
    let alternative = csat::analysis::grading::grade(&mut store, &thresholds, as_of).unwrap();
    let grade_of = |g: &csat::analysis::grading::Grading, id: &str| {
        g.customers
            .iter()
            .find(|c| c.customer_id == id)
            .unwrap()
            .grade
            .clone()
    };
    for (id, grade) in [
        ("K1", "A"),
        ("K2", "B"),
        ("K5", "C"),
        ("K10", "C"),
        ("K6", "C"),
    ] {
        assert_eq!(grade_of(&alternative, id), grade, "{id}");
    }

    // January: K7 sells 800k more → 1.1M in the window: 100 sales points,
    // score 50 + 15 + 10 = 75, rank 4 → B, an upgrade explained by the
    // criterion that moved.
    drop_into_inbox(
        &data_dir,
        &[(
            "销售_2027-01.csv".into(),
            sales_csv(&[("K7", "2027-01", 800_000)]),
        )],
    );
    pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    let january = pipeline::regrade(
        &config,
        &data_dir,
        &mut store,
        NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
    )
    .unwrap();
    let k7 = january
        .grading
        .customers
        .iter()
        .find(|c| c.customer_id == "K7")
        .unwrap();
    assert_eq!(
        (k7.score, k7.grade.as_str(), k7.old_grade.as_deref()),
        (Some(75.0), "B", Some("C"))
    );
    assert!(
        k7.reasons.iter().any(|r| r.contains("sales 20→100")),
        "{:?}",
        k7.reasons
    );

    // History: December's run is stored with its rule version and results,
    // and grading December again (after January's data) gives the same.
    let again = csat::analysis::grading::grade(&mut store, &config, as_of).unwrap();
    assert_eq!(&again, grading);
    let stored = store
        .query(
            "history",
            "SELECT g.rule_version, r.customer_id, r.grade, r.payment_terms_grade \
             FROM grading_results AS r JOIN grading_runs AS g USING (run_id) \
             WHERE g.run_id = $1 ORDER BY r.customer_id",
            &[csat::store::Param::Int(outcome.run_id)],
        )
        .unwrap();
    let mut expected: Vec<(String, String, String)> = grading
        .customers
        .iter()
        .map(|c| {
            (
                c.customer_id.clone(),
                c.grade.clone(),
                c.payment_terms_grade.clone(),
            )
        })
        .collect();
    expected.sort();
    let stored: Vec<(String, String, String)> = stored
        .iter()
        .map(|r| {
            assert_eq!(r[0].as_text().unwrap(), "test-1");
            (
                r[1].as_text().unwrap(),
                r[2].as_text().unwrap(),
                r[3].as_text().unwrap(),
            )
        })
        .collect();
    assert_eq!(stored, expected);
    assert!(outcome
        .path
        .ends_with("grading/csat-grading-2026-12-28.xlsx"));
    let sheet = read_sheet(&outcome.path, "客户分级");
    assert_eq!(text(&sheet, 1, 0), "K1");
}

/// Late payments lower the payment terms at once, at the next monthly
/// report, not at the year-end regrading. Graded as of 2026-09-30 (K8: sales
/// 100, both invoices on time 100, 加盟商 50 → 90, rank 2 of 10 → A), K8
/// then pays October's invoice late and leaves November's unpaid: December's
/// report shows K8 still graded A with B's payment terms; K1 (no late
/// payment) keeps A's.
#[test]
fn late_payments_lower_payment_terms_in_the_next_monthly_report() {
    let (_temp, data_dir, config, mut store) = grading_fixture();
    let september = NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
    let graded = pipeline::regrade(&config, &data_dir, &mut store, september).unwrap();
    let k8 = graded
        .grading
        .customers
        .iter()
        .find(|c| c.customer_id == "K8")
        .unwrap();
    assert_eq!((k8.score, k8.grade.as_str()), (Some(90.0), "A"));

    let terms = |store: &mut csat::store::Store, month: &str| {
        pipeline::report(&config, &data_dir, store, month.parse().unwrap())
            .unwrap()
            .results
            .customer_terms
            .iter()
            .map(|t| {
                (
                    t.customer_id.clone(),
                    (t.grade.clone(), t.terms_grade.clone(), t.late_in_a_quarter),
                )
            })
            .collect::<BTreeMap<_, _>>()
    };
    // End of November: October's invoice late, November's not yet due → 1.
    let november = terms(&mut store, "2026-11");
    assert_eq!(november["K8"], ("A".to_string(), "A".to_string(), 1));
    // End of December: two late in Q4 → B's terms, while the grade stays A.
    let december = terms(&mut store, "2026-12");
    assert_eq!(december["K8"], ("A".to_string(), "B".to_string(), 2));
    assert_eq!(december["K1"], ("A".to_string(), "A".to_string(), 0));
    let outcome =
        pipeline::report(&config, &data_dir, &mut store, "2026-12".parse().unwrap()).unwrap();
    let sheet = read_sheet(&outcome.path, "客户分级");
    assert_eq!(text(&sheet, 1, 0), "K8", "lowered terms come first");
    assert_eq!(text(&sheet, 1, 5), "B");
}

/// The year-end job runs on 25–30 December so downtime cannot skip it, but
/// grades once: the run on the 26th finds the 25th's grading and stops.
#[test]
fn the_year_end_regrade_job_grades_once_in_its_window() {
    let (_temp, data_dir, config, store) = grading_fixture();
    drop(store);
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
    let first = pipeline::run_job(
        "regrade".parse().unwrap(),
        &config,
        &data_dir,
        day(25),
        settled(),
    );
    assert_eq!(first.outcome, "ok", "{}", first.message);
    assert!(
        first.message.starts_with("graded 11 customers"),
        "{}",
        first.message
    );
    let second = pipeline::run_job(
        "regrade".parse().unwrap(),
        &config,
        &data_dir,
        day(26),
        settled(),
    );
    assert_eq!(
        second.message,
        "customers already graded this month (as of 2026-12-25)"
    );
    let store = pipeline::open_store(&data_dir).unwrap();
    let runs = store
        .query("runs", "SELECT count(*) FROM grading_runs", &[])
        .unwrap();
    assert_eq!(runs[0][0].as_i64(), Some(1));
}

/// Months of business are whole months: a customer who started on 06-30
/// has 5 on 12-01 (not the 6 month boundaries crossed) and is provisional.
#[test]
fn months_of_business_are_whole_months() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(temp.path());
    let config = Config::load(None).unwrap();
    drop_into_inbox(
        &data_dir,
        &[(
            "客户档案.csv".into(),
            "客户编号,客户名称,客户类型,合作开始日期\nN1,新客户,普通商,2026-06-30\nN2,老客户,普通商,2026-06-01\n"
                .as_bytes()
                .to_vec(),
        )],
    );
    let mut store = pipeline::open_store(&data_dir).unwrap();
    pipeline::ingest(&config, &data_dir, &mut store, run_date(), settled()).unwrap();
    let rows = store
        .query(
            "months",
            "SELECT customer_id, months_of_business FROM customer_measures(DATE '2026-12-01', 25.0) ORDER BY 1",
            &[],
        )
        .unwrap();
    let months: Vec<(String, i64)> = rows
        .iter()
        .map(|r| (r[0].as_text().unwrap(), r[1].as_i64().unwrap()))
        .collect();
    assert_eq!(months, vec![("N1".to_string(), 5), ("N2".to_string(), 6)]);
    let grading = csat::analysis::grading::grade(
        &mut store,
        &config,
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
    )
    .unwrap();
    let n1 = grading
        .customers
        .iter()
        .find(|c| c.customer_id == "N1")
        .unwrap();
    assert!(n1.provisional);
}
