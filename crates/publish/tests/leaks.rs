//! Planted leaks, each hidden the way redaction fails in practice, are all caught with
//! their file, offset and rule; what is not a leak is not reported.

use std::io::Write;

use kartoteka_publish::leak::{marking_needles, LeakCheck, Needle};

fn person(forms: &[&str]) -> Vec<Needle> {
    forms
        .iter()
        .map(|f| Needle {
            text: f.to_string(),
            rule: "private person P12".to_string(),
            exact_case: false,
        })
        .collect()
}

fn check() -> LeakCheck {
    let mut needles = person(&["Соколова", "Соколовой", "Sokolova", "Верочка", "Семенова"]);
    needles.extend(marking_needles());
    LeakCheck::new(needles).unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn percent(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

fn json_escaped(text: &str) -> String {
    text.encode_utf16().map(|u| format!("\\u{u:04x}")).collect()
}

fn entities(text: &str) -> String {
    text.chars().map(|c| format!("&#{};", c as u32)).collect()
}

#[test]
fn every_planted_leak_is_caught_with_its_file_offset_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    let write = |name: &str, bytes: &[u8]| {
        let path = site.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    // An oblique case inside an HTML attribute, at a known byte offset.
    let page = "<p>Person A-17</p><img src=\"a.png\" alt=\"письмо Соколовой\">";
    write("persons/a-17.html", page.as_bytes());
    // Character references, JSON escapes, percent-encoding, a soft hyphen, capitals, ё.
    write(
        "persons/b.html",
        format!("<a title=\"{}\">x</a>", entities("Соколова")).as_bytes(),
    );
    write(
        "search/index.json",
        format!("{{\"t\":\"{}\"}}", json_escaped("Соколовой")).as_bytes(),
    );
    write(
        "links.html",
        format!("<a href=\"/p/{}\">p</a>", percent("Sokolova")).as_bytes(),
    );
    write("hyphen.txt", "Соко\u{ad}ловой".as_bytes());
    write("caps.txt", "СЕМЁНОВА".as_bytes());
    // Inside compression: a gzipped search index, a zip of data.
    write(
        "search/index.json.gz",
        &gzip("{\"w\":[\"верочка\"]}".as_bytes()),
    );
    let mut zipped = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut zipped);
        z.start_file("data/persons.csv", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all("id,name\n12,Sokolova\n".as_bytes()).unwrap();
        z.finish().unwrap();
    }
    write("dataset.zip", zipped.get_ref());
    // A file name, UTF-16 text, a marking.
    write("sokolova.csv", b"nothing");
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain("Соколова".encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    write("utf16.txt", &utf16);
    write("report.md", "**SECRET//NOFORN**\n".as_bytes());

    let report = check().check_dir(site).unwrap();
    let by_file = |f: &str| -> Vec<&kartoteka_publish::leak::Finding> {
        report
            .findings
            .iter()
            .filter(|x| x.file.to_string_lossy() == f)
            .collect()
    };
    let alt = by_file("persons/a-17.html");
    assert_eq!(alt.len(), 1, "{:?}", report.findings);
    assert_eq!(alt[0].offset as usize, page.find("Соколовой").unwrap());
    assert_eq!(alt[0].found, "Соколовой");
    assert_eq!(alt[0].rule, "private person P12");
    for f in [
        "persons/b.html",
        "search/index.json",
        "links.html",
        "hyphen.txt",
        "caps.txt",
        "search/index.json.gz",
        "dataset.zip",
        "sokolova.csv",
        "utf16.txt",
    ] {
        assert!(
            !by_file(f).is_empty(),
            "{f} not caught: {:?}",
            report.findings
        );
    }
    assert_eq!(
        by_file("search/index.json.gz")[0].inner.as_deref(),
        Some("gzip")
    );
    assert_eq!(
        by_file("dataset.zip")[0].inner.as_deref(),
        Some("data/persons.csv")
    );
    assert_eq!(
        by_file("sokolova.csv")[0].inner.as_deref(),
        Some("file name")
    );
    assert_eq!(by_file("utf16.txt")[0].offset, 2);
    let marks = by_file("report.md");
    assert!(marks
        .iter()
        .any(|m| m.withheld == "SECRET" && m.rule == "classification marking"));
    assert!(marks.iter().any(|m| m.withheld == "NOFORN"));
    assert!(!report.is_clean());
}

#[test]
fn what_is_not_a_leak_is_not_reported() {
    let dir = tempfile::tempdir().unwrap();
    // Another surname that begins with a withheld one, the word "secret" in prose, a
    // pseudonym, "(s)" in English.
    std::fs::write(
        dir.path().join("ok.html"),
        "<p>Соколовский met Person A-17; the secret police; the person(s) named; Sokolovaya street</p>"
            .as_bytes(),
    )
    .unwrap();
    let report = check().check_dir(dir.path()).unwrap();
    assert!(report.is_clean(), "{:?}", report.findings);
    assert_eq!(report.files, 1);
}

#[test]
fn a_compressed_part_that_does_not_open_cannot_pass() {
    let dir = tempfile::tempdir().unwrap();
    let mut broken = gzip(b"whatever is inside");
    broken.truncate(12);
    std::fs::write(dir.path().join("index.gz"), &broken).unwrap();
    let report = check().check_dir(dir.path()).unwrap();
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    assert!(report.findings[0].rule.contains("cannot be checked"));
}

#[test]
fn a_large_file_is_read_in_blocks_and_words_across_two_are_found_once() {
    let dir = tempfile::tempdir().unwrap();
    // Plain words to just before the first mebibyte, then a marking of two words across
    // the first block's end, then names: one after a run of white space, one escaped,
    // each at an offset known before the check.
    let mut text = String::new();
    while text.len() < (1 << 20) - 8 {
        text.push_str("x ");
    }
    // "TOP SECRET", and "SECRET" in it: each marking is a finding of its own.
    let mut planted = vec![text.len(), text.len() + 4];
    text.push_str("TOP SECRET Соколовой ");
    planted.push(text.len() - "Соколовой ".len());
    for _ in 0..20_000 {
        text.push_str("sit amet\n");
    }
    planted.push(text.len());
    text.push_str("Соколовой\n\n    ");
    planted.push(text.len());
    text.push_str("Верочка ");
    planted.push(text.len());
    text.push_str(&entities("Семенова"));
    text.push_str(" end\n");
    std::fs::write(dir.path().join("big.json"), &text).unwrap();
    for check in [check(), check().block_size(4096), check().block_size(16)] {
        let report = check.check_dir(dir.path()).unwrap();
        let offsets: Vec<usize> = report.findings.iter().map(|f| f.offset as usize).collect();
        assert_eq!(offsets, planted, "{:?}", report.findings);
        assert_eq!(report.bytes as usize, text.len());
        assert_eq!(report.findings[0].found, "TOP SECRET");
        assert_eq!(report.findings[3].found, "Соколовой");
        assert_eq!(report.findings[5].found, entities("Семенова"));
    }
}

#[test]
fn a_check_needs_something_to_look_for() {
    assert!(LeakCheck::new(vec![]).is_err());
    assert!(LeakCheck::new(person(&["\u{ad} "])).is_err());
}

proptest::proptest! {
    // A withheld name hidden anywhere in any text, in any of the ways a page or an index
    // can write it, is found at the right offset.
    #[test]
    fn a_name_hidden_anywhere_in_any_encoding_is_found(
        before in "[a-z ,.<>\"=/]{0,60}",
        after in "[a-z ,.<>\"=/]{0,60}",
        how in 0usize..5,
    ) {
        let name = "Соколовой";
        let hidden = match how {
            0 => name.to_string(),
            1 => entities(name),
            2 => json_escaped(name),
            3 => percent(name),
            _ => name.to_uppercase(),
        };
        let text = format!("{before} {hidden} {after}");
        let found = check().check_bytes(text.as_bytes());
        proptest::prop_assert!(found.iter().any(|f| f.withheld == name), "{}", text);
        let f = found.iter().find(|f| f.withheld == name).unwrap();
        proptest::prop_assert_eq!(f.offset as usize, before.len() + 1);
        let gz = check().check_bytes(&gzip(text.as_bytes()));
        proptest::prop_assert!(gz.iter().any(|f| f.withheld == name));
    }

    // A file is read a block at a time: what is found (where, as written, which rule)
    // is the same whatever the block's size, names across a block's end included.
    #[test]
    fn findings_do_not_depend_on_the_block_size(
        pieces in proptest::collection::vec((0usize..9, "[a-zа-я]{0,12}"), 1..40),
        block in 16usize..80,
    ) {
        let mut bytes = Vec::new();
        for (how, word) in &pieces {
            let piece: Vec<u8> = match how {
                0 => "Соколовой".into(),
                1 => entities("Соколова").into(),
                2 => json_escaped("Sokolova").into(),
                3 => percent("Семенова").into(),
                4 => "СОВ.\n  СЕКРЕТНО TOP SECRET".into(),
                5 => "Соко\n  \t ловой Соколовой\n\n   Соколовой".into(),
                6 => vec![0xd0, b' ', 0xff],
                7 => "\u{ad}\u{a0}ё".into(),
                _ => word.clone().into(),
            };
            bytes.extend(piece);
            bytes.push(if word.len() % 3 == 0 { b'\n' } else { b' ' });
        }
        let whole = check().check_bytes(&bytes);
        let blocks = check().block_size(block).check_bytes(&bytes);
        proptest::prop_assert_eq!(&blocks, &whole);
        proptest::prop_assert!(pieces.iter().all(|(how, _)| *how > 3) || !whole.is_empty());
    }

    // Any bytes are checked without a panic.
    #[test]
    fn any_bytes_are_checked_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..500)) {
        let _ = check().check_bytes(&bytes);
    }
}
