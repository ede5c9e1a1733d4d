//! The demo's outputs pinned by SHA-256 (issue 15): a refactor that changes no
//! behaviour leaves every byte of the generated inputs, the Chinese and the
//! English monthly workbook and the grading workbook as they were.
//!
//! When a change of bytes is intended, say which and why in the commit and
//! update the digests below (the failure message prints the new ones).

use std::path::Path;

use sha2::{Digest, Sha256};

use super::{csat, succeeded};

/// Digests of the demo run with its default seed on 2026-11-23, taken before
/// the redesign of issue 15.
const PINNED: &[(&str, &str)] = &[
    (
        "inputs (archive/2026-11, names and bytes)",
        "f5f27b35b7ff81edaa8aec8c39d50e0cecfae1a483e2e6f0051c29a22fa3c2af",
    ),
    (
        "reports/2026-10/csat-report-2026-10.xlsx (zh)",
        "5d75f559c8f544b33a8dd093f214829d3864f9a37f1cba0ab74cc7be31c18d1f",
    ),
    (
        "reports/2026-10/csat-report-2026-10.xlsx (en)",
        "fd9eb8b10127815f87400a2aa44d15b722483189c7133c7d235bca7f9339a6e4",
    ),
    (
        "reports/grading/csat-grading-2026-11-23.xlsx",
        "e75633c8318ac1c32aa4e3c5c9b5c5fc75e54f75e39c5b9cbdc58d60a7665b26",
    ),
];

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One digest over every archived input: its name, then its bytes' digest.
fn inputs_digest(archive: &Path) -> String {
    let mut names: Vec<_> = std::fs::read_dir(archive)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut listing = String::new();
    for name in names {
        let bytes = std::fs::read(archive.join(&name)).unwrap();
        listing.push_str(&format!("{}  {name}\n", sha256_hex(&bytes)));
    }
    sha256_hex(listing.as_bytes())
}

#[test]
fn the_demo_outputs_are_byte_for_byte_as_pinned() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    let dir = root.to_str().unwrap();
    let today = ["--data-dir", dir, "--today", "2026-11-23"];
    let report = root.join("reports/2026-10/csat-report-2026-10.xlsx");
    let mut actual = Vec::new();

    succeeded(csat(&[&today[..], &["demo"]].concat()));
    actual.push(inputs_digest(&root.join("archive/2026-11")));
    actual.push(sha256_hex(&std::fs::read(&report).unwrap()));
    succeeded(csat(
        &[
            &today[..],
            &["--lang", "en", "report", "--month", "2026-10"],
        ]
        .concat(),
    ));
    actual.push(sha256_hex(&std::fs::read(&report).unwrap()));
    succeeded(csat(&[&today[..], &["regrade"]].concat()));
    actual.push(sha256_hex(
        &std::fs::read(root.join("reports/grading/csat-grading-2026-11-23.xlsx")).unwrap(),
    ));

    let differing: Vec<String> = PINNED
        .iter()
        .zip(&actual)
        .filter(|((_, pinned), actual)| pinned != actual)
        .map(|((what, pinned), actual)| format!("{what}: pinned {pinned}, now {actual}"))
        .collect();
    assert!(differing.is_empty(), "{}", differing.join("\n"));
}
