//! The TOML block's text, and the check that it recognises the very file
//! it was made from.

use chrono::NaiveDate;

use std::collections::BTreeSet;

use crate::config::{Config, Scale, SourceKind};
use crate::ingest::column_letters;
use crate::ingest::sources::strip_question_number;

use super::Guess;

/// A TOML basic string.
pub(super) fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// Text for a comment line: one line, bounded.
pub(super) fn one_line(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed: String = flat.trim().chars().take(160).collect();
    trimmed
}

/// A snake_case name from the file name, else `<kind>_<hash>`; unique among `taken`.
pub(super) fn source_name(
    file_name: &str,
    kind: SourceKind,
    layout: &str,
    taken: &[String],
) -> String {
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    let mut name = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphabetic() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('_') && !name.is_empty() {
            name.push('_');
        }
    }
    let name = name.trim_matches('_').to_string();
    let base = if name.chars().filter(char::is_ascii_alphabetic).count() >= 3 {
        name
    } else {
        format!("{}_{}", kind.as_str(), &layout[..6.min(layout.len())])
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}_{n}");
        n += 1;
    }
    candidate
}

pub(super) fn scale_name(scale: Scale) -> &'static str {
    match scale {
        Scale::Likert5 => "likert5",
        Scale::Tier10 => "tier10",
        Scale::Nps10 => "nps10",
        Scale::Stars5 => "stars5",
    }
}

/// `config` with a suggestion's `[[sources]]` and `[[questions]]` added,
/// its TODO values replaced by the first indicator and department.
pub(super) fn with_block(config: &Config, block: &str) -> Result<Config, toml::de::Error> {
    /// The part of a configuration a suggestion holds.
    #[derive(serde::Deserialize)]
    struct Block {
        #[serde(default)]
        sources: Vec<crate::config::Source>,
        #[serde(default)]
        questions: Vec<crate::config::Question>,
    }
    let first_indicator = config
        .indicators
        .first()
        .map_or("product", |i| i.key.as_str());
    let first_department = config
        .departments
        .first()
        .map_or("quality", |d| d.key.as_str());
    let filled = block
        .replace(
            "indicator = \"TODO\"",
            &format!("indicator = {}", toml_string(first_indicator)),
        )
        .replace(
            "department = \"TODO\"",
            &format!("department = {}", toml_string(first_department)),
        );
    let block: Block = toml::from_str(&filled)?;
    let mut trial = config.clone();
    trial.sources.extend(block.sources);
    trial.questions.extend(block.questions);
    Ok(trial)
}

/// Parses the file with the suggestion added (the TODO values replaced by
/// the first indicator and department) and says what it would load.
pub(super) fn verify(
    config: &Config,
    file_name: &str,
    bytes: &[u8],
    today: Option<NaiveDate>,
    block: &str,
    name: &str,
) -> (Vec<String>, bool) {
    let trial = match with_block(config, block) {
        Ok(trial) => trial,
        Err(e) => {
            let warning = format!(
                "# Warning: the suggestion does not read as TOML: {}",
                one_line(&e.to_string())
            );
            return (vec![warning], false);
        }
    };
    match crate::ingest::parse_file_on(&trial, file_name, bytes, today) {
        Ok(parsed) if parsed.source == name => {
            let mut lines = vec![format!(
                "# With the TODO values filled in, this file loads {} {}, {} answers, {} cells refused.",
                parsed.responses.len().max(parsed.records.len()),
                if parsed.kind == SourceKind::Survey { "respondents" } else { "rows" },
                parsed.answers.len(),
                parsed.rejected.len()
            )];
            for r in parsed.rejected.iter().take(5) {
                lines.push(format!(
                    "#   row {}, column '{}': '{}' is not {}",
                    r.row_number,
                    one_line(&r.column),
                    one_line(&r.value),
                    one_line(&r.expected)
                ));
            }
            (lines, true)
        }
        Ok(parsed) => (
            vec![format!(
                "# Warning: the file is still taken by source '{}' first.",
                parsed.source
            )],
            false,
        ),
        Err(e) => (
            vec![format!(
                "# Warning: with this suggestion the file still does not load: {}",
                one_line(&e.to_string())
            )],
            false,
        ),
    }
}

