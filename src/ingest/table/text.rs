//! Delimited text (CSV, TSV, TXT): decoded (UTF-8 with or without BOM,
//! UTF-16 with BOM, else GB18030) and split by the separator that occurs
//! most consistently; whole, or streamed from disk block by block.

use super::xlsx::dense;
use super::{Cell, DateSystem, Row, Sheet, Table, TableError, TableInner, HEAD_ROWS, MAX_COLUMNS};

/// Like [`decode_text`], but valid UTF-8 (the common case) is borrowed, not
/// copied.
pub fn decode_text_borrowed(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    if encoding_rs::Encoding::for_bom(bytes).is_none() {
        if let Ok(text) = std::str::from_utf8(bytes) {
            return std::borrow::Cow::Borrowed(text);
        }
    }
    std::borrow::Cow::Owned(decode_text(bytes))
}

/// Decodes text bytes: BOMs first, then strict UTF-8, then GB18030 (a
/// superset of GBK, what Excel writes as "CSV" on Chinese Windows).
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return text.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => {
            // A UTF-8 file with a few broken bytes (a bad copy, a cell pasted
            // from elsewhere) stays UTF-8, the broken bytes becoming U+FFFD
            // so only their cells are refused; GBK text, whose Chinese is
            // almost never valid UTF-8, is decoded as GB18030.
            let lossy = String::from_utf8_lossy(bytes);
            let broken = lossy.matches('\u{FFFD}').count();
            let valid_non_ascii = lossy
                .chars()
                .filter(|c| !c.is_ascii() && *c != '\u{FFFD}')
                .count();
            if valid_non_ascii > broken * 4 {
                return lossy.into_owned();
            }
            let (text, _, _) = encoding_rs::GB18030.decode(bytes);
            text.into_owned()
        }
    }
}

pub(super) fn read_text(file_name: &str, bytes: &[u8]) -> Result<Vec<Sheet>, TableError> {
    let text = decode_text(bytes);
    if text.trim().is_empty() {
        return Err(TableError::Empty);
    }
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| TableError::Text(format!("record {}: {e}", index + 1)))?;
        rows.push(
            record
                .iter()
                .map(|field| {
                    if field.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(field.to_string())
                    }
                })
                .collect(),
        );
    }
    let name = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .to_string();
    Ok(vec![Sheet {
        name,
        rows,
        date_system: DateSystem::Excel1900,
    }])
}

/// Opens a delimited text file for streaming from disk, for files too large
/// to hold whole, through `file` (a handle already opened and checked by
/// `inbox::open_checked`; never reopened by path), reading at most its
/// first `len` bytes: the encoding is decided as [`decode_text`] decides it (a
/// BOM; else UTF-8, keeping a few broken bytes as U+FFFD; else GB18030) in
/// one pass over the file, then the text is decoded block by block as the
/// rows are read.
///
/// # Errors
/// The file cannot be read, or holds only blanks.
pub fn open_text_file(
    file_name: &str,
    file: std::fs::File,
    len: u64,
) -> Result<Table<'static>, TableError> {
    use std::io::{Read, Seek};
    let read_error = |e: std::io::Error| TableError::Text(e.to_string());
    let mut handle = &file;
    handle
        .seek(std::io::SeekFrom::Start(0))
        .map_err(read_error)?;
    let mut handle = (&file).take(len);
    let mut start = [0u8; 4];
    let mut n_start = 0;
    while n_start < start.len() {
        let n = handle.read(&mut start[n_start..]).map_err(read_error)?;
        if n == 0 {
            break;
        }
        n_start += n;
    }
    if n_start == 0 {
        return Err(TableError::Empty);
    }
    let (encoding, bom_len) = match encoding_rs::Encoding::for_bom(&start[..n_start]) {
        Some(found) => found,
        None => {
            // One pass: how much of it is broken as UTF-8.
            let mut handle = &file;
            handle
                .seek(std::io::SeekFrom::Start(0))
                .map_err(read_error)?;
            let mut handle = (&file).take(len);
            let mut decoder = encoding_rs::UTF_8.new_decoder_without_bom_handling();
            let mut raw = vec![0u8; 1 << 16];
            let mut text = String::new();
            let (mut broken, mut valid_non_ascii) = (0usize, 0usize);
            loop {
                let n = handle.read(&mut raw).map_err(read_error)?;
                let last = n == 0;
                text.clear();
                text.reserve(decoder.max_utf8_buffer_length(n).unwrap_or(n * 3 + 16));
                let _ = decoder.decode_to_string(&raw[..n], &mut text, last);
                for c in text.chars() {
                    if c == '\u{FFFD}' {
                        broken += 1;
                    } else if !c.is_ascii() {
                        valid_non_ascii += 1;
                    }
                }
                if last {
                    break;
                }
            }
            if broken == 0 || valid_non_ascii > broken * 4 {
                (encoding_rs::UTF_8, 0)
            } else {
                (encoding_rs::GB18030, 0)
            }
        }
    };
    // The first 256 KiB, for the separator (a character cut at the end
    // does not matter).
    let mut head_bytes = Vec::new();
    decoded_file(&file, len, encoding, bom_len)
        .map_err(read_error)?
        .take(1 << 18)
        .read_to_end(&mut head_bytes)
        .map_err(read_error)?;
    let head_text = String::from_utf8_lossy(&head_bytes);
    if head_text.trim().is_empty() && len < (1 << 18) {
        return Err(TableError::Empty);
    }
    let delimiter = sniff_delimiter(&head_text);
    let mut table = Table {
        heads: Vec::new(),
        inner: TableInner::TextFile {
            file,
            len,
            encoding,
            bom_len,
            delimiter,
        },
    };
    read_head(&mut table, file_name)?;
    if table.heads[0]
        .rows
        .iter()
        .all(|r| r.iter().all(Cell::is_blank))
    {
        return Err(TableError::Empty);
    }
    Ok(table)
}

