//! The TOML block's text, and the check that it recognises the very file
//! it was made from.

use chrono::NaiveDate;

use crate::config::{Config, Scale, SourceKind};

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
