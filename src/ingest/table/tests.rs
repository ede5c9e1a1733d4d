//! Unit tests of the readers and the zip guard.

use super::zip_guard::{zip_check, ZipCheck};
use super::*;

#[test]
fn gbk_csv_with_title_line_is_decoded() {
    let text = "导出时间: 2026-11-01\n回访单号,回访类型\nH1,安装回访\n";
    let (bytes, _, _) = encoding_rs::GBK.encode(text);
    let sheets = read_table("回访.csv", &bytes).unwrap();
    assert_eq!(sheets[0].rows[1][1], Cell::Text("回访类型".into()));
    assert_eq!(sheets[0].rows[2][1], Cell::Text("安装回访".into()));
}

#[test]
fn utf8_bom_and_semicolons() {
    let bytes = "\u{feff}a;b;c\n1;\"x;y\";3\n".as_bytes();
    let sheets = read_table("x.csv", bytes).unwrap();
    assert_eq!(sheets[0].rows[0][0], Cell::Text("a".into()));
    assert_eq!(sheets[0].rows[1][1], Cell::Text("x;y".into()));
}

#[test]
fn utf16_tab_separated() {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "姓名\t得分\r\n张三\t5\r\n".encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let sheets = read_table("x.txt", &bytes).unwrap();
    assert_eq!(sheets[0].rows[1][0], Cell::Text("张三".into()));
    assert_eq!(sheets[0].rows[1][1], Cell::Text("5".into()));
}

#[test]
fn empty_and_unknown_types_are_errors() {
    assert!(matches!(read_table("x.csv", b""), Err(TableError::Empty)));
    let err = read_table("x.pdf", b"%PDF").unwrap_err().to_string();
    assert!(err.contains("unsupported file type '.pdf'"), "{err}");
    let err = read_table("x.xlsx", b"not a zip at all")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("cannot open as a spreadsheet"), "{err}");
}

#[test]
fn encrypted_xlsx_is_named_as_such() {
    let mut bytes = OLE_MAGIC.to_vec();
    bytes.extend_from_slice(&[0; 504]);
    let err = read_table("加密.xlsx", &bytes).unwrap_err().to_string();
    assert!(
        err.starts_with("the workbook is password-protected"),
        "{err}"
    );
}

#[test]
fn a_real_workbook_declares_its_size() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    workbook.add_worksheet().write_string(0, 0, "满意").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    let ZipCheck::Declared(declared) = zip_check(&bytes) else {
        panic!("{:?}", zip_check(&bytes));
    };
    assert!(
        declared > bytes.len() as u64 && declared < 100_000,
        "{declared}"
    );
    assert_eq!(zip_check(b"not a zip"), ZipCheck::NotZip);
    // Bytes prepended to the archive do not hide its directory.
    let mut prefixed = vec![b'x'; 5000];
    prefixed.extend_from_slice(&bytes);
    assert_eq!(zip_check(&prefixed), ZipCheck::Declared(declared));
    // A directory that does not add up is refused, not skipped.
    let mut damaged = bytes.clone();
    let end = damaged.len() - 22;
    damaged[end + 12] ^= 0x10;
    assert_eq!(zip_check(&damaged), ZipCheck::Damaged);
}

#[test]
fn zip64_and_prefixed_bombs_are_measured() {
    let five_gb = 5 * 1024 * 1024 * 1024;
    assert_eq!(
        zip_check(&crate::fuzz::zip64_bomb(five_gb, 0)),
        ZipCheck::Declared(five_gb)
    );
    assert_eq!(
        zip_check(&crate::fuzz::zip64_bomb(five_gb, 70_000)),
        ZipCheck::Declared(five_gb)
    );
    let err = read_table("bomb.xlsx", &crate::fuzz::zip64_bomb(five_gb, 100))
        .unwrap_err()
        .to_string();
    assert!(err.contains("zip bomb"), "{err}");
}

#[test]
fn sparse_workbooks_are_read_without_a_dense_grid() {
    // One cell at A1, one at XFD1048576: ragged rows, not 17 billion cells.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "客户编号").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let sheets = read_table("sparse.xlsx", &workbook.save_to_buffer().unwrap()).unwrap();
    assert_eq!(sheets[0].rows.len(), 1_048_576);
    assert_eq!(sheets[0].rows[1].len(), 0);
    assert_eq!(sheets[0].rows[1_048_575].len(), 16_384);
    assert_eq!(sheets[0].rows[1_048_575][16_383], Cell::Text("x".into()));
    // A cell at the last column of 700 rows would pad to 11.5 million
    // cells: refused before the padding is allocated.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for row in 0..700 {
        sheet.write_string(row, 16_383, "x").unwrap();
    }
    let err = read_table("wide.xlsx", &workbook.save_to_buffer().unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("span more than 10000000 cells"), "{err}");
}

