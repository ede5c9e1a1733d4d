//! What an ingest pass did with each inbox file.

use serde::Serialize;

use crate::ingest::RejectedCell;
use crate::store::Superseded;

/// What happened to one inbox file.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FileOutcome {
    /// Stored (possibly with some rows rejected).
    Loaded {
        /// File name.
        file: String,
        /// Source definition used.
        source: String,
        /// Rows stored (responses or records).
        rows_loaded: usize,
        /// Answers stored (surveys and callbacks).
        answers_loaded: usize,
        /// Cells or rows refused (the first
        /// [`REJECTED_KEPT`](ingest::REJECTED_KEPT); all are stored).
        rejected: Vec<RejectedCell>,
        /// How many cells or rows were refused.
        n_rejected: usize,
        /// Question columns no question of the configuration matches.
        unmapped_questions: Vec<String>,
        /// Columns holding data that are neither a field nor a question.
        columns_not_loaded: Vec<String>,
        /// Older exports of the same source and months this file replaced.
        replaced: Vec<Superseded>,
    },
    /// The same bytes were stored before.
    Duplicate {
        /// File name.
        file: String,
        /// Name it was stored under.
        original: String,
        /// When.
        loaded_on: String,
    },
    /// Not loaded; moved to `rejected/` with the reason beside it.
    Rejected {
        /// File name.
        file: String,
        /// Why.
        reason: String,
    },
    /// Could not be processed in this pass (a file-system or database
    /// failure on this file); left where it was for the next pass.
    Failed {
        /// File name.
        file: String,
        /// What failed.
        reason: String,
    },
}

/// The result of one ingest pass.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestSummary {
    /// One entry per inbox file, in name order.
    pub files: Vec<FileOutcome>,
    /// Files left in the inbox because they changed within the settle time.
    pub settling: Vec<String>,
}

impl IngestSummary {
    /// True when a file or a row was refused.
    pub fn is_partial(&self) -> bool {
        self.files.iter().any(|f| match f {
            FileOutcome::Rejected { .. } | FileOutcome::Failed { .. } => true,
            FileOutcome::Loaded { rejected, .. } => !rejected.is_empty(),
            FileOutcome::Duplicate { .. } => false,
        })
    }
}

impl FileOutcome {
    /// The file's name.
    pub fn file(&self) -> &str {
        match self {
            FileOutcome::Loaded { file, .. }
            | FileOutcome::Duplicate { file, .. }
            | FileOutcome::Rejected { file, .. }
            | FileOutcome::Failed { file, .. } => file,
        }
    }
}

impl IngestSummary {
    /// Counts, in one line.
    pub fn one_line(&self) -> String {
        let mut loaded = 0;
        let mut duplicates = 0;
        let mut rejected = 0;
        let mut rows = 0;
        let mut answers = 0;
        let mut rejected_cells = 0;
        let mut failed = 0;
        for file in &self.files {
            match file {
                FileOutcome::Loaded {
                    rows_loaded,
                    answers_loaded,
                    rejected,
                    ..
                } => {
                    loaded += 1;
                    rows += rows_loaded;
                    answers += answers_loaded;
                    rejected_cells += rejected.len();
                }
                FileOutcome::Duplicate { .. } => duplicates += 1,
                FileOutcome::Rejected { .. } => rejected += 1,
                FileOutcome::Failed { .. } => failed += 1,
            }
        }
        format!(
            "{} files: {loaded} loaded ({rows} rows, {answers} answers, {rejected_cells} cells rejected), {duplicates} duplicates skipped, {rejected} rejected{}",
            self.files.len(),
            if failed > 0 {
                format!(", {failed} failed (tried again next run)")
            } else {
                String::new()
            }
        )
    }
}
