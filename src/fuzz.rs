//! Randomised robustness checks of the answer, date, header, text and ZIP
//! parsers (run as unit tests; the seeds in `tests/fixtures/fuzz/seeds.txt`
//! are the corpus, mutated deterministically). A full cargo-fuzz set-up would
//! link the bundled DuckDB into an instrumented build; these checks reach
//! the same parsers without it.
//!
//! Also the hand-built hostile inputs the unit and e2e tests share
//! (`#[doc(hidden)]`: not part of the library's interface).

/// A ZIP64 archive of one sheet entry declaring `declared` uncompressed
/// bytes in the ZIP64 extra field (which a check of the 32-bit sizes alone
/// skips), after `prefix` junk bytes: a zip bomb without the bytes. Shared by
/// the zip guard's unit tests and the e2e hostile-input corpus.
#[doc(hidden)]
pub fn zip64_bomb(declared: u64, prefix: usize) -> Vec<u8> {
    let name = b"xl/worksheets/sheet1.xml";
    let data = b"<x/>";
    let mut bytes = vec![b'#'; prefix];
    let local = bytes.len() as u64;
    bytes.extend_from_slice(&[0x50, 0x4b, 0x03, 0x04, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    bytes.extend_from_slice(&[0; 4]); // crc
    bytes.extend_from_slice(&(data.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
    bytes.extend_from_slice(&(name.len() as u16).to_le_bytes());
    bytes.extend_from_slice(&0u16.to_le_bytes());
    bytes.extend_from_slice(name);
    bytes.extend_from_slice(data);
    let directory = bytes.len() as u64;
    bytes.extend_from_slice(&[0x50, 0x4b, 0x01, 0x02, 45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    bytes.extend_from_slice(&[0; 4]); // crc
    bytes.extend_from_slice(&(data.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
    bytes.extend_from_slice(&(name.len() as u16).to_le_bytes());
    bytes.extend_from_slice(&12u16.to_le_bytes()); // extra length
    bytes.extend_from_slice(&[0; 10]); // comment, disk, attributes
    bytes.extend_from_slice(&((local - prefix as u64) as u32).to_le_bytes());
    bytes.extend_from_slice(name);
    bytes.extend_from_slice(&1u16.to_le_bytes());
    bytes.extend_from_slice(&8u16.to_le_bytes());
    bytes.extend_from_slice(&declared.to_le_bytes());
    let directory_size = bytes.len() as u64 - directory;
    let zip64_end = bytes.len() as u64;
    bytes.extend_from_slice(&[0x50, 0x4b, 0x06, 0x06]);
    bytes.extend_from_slice(&44u64.to_le_bytes());
    bytes.extend_from_slice(&[45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    bytes.extend_from_slice(&1u64.to_le_bytes());
    bytes.extend_from_slice(&1u64.to_le_bytes());
    bytes.extend_from_slice(&directory_size.to_le_bytes());
    bytes.extend_from_slice(&(directory - prefix as u64).to_le_bytes());
    bytes.extend_from_slice(&[0x50, 0x4b, 0x06, 0x07, 0, 0, 0, 0]);
    bytes.extend_from_slice(&(zip64_end - prefix as u64).to_le_bytes());
    bytes.extend_from_slice(&1u32.to_le_bytes());
    bytes.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
    bytes.extend_from_slice(&[0xFF; 8]);
    bytes.extend_from_slice(&0u16.to_le_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use crate::config::Scale;
    use crate::ingest::answers::{self, DateSystem};
    use crate::ingest::sources;
    use crate::ingest::table::{self, Cell};

    const SEEDS: &str = include_str!("../tests/fixtures/fuzz/seeds.txt");
    const ALPHABET: &[char] = &[
        '0', '1', '5', '9', '-', '.', ':', '/', '年', '月', '日', '分', '秒', '满', '意', '不',
        '很', '、', '第', '题', '(', ')', '★', 'A', 'Q', ' ', '\u{3000}', '１', '@', '=', '"', ',',
        ';', '\t', '\n', '\u{FFFD}', 'é', '〖', '┋',
    ];

    /// Seeds, each mutated many ways, plus purely random strings.
    fn inputs(n: usize) -> Vec<String> {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let seeds: Vec<&str> = SEEDS.lines().collect();
        let mut out: Vec<String> = seeds.iter().map(|s| s.to_string()).collect();
        while out.len() < n {
            let mut chars: Vec<char> = seeds[rng.gen_range(0..seeds.len())].chars().collect();
            for _ in 0..rng.gen_range(0..6) {
                let at = rng.gen_range(0..=chars.len());
                match rng.gen_range(0..3) {
                    0 => chars.insert(at, ALPHABET[rng.gen_range(0..ALPHABET.len())]),
                    1 if at < chars.len() => {
                        chars.remove(at);
                    }
                    _ => chars.truncate(at),
                }
            }
            out.push(chars.into_iter().collect());
            let random: String = (0..rng.gen_range(0..24))
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())])
                .collect();
            out.push(random);
        }
        out
    }

    #[test]
    fn answers_never_panic_and_stay_on_their_scale() {
        for input in inputs(20_000) {
            let cell = Cell::Text(input.clone());
            for scale in [Scale::Likert5, Scale::Tier10, Scale::Nps10, Scale::Stars5] {
                if let Ok(Some(value)) = answers::parse_answer(scale, &cell) {
                    assert!(
                        (0.0..=scale.max()).contains(&value),
                        "{input:?} → {value} on {scale:?}"
                    );
                }
                if let Ok(Some(value)) = answers::parse_ordinal(scale, &cell, true) {
                    assert!((0.0..=scale.max()).contains(&value), "{input:?} → {value}");
                }
            }
            if let Ok(at) = answers::parse_datetime(&cell, DateSystem::Excel1900) {
                use chrono::Datelike;
                assert!((1950..=2100).contains(&at.year()), "{input:?}");
            }
            let _ = answers::parse_duration(&cell);
            let _ = answers::parse_severity(&cell);
            let _ = answers::parse_number(&cell);
        }
    }

    #[test]
    fn headers_and_masking_never_panic() {
        for input in inputs(20_000) {
            let normalized = sources::normalize_header(&input);
            let (rest, _) = sources::strip_question_number(&input);
            assert!(input.contains(rest) || rest.is_empty(), "{input:?}");
            let _ = normalized;
            let masked = crate::report::mask::mask_personal(&input);
            let digits: Vec<char> = masked.chars().collect();
            // No unmasked mobile number survives.
            for window in digits.windows(11) {
                let all_digits = window.iter().all(char::is_ascii_digit);
                assert!(!(all_digits && window[0] == '1'), "{input:?} → {masked:?}");
            }
        }
    }

    #[test]
    fn random_bytes_as_files_give_errors_not_panics() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for round in 0..400 {
            let len = rng.gen_range(0..2048);
            let mut bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
            if round % 4 == 0 {
                // A ZIP-looking start and an end-of-directory signature.
                bytes.splice(0..0, [0x50, 0x4b, 0x03, 0x04]);
                bytes.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06]);
                bytes.extend((0..18).map(|_| rng.gen::<u8>()));
            }
            for name in ["x.csv", "x.xlsx", "x.xls", "x.ods", "x.txt"] {
                let _ = table::read_table(name, &bytes);
                // The streaming reader: every row of every sheet.
                if let Ok(mut opened) = table::open_table(name, &bytes) {
                    for sheet in 0..opened.heads.len() {
                        if let Ok(rows) = opened.rows(sheet, 0, table::MAX_COLUMNS) {
                            rows.for_each(drop);
                        }
                    }
                }
            }
        }
    }
}
