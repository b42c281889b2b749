//! Property tests: the inventory reader and the format extractors take any bytes without
//! panicking, and report problems as errors.

use std::path::Path;

use kartoteka_archive::formats::{detect_format, read_pages, Limits, Ocr};
use kartoteka_archive::inventory::Inventory;
use kartoteka_model::Format;
use proptest::prelude::*;

proptest! {
    #[test]
    fn inventory_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        let _ = Inventory::parse(&bytes, "fuzz.csv", Path::new("/in"));
    }

    #[test]
    fn inventory_rows_near_valid(rows in proptest::collection::vec(
        ("(ф|оп|д|л|f|op)?[.]? ?[0-9]{0,4}(, (оп|д)[.] [0-9]{1,3}){0,3}", "[a-z./]{0,12}", "[0-9]{0,4}(-[0-9]{4})?", "[0-9x]{0,3}"), 0..12)) {
        let mut csv = String::from("reference,path,dates,sheets\n");
        for (r, p, d, s) in &rows {
            csv.push_str(&format!("\"{r}\",{p},{d},{s}\n"));
        }
        if let Ok(inv) = Inventory::parse(csv.as_bytes(), "fuzz.csv", Path::new("/in")) {
            // Every row is either used or reported, never lost.
            prop_assert!(inv.rows.len() <= rows.len());
            for row in &inv.rows {
                if let Some(p) = &row.path {
                    prop_assert!(p.starts_with("/in"), "inventory paths stay in the inventory's folder: {}", p.display());
                }
            }
        }
    }

    #[test]
    fn extractors_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048), which in 0usize..5) {
        let format = [Format::Text, Format::Markdown, Format::Html, Format::Pdf, Format::Docx][which];
        let _ = read_pages(format, &bytes, &Limits::default(), &Ocr::disabled());
        let _ = detect_format("x.bin", &bytes);
    }

    #[test]
    fn html_like_input_never_panics(s in "(<[a-z/!-]{0,8}[^>]{0,10}>?|&[#a-z0-9]{0,8};?|[а-яa-z ]{0,10}){0,30}") {
        match read_pages(Format::Html, s.as_bytes(), &Limits::default(), &Ocr::disabled()) {
            Ok(e) => prop_assert!(!e.pages.is_empty()),
            // Only NUL bytes make markup undecodable.
            Err(e) => prop_assert!(s.contains('\0'), "{e}"),
        }
    }
}

/// A small zip of a folder of three files.
fn small_zip() -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in [
        ("a/opis.csv", "reference,path\n"),
        ("a/d1/l1.txt", "текст"),
        ("a/d2/l1.txt", "text"),
    ] {
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Every file under `dir`.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// An upload, however damaged, unpacks whole or not at all, and never beside its folder.
    #[test]
    fn a_damaged_upload_unpacks_inside_its_folder_or_not_at_all(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
    ) {
        let mut bytes = small_zip();
        for (at, value) in &flips {
            let i = at.index(bytes.len());
            bytes[i] = *value;
        }
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("upload.zip");
        std::fs::write(&zip, &bytes).unwrap();
        let into = dir.path().join("out");
        let result = kartoteka_archive::unpack_upload(&zip, &into, Default::default());
        let everything = files_under(dir.path());
        for f in &everything {
            prop_assert!(f == &zip || f.starts_with(&into), "written outside: {}", f.display());
        }
        if result.is_err() {
            prop_assert!(!into.exists(), "a refused upload leaves no folder");
        }
    }
}