/// The first `len` bytes of `file` as UTF-8, decoded from `encoding` block
/// by block after skipping `bom_len` bytes (broken bytes become U+FFFD).
/// Reads through the same handle (a clone sharing its position), from the
/// start.
pub(super) fn decoded_file(
    file: &std::fs::File,
    len: u64,
    encoding: &'static encoding_rs::Encoding,
    bom_len: usize,
) -> std::io::Result<DecodingReader<std::io::BufReader<std::io::Take<std::fs::File>>>> {
    use std::io::{Read, Seek};
    let mut file = file.try_clone()?;
    file.seek(std::io::SeekFrom::Start(bom_len as u64))?;
    let file = file.take(len.saturating_sub(bom_len as u64));
    Ok(DecodingReader {
        inner: std::io::BufReader::with_capacity(1 << 16, file),
        decoder: encoding.new_decoder_without_bom_handling(),
        raw: vec![0u8; 1 << 16],
        out: String::new(),
        position: 0,
        done: false,
    })
}

/// A reader of UTF-8 decoded from another encoding as it is read.
pub(super) struct DecodingReader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    raw: Vec<u8>,
    out: String,
    position: usize,
    done: bool,
}

impl<R: std::io::Read> std::io::Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.position < self.out.len() {
                let available = &self.out.as_bytes()[self.position..];
                let n = available.len().min(buf.len());
                buf[..n].copy_from_slice(&available[..n]);
                self.position += n;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            let n = self.inner.read(&mut self.raw)?;
            let last = n == 0;
            self.out.clear();
            self.position = 0;
            self.out
                .reserve(self.decoder.max_utf8_buffer_length(n).unwrap_or(n * 3 + 16));
            let _ = self
                .decoder
                .decode_to_string(&self.raw[..n], &mut self.out, last);
            self.done = last;
        }
    }
}

/// Picks the separator (`,`, `;` or tab) that appears most often in the
/// first lines; quoted text is not counted.
pub(super) fn sniff_delimiter(text: &str) -> u8 {
    let mut best = (b',', 0usize);
    for candidate in [b',', b';', b'\t'] {
        let mut count = 0;
        for line in text.lines().take(20) {
            let mut in_quotes = false;
            for byte in line.bytes() {
                if byte == b'"' {
                    in_quotes = !in_quotes;
                } else if byte == candidate && !in_quotes {
                    count += 1;
                }
            }
        }
        if count > best.1 {
            best = (candidate, count);
        }
    }
    best.0
}

/// Reads the first [`HEAD_ROWS`] rows of a text `table` as its one sheet,
/// named after the file.
pub(super) fn read_head(table: &mut Table<'_>, file_name: &str) -> Result<(), TableError> {
    let rows = table
        .rows(0, 0, MAX_COLUMNS)?
        .take(HEAD_ROWS)
        .collect::<Result<Vec<Row>, TableError>>()?;
    let name = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .to_string();
    table.heads.push(Sheet {
        name,
        rows: dense(rows),
        date_system: DateSystem::Excel1900,
    });
    Ok(())
}
