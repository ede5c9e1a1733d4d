//! A ZIP container (xlsx, xlsm, ods) measured by its central directory
//! before anything is inflated: zip bombs are refused unread.

use super::TableError;

/// The most a workbook's parts may add up to once inflated.
pub(super) const MAX_EXPANDED_BYTES: u64 = 1024 * 1024 * 1024;

/// What the central directory of a ZIP container (xlsx, xlsm, ods) says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ZipCheck {
    /// No ZIP end record: not a ZIP (an `.xls` is an OLE file).
    NotZip,
    /// The uncompressed size all its entries declare, in bytes.
    Declared(u64),
    /// A ZIP end record whose directory cannot be read: refused rather than
    /// handed to a reader that might inflate it unchecked.
    Damaged,
}

/// Reads the central directory (ZIP64 and archives with bytes prepended
/// included) before anything is inflated, so a zip bomb is refused
/// unopened.
pub(super) fn zip_check(bytes: &[u8]) -> ZipCheck {
    const END_OF_DIRECTORY: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    const ZIP64_LOCATOR: [u8; 4] = [0x50, 0x4b, 0x06, 0x07];
    const ZIP64_END: [u8; 4] = [0x50, 0x4b, 0x06, 0x06];
    const DIRECTORY_ENTRY: [u8; 4] = [0x50, 0x4b, 0x01, 0x02];
    let le = |at: usize, len: usize| -> Option<u64> {
        let slice = bytes.get(at..at.checked_add(len)?)?;
        Some(
            slice
                .iter()
                .rev()
                .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
        )
    };
    // The end record is in the last 64 KiB + 22 bytes (its comment ≤ 64 KiB).
    let search_from = bytes.len().saturating_sub(65_557);
    let Some(end) = (search_from..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| bytes[i..i + 4] == END_OF_DIRECTORY)
    else {
        return ZipCheck::NotZip;
    };
    let declared = (|| -> Option<u64> {
        let mut directory_size = le(end + 12, 4)?;
        let mut directory_end = end;
        if le(end + 10, 2)? == 0xFFFF
            || directory_size == 0xFFFF_FFFF
            || le(end + 16, 4)? == 0xFFFF_FFFF
        {
            // ZIP64: the locator sits just before the end record.
            let locator = end.checked_sub(20)?;
            if bytes.get(locator..locator + 4)? != ZIP64_LOCATOR {
                return None;
            }
            // The ZIP64 end record precedes the locator (56 bytes without
            // extensible data); its recorded offset may be off by a prefix.
            let zip64_end = (0..locator)
                .rev()
                .take(1 << 16)
                .find(|&i| bytes.get(i..i + 4) == Some(&ZIP64_END[..]))?;
            directory_size = le(zip64_end + 40, 8)?;
            directory_end = zip64_end;
        }
        // Measured from the end, so bytes prepended to the archive (a
        // "prefixed" ZIP) do not hide the directory.
        let mut at = directory_end.checked_sub(usize::try_from(directory_size).ok()?)?;
        let mut total = 0u64;
        while at < directory_end {
            if bytes.get(at..at + 4)? != DIRECTORY_ENTRY {
                return None;
            }
            let mut uncompressed = le(at + 24, 4)?;
            let name_len = usize::try_from(le(at + 28, 2)?).ok()?;
            let extra_len = usize::try_from(le(at + 30, 2)?).ok()?;
            let comment_len = usize::try_from(le(at + 32, 2)?).ok()?;
            if uncompressed == 0xFFFF_FFFF {
                // The real size is in the ZIP64 extra field (id 0x0001).
                let mut field = at + 46 + name_len;
                let extra_end = field + extra_len;
                uncompressed = u64::MAX;
                while field + 4 <= extra_end {
                    let id = le(field, 2)?;
                    let len = usize::try_from(le(field + 2, 2)?).ok()?;
                    if id == 1 {
                        uncompressed = le(field + 4, 8)?;
                        break;
                    }
                    field += 4 + len;
                }
            }
            total = total.saturating_add(uncompressed);
            at += 46 + name_len + extra_len + comment_len;
        }
        Some(total)
    })();
    match declared {
        Some(total) => ZipCheck::Declared(total),
        None => ZipCheck::Damaged,
    }
}

/// Refuses a ZIP container that would inflate past [`MAX_EXPANDED_BYTES`]
/// or whose directory cannot be read; anything else (an OLE `.xls` too)
/// passes to its reader.
pub(super) fn refuse_bombs(bytes: &[u8]) -> Result<(), TableError> {
    match zip_check(bytes) {
        ZipCheck::Declared(expanded) if expanded > MAX_EXPANDED_BYTES => {
            Err(TableError::ZipBomb {
                expanded_mb: expanded / (1024 * 1024),
                file_mb: bytes.len() as u64 / (1024 * 1024),
                limit_mb: MAX_EXPANDED_BYTES / (1024 * 1024),
            })
        }
        ZipCheck::Damaged => {
            Err(TableError::Workbook(
                "its ZIP directory cannot be read (a damaged or altered file); open it in Excel, save it again, and drop the new file".to_string(),
            ))
        }
        ZipCheck::Declared(_) | ZipCheck::NotZip => Ok(()),
    }
}
