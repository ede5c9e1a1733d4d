//! Unit tests of suggestions.

use super::*;
use rand::{Rng, SeedableRng};

#[test]
fn a_two_row_merged_header_is_found_below_a_title() {
    let config = Config::load(None).unwrap();
    let mut csv = String::from("回访统计表（2026年10月）,,,,,\n客户编号,回访日期,满意度评价,,,备注\n,,产品质量,安装服务,销售服务,\n");
    for i in 0..6 {
        csv.push_str(&format!(
            "K{i},2026-10-0{},{},{},{},\n",
            i + 1,
            1 + i % 5,
            5 - i % 5,
            3
        ));
    }
    let suggestion = suggest(&config, "回访_2026-10.csv", csv.as_bytes(), None).unwrap();
    let toml = &suggestion.toml;
    assert!(toml.contains("# Header: rows 2–3 (2 header rows"), "{toml}");
    assert!(toml.contains("header_rows = 2"), "{toml}");
    assert!(toml.contains("match = \"满意度评价 安装服务\""), "{toml}");
    assert!(toml.contains("customer_id = \"客户编号\""), "{toml}");
    assert!(toml.contains("submitted_at = \"回访日期\""), "{toml}");
    assert!(
        toml.contains("this file loads 6 respondents, 18 answers, 0 cells refused"),
        "{toml}"
    );
}

#[test]
fn scales_are_guessed_from_the_values() {
    let config = Config::load(None).unwrap();
    let csv = "编号,日期,A题,B题,C题,D题\n\
               1,2026-10-01,很满意,10,9,★★★\n\
               2,2026-10-02,满意,8,0,★★★★★\n\
               3,2026-10-03,一般,6,10,★\n\
               4,2026-10-04,不满意,3,7,★★\n";
    let toml = suggest(&config, "x.csv", csv.as_bytes(), None)
        .unwrap()
        .toml;
    let scales: Vec<&str> = toml.lines().filter(|l| l.starts_with("scale = ")).collect();
    // Stubs come longest match first, then by column: A, B, C, D.
    assert_eq!(
        scales,
        vec![
            "scale = \"likert5\"",
            "scale = \"tier10\"",
            "scale = \"nps10\"",
            "scale = \"stars5\""
        ],
        "{toml}"
    );
}

#[test]
fn random_sheets_give_a_suggestion_or_an_error_never_a_panic() {
    let vocabulary = [
        "序号",
        "提交时间",
        "满意度",
        "很满意",
        "不满意",
        "是",
        "否",
        "2026-10-01",
        "10/1/2026 1:00 PM",
        "5",
        "0",
        "10",
        "★★★",
        "",
        "",
        "备注",
        "客户编号",
        "=1+1",
        "\u{feff}",
        "é1",
        "门店",
        "-3",
    ];
    let config = Config::load(None).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
    for _ in 0..200 {
        let rows = rng.gen_range(0..12);
        let columns = rng.gen_range(1..8);
        let mut csv = String::new();
        for _ in 0..rows {
            let cells: Vec<&str> = (0..columns)
                .map(|_| vocabulary[rng.gen_range(0..vocabulary.len())])
                .collect();
            csv.push_str(&cells.join(","));
            csv.push('\n');
        }
        if let Ok(suggestion) = suggest(&config, "x.csv", csv.as_bytes(), None) {
            let parsed: Result<toml::Value, _> = toml::from_str(&suggestion.toml);
            assert!(parsed.is_ok(), "{csv}\n{}", suggestion.toml);
        }
    }
}