#[test]
fn a_sparse_workbook_streams_without_a_dense_grid() {
    // Cells at A1 and XFD1048576: the declared dimension is the whole
    // sheet; the streaming reader allocates only what it keeps.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "序号").unwrap();
    sheet.write_string(0, 1, "提交答卷时间").unwrap();
    sheet.write_string(1_048_575, 16_383, "远处").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    let mut table = open_table("稀疏.xlsx", &bytes).unwrap();
    assert_eq!(table.heads[0].rows.len(), 1);
    let rows: Vec<Row> = table.rows(0, 1, 2).unwrap().map(Result::unwrap).collect();
    assert!(
        rows.is_empty(),
        "the far cell is outside the header's width"
    );
    let rows: Vec<Row> = table
        .rows(0, 0, MAX_COLUMNS)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].0, 1_048_575);
    assert_eq!(rows[1].1.len(), MAX_COLUMNS);
}

#[test]
fn streamed_rows_match_the_whole_reading() {
    let text = "导出时间: 2026-11-01\n\n回访单号,回访类型\nH1,安装回访\nH2,\"三个,月\"\n";
    let whole = read_table("回访.csv", text.as_bytes()).unwrap();
    let mut table = open_table("回访.csv", text.as_bytes()).unwrap();
    let streamed: Vec<Row> = table
        .rows(0, 2, MAX_COLUMNS)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let expected: Vec<Row> = whole[0].rows.iter().cloned().enumerate().skip(2).collect();
    assert_eq!(streamed, expected);
    assert_eq!(table.heads[0].rows, whole[0].rows);

    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "标题").unwrap();
    sheet.write_string(2, 0, "编号").unwrap();
    sheet.write_string(2, 2, "得分").unwrap();
    sheet.write_number(3, 0, 7.0).unwrap();
    sheet.write_number(3, 2, 4.5).unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    let whole = read_table("x.xlsx", &bytes).unwrap();
    let mut table = open_table("x.xlsx", &bytes).unwrap();
    // The same cells; a streamed row ends at its last cell.
    let trimmed = |rows: &[Vec<Cell>]| -> Vec<Vec<Cell>> {
        rows.iter()
            .map(|row| {
                let end = row
                    .iter()
                    .rposition(|c| *c != Cell::Empty)
                    .map_or(0, |i| i + 1);
                row[..end].to_vec()
            })
            .collect()
    };
    assert_eq!(table.heads[0].rows, trimmed(&whole[0].rows));
    let streamed: Vec<Row> = table.rows(0, 3, 3).unwrap().map(Result::unwrap).collect();
    assert_eq!(
        streamed,
        vec![(3, vec![Cell::Number(7.0), Cell::Empty, Cell::Number(4.5)])]
    );
}

/// Opens a text file for streaming as the pipeline does: one handle.
fn open_path(name: &str, path: &std::path::Path) -> Result<Table<'static>, TableError> {
    let file = std::fs::File::open(path).unwrap();
    let len = file.metadata().unwrap().len();
    open_text_file(name, file, len)
}

#[test]
fn a_text_file_read_from_disk_gives_the_same_rows() {
    let gbk = encoding_rs::GBK
        .encode("导出时间: 2026-11-01\n回访单号,回访类型\nH1,安装回访\n")
        .0
        .into_owned();
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "姓名\t得分\r\n张三\t5\r\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    // Mostly UTF-8 with one broken byte: only that cell changes.
    let mut broken = "编号,意见\n1,很好的床垫\n2,送货".as_bytes().to_vec();
    broken.push(0xFF);
    broken.extend_from_slice("太慢\n3,安装师傅专业\n".as_bytes());
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("gbk.csv", gbk),
        (
            "bom.csv",
            "\u{feff}a;b;c\n1;\"x;y\";3\n".as_bytes().to_vec(),
        ),
        ("utf16.txt", utf16),
        ("broken.csv", broken),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let whole = read_table(name, &bytes).unwrap();
        let mut table = open_path(name, &path).unwrap();
        assert_eq!(table.heads[0].rows, whole[0].rows, "{name}");
        let streamed: Vec<Vec<Cell>> = table
            .rows(0, 0, MAX_COLUMNS)
            .unwrap()
            .map(|row| row.unwrap().1)
            .collect();
        assert_eq!(streamed, whole[0].rows, "{name}");
    }
    // Longer than the 256 KiB sniffed for the separator, with the cut
    // inside a three-byte character.
    let mut long = String::from("编号,意见\n");
    let mut n = 0;
    while long.len() < (1 << 18) + 4096 {
        n += 1;
        long.push_str(&format!("{n},送货很慢\n"));
    }
    assert!(
        !long.is_char_boundary(1 << 18),
        "the cut is inside a character"
    );
    let long_path = dir.path().join("long.csv");
    std::fs::write(&long_path, &long).unwrap();
    let mut table = open_path("long.csv", &long_path).unwrap();
    assert_eq!(table.rows(0, 1, MAX_COLUMNS).unwrap().count(), n);

    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, " \n\n").unwrap();
    assert!(matches!(
        open_path("empty.csv", &empty),
        Err(TableError::Empty)
    ));
}

#[test]
fn numbers_print_like_typed() {
    assert_eq!(format_number(3.0), "3");
    assert_eq!(format_number(3.5), "3.5");
    assert_eq!(format_number(1e300), "1e300");
}
