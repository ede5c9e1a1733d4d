//! Puts a rendered workbook where executives find it: written to a temporary
//! file in the target folder, flushed, then renamed, so no reader ever sees
//! half a workbook. (E-mail delivery arrives with issue 8.)

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The path of a month's workbook under `reports`.
pub fn report_path(reports: &Path, month: &str) -> PathBuf {
    reports
        .join(month)
        .join(format!("csat-report-{month}.xlsx"))
}

/// The path of a grading's workbook under `reports`.
pub fn grading_path(reports: &Path, as_of: chrono::NaiveDate) -> PathBuf {
    reports
        .join("grading")
        .join(format!("csat-grading-{as_of}.xlsx"))
}

/// Writes `bytes` to `path` atomically (temp file + rename in the same folder).
///
/// # Errors
/// The folder cannot be created or the write or rename fails.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    fs::create_dir_all(dir)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{file_name}.tmp"));
    {
        let mut file = fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    fs::rename(&temp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = report_path(dir.path(), "2026-10");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["csat-report-2026-10.xlsx".to_string()]);
    }
}
