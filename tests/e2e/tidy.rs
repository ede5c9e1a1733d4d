//! Project policies as tests, in the spirit of rust-analyzer's tidy tests:
//! they read `src/` as text and fail with the list of places that break a
//! rule (file:line and the offending text), so the list is the to-do.
//!
//! - `row[<digit>]` (a query result read by position) only in the typed-row
//!   layer, `src/store/rows.rs`.
//! - No SQL text in `src/` outside `src/store/`: no string literal that starts
//!   with an SQL statement keyword, and `include_str!` of a file under `sql/`
//!   only in `src/store/` and `src/analysis/` (the analysis query catalog,
//!   whose files are checked by the catalog's own test).
//! - Dependencies point one way: a module may use its own layer and the
//!   layers below it ([`LAYERS`]), never one above.
//!
//! Test code (from a `#[cfg(test)]` line to the end of its file, and files
//! named `tests.rs`) is exempt from the SQL and layer rules: a test may read
//! the store back with a query and build its inputs from any layer.

use crate::util::*;

/// The layer order of issue 15, lowest first. A module may `use crate::`
/// modules of its own layer and of lower layers only. The binary side
/// (`main.rs` and the modules only it uses) is on top.
const LAYERS: &[&[&str]] = &[
    // Base: calendar months, working days, the configuration.
    &["month", "calendar", "config"],
    // Files arriving, and the guard against files that crash a run.
    &["inbox", "crash_guard"],
    // File → canonical rows.
    &["ingest"],
    // DuckDB: migrations, loading, the record types it writes, typed rows.
    &["store"],
    // SQL analyses and their typed results.
    &["analysis"],
    // The workbook and the narrative.
    &["report"],
    // Sending: e-mail, webhooks, alerts, report delivery.
    &["mail", "alerts", "delivery"],
    // Ingest → report → deliver, and the jobs.
    &["pipeline"],
    // Time-driven passes over the pipeline.
    &["scheduler"],
    // The demo data, the fuzz helpers and the binary side.
    &["demo", "fuzz", "bench", "cli", "main"],
];

/// Every `.rs` file under `src/`, as (path relative to the checkout, text).
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(root).unwrap().to_string_lossy();
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((relative.replace('\\', "/"), text));
            }
        }
    }
    let root = manifest_dir();
    let mut out = Vec::new();
    walk(&root.join("src"), &root, &mut out);
    out
}

/// The lines of `text` before its first `#[cfg(test)]` (all of it for a
/// file that has none; none of a `tests.rs`), numbered from 1, with line
/// comments (doc comments included) cut off.
fn production_lines<'t>(path: &str, text: &'t str) -> Vec<(usize, &'t str)> {
    if path.ends_with("/tests.rs") {
        return Vec::new();
    }
    text.lines()
        .enumerate()
        .take_while(|(_, line)| line.trim() != "#[cfg(test)]")
        .map(|(i, line)| (i + 1, strip_comment(line)))
        .collect()
}

/// `line` without a trailing `//` comment (a `//` inside a string literal
/// is kept).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
        i += 1;
    }
    line
}