/// A comment line for every column left out of the fields and the question
/// stubs, so nothing is dropped unseen.
pub(super) fn left_out_lines(
    guesses: &[(usize, Guess, String)],
    labels: &[String],
    kind: SourceKind,
) -> Vec<String> {
    let mut other_lines: Vec<String> = Vec::new();
    for (column, guess_kind, why) in guesses {
        let letter = column_letters(*column);
        let label = one_line(&labels[*column]);
        match guess_kind {
            Guess::Existing(key, scale) => other_lines.push(format!("# Column {letter} '{label}': already the question '{key}' of the configuration ({}; {why}).", scale_name(*scale))),
            Guess::Text if kind == SourceKind::Survey => other_lines.push(format!("# Column {letter} '{label}': {why}: stored as an unmapped question, not scored.")),
            Guess::Text => other_lines.push(format!("# Column {letter} '{label}': {why}: not loaded (a callback keeps one remark column).")),
            Guess::NotQuestion(what) => other_lines.push(format!("# Column {letter} '{label}': {what}: not loaded, listed by ingest.")),
            _ => {}
        }
    }
    other_lines
}

/// `[[questions]]` stubs for the question columns, the longest match first
/// so a header containing another question's text still finds its own
/// entry; `indicator` and `department` are TODO.
pub(super) fn write_question_stubs(
    out: &mut String,
    config: &Config,
    name: &str,
    guesses: &[(usize, Guess, String)],
    labels: &[String],
) {
    let line = |out: &mut String, text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    let mut stubs: Vec<(usize, Scale, String, String)> = guesses
        .iter()
        .filter_map(|(column, g, why)| match g {
            Guess::Question(scale) => Some((
                *column,
                *scale,
                strip_question_number(&labels[*column]).0.trim().to_string(),
                why.clone(),
            )),
            _ => None,
        })
        .collect();
    stubs.sort_by_key(|(column, _, text, _)| (std::cmp::Reverse(text.chars().count()), *column));
    let indicators: Vec<&str> = config.indicators.iter().map(|i| i.key.as_str()).collect();
    let departments: Vec<&str> = config.departments.iter().map(|d| d.key.as_str()).collect();
    let mut taken_keys: BTreeSet<String> = config.questions.iter().map(|q| q.key.clone()).collect();
    let mut stub_index = 0;
    if !stubs.is_empty() {
        out.push('\n');
        line(
            out,
            "# Questions, the longest match first, so a header containing another's text keeps its own entry.".to_string(),
        );
    }
    for (column, scale, text, why) in &stubs {
        stub_index += 1;
        let mut key = format!("{name}_q{stub_index}");
        while taken_keys.contains(&key) {
            stub_index += 1;
            key = format!("{name}_q{stub_index}");
        }
        taken_keys.insert(key.clone());
        out.push('\n');
        line(
            out,
            format!(
                "# Column {} '{}': {} → {}.",
                column_letters(*column),
                one_line(&labels[*column]),
                one_line(why),
                scale_name(*scale)
            ),
        );
        line(out, "[[questions]]".to_string());
        line(out, format!("key = {}", toml_string(&key)));
        line(out, format!("match = {}", toml_string(text)));
        line(out, format!("source = {}", toml_string(name)));
        line(
            out,
            format!("indicator = \"TODO\"  # one of: {}", indicators.join(", ")),
        );
        line(
            out,
            format!(
                "department = \"TODO\"  # one of: {}",
                departments.join(", ")
            ),
        );
        line(out, format!("scale = {}", toml_string(scale_name(*scale))));
    }
}