/// The module a file belongs to: the first path component under `src/`
/// (`src/store/rows.rs` → `store`, `src/main.rs` → `main`).
fn module_of(path: &str) -> &str {
    let rest = path.strip_prefix("src/").unwrap();
    let first = rest.split('/').next().unwrap();
    first.strip_suffix(".rs").unwrap_or(first)
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// Prints the findings and fails when there are any.
fn report(rule: &str, findings: &[String]) {
    println!("{rule}: {} finding(s)", findings.len());
    for finding in findings {
        println!("  {finding}");
    }
    assert!(
        findings.is_empty(),
        "{rule}: {} finding(s):\n{}",
        findings.len(),
        findings.join("\n")
    );
}

/// `row[` followed by a digit, as `grep 'row\[[0-9]'` finds it.
fn positional_row_read(line: &str) -> bool {
    line.match_indices("row[")
        .any(|(at, _)| line[at + 4..].starts_with(|c: char| c.is_ascii_digit()))
}

#[test]
fn tidy_no_positional_row_reads_outside_the_typed_row_layer() {
    let mut findings = Vec::new();
    for (path, text) in sources() {
        if path == "src/store/rows.rs" {
            continue;
        }
        for (i, line) in text.lines().enumerate() {
            if positional_row_read(line) {
                findings.push(format!("{path}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    report("row[<digit>] outside src/store/rows.rs", &findings);
}

/// The string literals of `line` (plain `"…"` and raw `r#"…"#` on one line;
/// a literal continued with `\` at the end of the line yields its first
/// line, which is where a statement keyword stands).
fn string_literals(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let raw = chars[i] == 'r' && matches!(chars.get(i + 1), Some('"' | '#'));
        let is_char_literal = chars[i] == '\'' && chars.get(i + 2) == Some(&'\'');
        if is_char_literal {
            i += 3;
            continue;
        }
        if chars[i] == '"' || raw {
            let mut j = i + usize::from(raw);
            while chars.get(j) == Some(&'#') {
                j += 1;
            }
            j += 1; // the opening quote
            let mut literal = String::new();
            while j < chars.len() && chars[j] != '"' {
                if chars[j] == '\\' && !raw {
                    j += 1;
                }
                if let Some(&c) = chars.get(j) {
                    literal.push(c);
                }
                j += 1;
            }
            out.push(literal);
            i = j + 1;
            while chars.get(i) == Some(&'#') {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Statement keywords as this code base writes SQL: upper case, then white
/// space or the end of the text (an English message starting "With " or
/// "Update " is not SQL).
const SQL_STATEMENTS: &[&str] = &[
    "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "WITH", "DROP", "ALTER", "PRAGMA", "ATTACH",
    "COPY", "BEGIN", "COMMIT", "VALUES",
];

fn starts_with_sql_statement(literal: &str) -> bool {
    let first = literal.split_whitespace().next().unwrap_or("");
    SQL_STATEMENTS.contains(&first)
}

/// `include_str!("…/sql/…")` or `include_str!("sql/…")`.
fn includes_sql_file(line: &str) -> bool {
    line.contains("include_str!")
        && string_literals(line)
            .iter()
            .any(|l| l.starts_with("sql/") || l.contains("/sql/"))
}

#[test]
fn tidy_no_sql_text_outside_the_store() {
    let mut findings = Vec::new();
    for (path, text) in sources() {
        if path.starts_with("src/store/") || path == "src/store.rs" {
            continue;
        }
        let catalog = path.starts_with("src/analysis/");
        for (number, line) in production_lines(&path, &text) {
            if includes_sql_file(line) {
                if !catalog {
                    findings.push(format!("{path}:{number}: {}", line.trim()));
                }
                continue;
            }
            if string_literals(line)
                .iter()
                .any(|literal| starts_with_sql_statement(literal))
            {
                findings.push(format!("{path}:{number}: {}", line.trim()));
            }
        }
    }
    report("SQL text in src/ outside src/store/", &findings);
}

/// The modules `line` names as `crate::<module>` (in paths and in
/// `use crate::{a, b::c}` groups).
fn crate_references(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue; // `$crate::`, `other_crate::`
        }
        if let Some(group) = rest.strip_prefix('{') {
            // The first identifier of every top-level item of the group.
            let mut depth = 0;
            let mut item_start = true;
            let mut ident = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_alphanumeric() || c == '_') => ident.push(c),
                    _ if item_start && !ident.is_empty() => {
                        out.push(std::mem::take(&mut ident));
                        item_start = false;
                    }
                    _ => {}
                }
            }
            if !ident.is_empty() {
                out.push(ident);
            }
        } else {
            let ident: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !ident.is_empty() {
                out.push(ident);
            }
        }
    }
    out
}

#[test]
fn tidy_no_import_from_a_higher_layer() {
    let mut findings = Vec::new();
    for (path, text) in sources() {
        if path == "src/lib.rs" {
            continue;
        }
        let module = module_of(&path);
        let Some(own) = layer_of(module) else {
            findings.push(format!(
                "{path}: module `{module}` has no layer: add it to LAYERS in tests/e2e/tidy.rs"
            ));
            continue;
        };
        for (number, line) in production_lines(&path, &text) {
            for used in crate_references(line) {
                match layer_of(&used) {
                    Some(layer) if layer > own => findings.push(format!(
                        "{path}:{number}: {module} (layer {own}) uses {used} (layer {layer}): {}",
                        line.trim()
                    )),
                    Some(_) => {}
                    None => findings.push(format!(
                        "{path}:{number}: uses `crate::{used}`, which has no layer"
                    )),
                }
            }
        }
    }
    report("imports from a higher layer", &findings);
}

#[test]
fn tidy_helpers_read_what_they_should() {
    assert_eq!(
        crate_references("use crate::config::{Config, Scale};"),
        vec!["config"]
    );
    assert_eq!(
        crate_references("use crate::{alerts::Alert, store::{self, Store}, month};"),
        vec!["alerts", "store", "month"]
    );
    assert_eq!(
        crate_references("let x = crate::report::render(&crate::month::Month::of(d));"),
        vec!["report", "month"]
    );
    assert!(crate_references("$crate::foo and other_crate::bar").is_empty());
    assert_eq!(
        string_literals(r##"q("x", "SELECT a FROM t", r#"WITH b"#, 'a')"##),
        vec!["x", "SELECT a FROM t", "WITH b"]
    );
    assert_eq!(
        strip_comment(r#"let a = "//x"; // note"#),
        r#"let a = "//x"; "#
    );
    assert!(starts_with_sql_statement("  SELECT a\n FROM t"));
    assert!(!starts_with_sql_statement("With the rule `replace`"));
    assert!(includes_sql_file(
        r#"const Q: &str = include_str!("../../sql/analysis/x.sql");"#
    ));
    assert!(positional_row_read("let a = row[0].as_i64();"));
    assert!(!positional_row_read("let a = row[i];"));
    assert_eq!(module_of("src/store/rows.rs"), "store");
    assert_eq!(module_of("src/main.rs"), "main");
    for layer in LAYERS {
        for module in *layer {
            assert_eq!(
                LAYERS.iter().filter(|l| l.contains(module)).count(),
                1,
                "{module} in one layer"
            );
        }
    }
}
