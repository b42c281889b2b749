//! Every way RFC 8493 lets a bag be invalid, each refused with its reason; the SHOULDs
//! warned about; and bags exchanged with bagit-python both ways.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::bagit_python;

use kartoteka_bagit::{validate, Algorithm, BagWriter, Report, ValidateOptions};

fn write_bag(dir: &Path, files: &[(&str, &[u8])]) -> PathBuf {
    let dest = dir.join("bag");
    let mut w = BagWriter::create(&dest, &[Algorithm::Sha256, Algorithm::Sha512]).unwrap();
    for (path, bytes) in files {
        w.add_payload(path, &mut &bytes[..]).unwrap();
    }
    w.add_tag_file("kartoteka/description.json", b"{}").unwrap();
    w.finish(&[
        ("Source-Organization".into(), "Архив А".into()),
        ("Bagging-Date".into(), "2026-11-27".into()),
        ("External-Identifier".into(), "ф. 17, оп. 171".into()),
    ])
    .unwrap()
}

fn sample(dir: &Path) -> PathBuf {
    write_bag(
        dir,
        &[
            (
                "data/ф. 17/оп. 171/д. 409/л. 1.txt",
                "Протокол допроса".as_bytes(),
            ),
            ("data/ф. 17/оп. 171/д. 409/л. 2.txt", b"second sheet"),
            ("data/notes/100% sure.txt", b"percent"),
        ],
    )
}

fn check(bag: &Path) -> Report {
    validate(bag, &ValidateOptions::default(), &|_| {})
}

fn errors(report: &Report) -> String {
    report
        .errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn warnings(report: &Report) -> String {
    report
        .warnings
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts the bag is refused with a reason containing `needle`.
fn refused(bag: &Path, needle: &str) {
    let report = check(bag);
    assert!(
        !report.is_valid(),
        "accepted a bag that should fail with {needle:?}"
    );
    assert!(
        errors(&report).contains(needle),
        "expected {needle:?} in:\n{}",
        errors(&report)
    );
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, f(text)).unwrap();
}

/// Rewrites a manifest and then the tag manifests, so that only the change under test is wrong.
fn edit_manifest(bag: &Path, name: &str, f: impl FnOnce(String) -> String) {
    edit(&bag.join(name), f);
    retag(bag);
}

fn retag(bag: &Path) {
    for alg in ["sha256", "sha512"] {
        let tm = bag.join(format!("tagmanifest-{alg}.txt"));
        let text = std::fs::read_to_string(&tm).unwrap();
        let mut out = String::new();
        for line in text.lines() {
            let (_, path) = line.split_once("  ").unwrap();
            let a = Algorithm::from_name(alg).unwrap();
            let (d, _) = kartoteka_bagit::hash_file(&bag.join(path), &[a]).unwrap();
            out.push_str(&format!("{}  {path}\n", d[0].1));
        }
        std::fs::write(tm, out).unwrap();
    }
}

#[test]
fn a_bag_we_write_is_valid_with_no_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let bag = sample(dir.path());
    let report = check(&bag);
    assert!(report.is_valid(), "{}", errors(&report));
    assert!(report.warnings.is_empty(), "{}", warnings(&report));
    assert_eq!(report.payload.len(), 3);
    assert_eq!(report.version, Some((1, 0)));
    assert_eq!(
        report.info_values("External-Identifier"),
        ["ф. 17, оп. 171"]
    );
    let oxum = report.info_values("Payload-Oxum")[0].to_string();
    assert_eq!(oxum, format!("{}.3", report.payload_bytes));
    assert!(report
        .payload
        .iter()
        .all(|p| p.sha256.as_ref().is_some_and(|h| h.len() == 64)));
    let manifest = std::fs::read_to_string(bag.join("manifest-sha256.txt")).unwrap();
    assert!(
        manifest.contains("data/notes/100%25 sure.txt"),
        "a % in a name is encoded"
    );
    assert!(!dir.path().read_dir().unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .contains("partial")));
}

#[test]
fn missing_extra_and_changed_payload_files() {
    let dir = tempfile::tempdir().unwrap();
    let bag = sample(dir.path());
    std::fs::remove_file(bag.join("data/ф. 17/оп. 171/д. 409/л. 2.txt")).unwrap();
    refused(&bag, "л. 2.txt is listed but not in the bag");

    let dir = tempfile::tempdir().unwrap();
    let bag = sample(dir.path());
    std::fs::write(bag.join("data/stowaway.txt"), b"x").unwrap();
    refused(
        &bag,
        "data/stowaway.txt: is in the payload but not listed in manifest-sha256.txt",
    );

    let dir = tempfile::tempdir().unwrap();
    let bag = sample(dir.path());
    std::fs::write(
        bag.join("data/ф. 17/оп. 171/д. 409/л. 1.txt"),
        "Протокол допроса!".as_bytes(),
    )
    .unwrap();
    refused(&bag, "sha256 checksum does not match manifest-sha256.txt");
    refused(&bag, "sha512 checksum does not match manifest-sha512.txt");
    refused(&bag, "Payload-Oxum says");

    let dir = tempfile::tempdir().unwrap();
    let bag = sample(dir.path());
    let truncated = bag.join("data/ф. 17/оп. 171/д. 409/л. 1.txt");
    let bytes = std::fs::read(&truncated).unwrap();
    std::fs::write(&truncated, &bytes[..5]).unwrap();
    refused(&bag, "checksum does not match");
}

#[test]
fn manifest_lines_that_break_the_rules() {
    type Case = (&'static str, fn(String) -> String, &'static str);
    let cases: [Case; 8] = [
        (
            "listed twice, another checksum",
            |t| {
                let path = t
                    .lines()
                    .next()
                    .unwrap()
                    .split_once("  ")
                    .unwrap()
                    .1
                    .to_string();
                format!("{t}{}  {path}\n", "0".repeat(64))
            },
            "with different checksums",
        ),
        (
            "parent traversal",
            |t| format!("{t}{}  ../../etc/passwd\n", "0".repeat(64)),
            "climbs out",
        ),
        (
            "absolute",
            |t| format!("{t}{}  /etc/passwd\n", "0".repeat(64)),
            "absolute path",
        ),
        (
            "outside data",
            |t| format!("{t}{}  bag-info.txt\n", "0".repeat(64)),
            "is not in data/",
        ),
        (
            "short checksum",
            |t| format!("{t}abc  data/x\n"),
            "is not a sha256 checksum",
        ),
        (
            "bare percent naming no file",
            |t| t.replace("100%25 sure", "100%2 sure"),
            "listed but not in the bag",
        ),
        ("blank line", |t| format!("{t}\n"), "not \"CHECKSUM PATH\""),
        (
            "no separator",
            |t| format!("{t}{}\n", "0".repeat(64)),
            "not \"CHECKSUM PATH\"",
        ),
    ];
    for (what, change, needle) in cases {
        let dir = tempfile::tempdir().unwrap();
        let bag = sample(dir.path());
        edit_manifest(&bag, "manifest-sha256.txt", change);
        let report = check(&bag);
        assert!(!report.is_valid(), "{what} was accepted");
        assert!(
            errors(&report).contains(needle),
            "{what}: expected {needle:?} in\n{}",
            errors(&report)
        );
    }
}

#[test]
fn the_declaration_must_be_exact() {
    let cases: [(&str, &[u8], &str); 5] = [
        (
            "space before the colon",
            b"BagIt-Version : 1.0\nTag-File-Character-Encoding: UTF-8\n",
            "must read",
        ),
        (
            "byte-order mark",
            b"\xEF\xBB\xBFBagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
            "byte-order mark",
        ),
        (
            "third line",
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\nX: y\n",
            "exactly two lines",
        ),
        (
            "unknown encoding",
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding: EBCDIC-XYZ\n",
            "unknown character encoding",
        ),
        (
            "not UTF-8",
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding: \xff\n",
            "is not UTF-8",
        ),
    ];
    for (what, bytes, needle) in cases {
        let dir = tempfile::tempdir().unwrap();
        let bag = sample(dir.path());
        std::fs::write(bag.join("bagit.txt"), bytes).unwrap();
        let report = check(&bag);
        assert!(
            errors(&report).contains(needle),
            "{what}: {}",
            errors(&report)
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let bag = sample(dir.path());
    std::fs::remove_file(bag.join("bagit.txt")).unwrap();
    refused(&bag, "bagit.txt: cannot be read");
    let dir = tempfile::tempdir().unwrap();
    let bag = sample(dir.path());
    std::fs::rename(bag.join("data"), bag.join("payload")).unwrap();
    refused(&bag, "no data/ folder");
}

#[test]
fn tag_files_in_the_wrong_encoding_or_changed() {
    let dir = tempfile::tempdir().unwrap();
    let bag = sample(dir.path());
    // bag-info.txt rewritten in Windows-1251 while bagit.txt declares UTF-8.
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode("Source-Organization: Архив Б\n");
    std::fs::write(bag.join("bag-info.txt"), &cp1251[..]).unwrap();
    refused(&bag, "bag-info.txt: is not valid UTF-8");

    // The same file, declared: valid, with a warning to use UTF-8.
    let dir = tempfile::tempdir().unwrap();
    let bag = write_bag(dir.path(), &[("data/a.txt", b"a")]);
    std::fs::write(
        bag.join("bagit.txt"),
        b"BagIt-Version: 1.0\nTag-File-Character-Encoding: windows-1251\n",
    )
    .unwrap();
    let (info, _, _) =
        encoding_rs::WINDOWS_1251.encode("Source-Organization: Архив Б\nPayload-Oxum: 1.1\n");
    std::fs::write(bag.join("bag-info.txt"), &info[..]).unwrap();
    retag(&bag);
    let report = check(&bag);
    assert!(report.is_valid(), "{}", errors(&report));
    assert_eq!(report.info_values("Source-Organization"), ["Архив Б"]);
    assert!(warnings(&report).contains("recommends UTF-8"));

    // bag-info.txt edited after bagging: the tag manifest catches it.
    let dir = tempfile::tempdir().unwrap();
    let bag = sample(dir.path());
    edit(&bag.join("bag-info.txt"), |t| {
        t.replace("Архив А", "Архив Б")
    });
    refused(
        &bag,
        "bag-info.txt: sha256 checksum does not match tagmanifest-sha256.txt",
    );

    // A label with a space before its colon.
    let dir = tempfile::tempdir().unwrap();
    let bag = sample(dir.path());
    edit(&bag.join("bag-info.txt"), |t| {
        t.replace("Source-Organization:", "Source-Organization :")
    });
    retag(&bag);
    refused(&bag, "white space before its colon");

    // A tag manifest that lists a payload file.
    let dir = tempfile::tempdir().unwrap();
    let bag = sample(dir.path());
    edit(&bag.join("tagmanifest-sha256.txt"), |t| {
        format!("{t}{}  data/notes/100%25 sure.txt\n", "0".repeat(64))
    });
    refused(&bag, "a tag manifest lists only tag files");
}

#[test]
fn unicode_normal_forms_and_case() {
    // The manifest says NFC, the file system holds NFD (as macOS writes it): valid, warned.
    let dir = tempfile::tempdir().unwrap();
    let nfc = "data/Хрущёв.txt";
    let bag = write_bag(dir.path(), &[(nfc, b"x")]);
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd(nfc).collect();
    assert_ne!(nfd, nfc);
    std::fs::rename(bag.join(nfc), bag.join(&nfd)).unwrap();
    let report = check(&bag);
    assert!(report.is_valid(), "{}", errors(&report));
    assert!(warnings(&report).contains("another Unicode normal form"));

    // Both forms on disk at once: no manifest can tell them apart.
    std::fs::write(bag.join(nfc), b"y").unwrap();
    refused(&bag, "differ only in Unicode normalisation");

    // Names that differ only in case: valid here, warned for Windows and macOS.
    let dir = tempfile::tempdir().unwrap();
    let bag = write_bag(
        dir.path(),
        &[("data/Report.txt", b"a"), ("data/report.txt", b"b")],
    );
    let report = check(&bag);
    assert!(report.is_valid(), "{}", errors(&report));
    assert!(warnings(&report).contains("differ only in case"));
}

#[test]
fn links_fetch_lists_and_weak_algorithms() {
    let dir = tempfile::tempdir().unwrap();
    let bag = sample(dir.path());
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc/passwd", bag.join("data/passwd")).unwrap();
        refused(&bag, "is a symbolic link");
    }
    let dir = tempfile::tempdir().unwrap();
    let bag = sample(dir.path());
    std::fs::write(
        bag.join("fetch.txt"),
        "https://example.org/big.tif 12 data/big.tif\n",
    )
    .unwrap();
    edit_manifest(&bag, "manifest-sha256.txt", |t| {
        format!("{t}{}  data/big.tif\n", "0".repeat(64))
    });
    refused(&bag, "the bag is incomplete");

    // An old bag with only an MD5 manifest is valid, with a warning.
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("old");
    let mut w = BagWriter::create(&dest, &[Algorithm::Md5]).unwrap();
    w.add_payload("data/a.txt", &mut &b"abc"[..]).unwrap();
    w.finish(&[]).unwrap();
    let report = check(&dest);
    assert!(report.is_valid(), "{}", errors(&report));
    assert!(warnings(&report).contains("no longer safe"));
    assert_eq!(
        std::fs::read_to_string(dest.join("manifest-md5.txt")).unwrap(),
        "900150983cd24fb0d6963f7d28e17f72  data/a.txt\n"
    );
}

/// Issue 15, class 4: the bag's own files are read only when they are regular files of
/// the bag, of bounded size, and what an error quotes of them is a short, escaped excerpt.
#[cfg(unix)]
#[test]
fn the_declaration_and_tag_files_are_never_followed_out_of_the_bag() {
    use std::time::{Duration, Instant};

    let secret_dir = tempfile::tempdir().unwrap();
    let secret = secret_dir.path().join("passphrase");
    std::fs::write(&secret, "correct horse battery staple\nsecond line\n").unwrap();
    // bagit.txt as a link to a secret: refused, and nothing of the secret is printed.
    for (target, what) in [
        (secret.as_path(), "a secret"),
        (Path::new("/dev/zero"), "a device"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let bag = sample(dir.path());
        std::fs::remove_file(bag.join("bagit.txt")).unwrap();
        std::os::unix::fs::symlink(target, bag.join("bagit.txt")).unwrap();
        let started = Instant::now();
        let report = check(&bag);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{what}: took too long"
        );
        assert!(!report.is_valid());
        let text = errors(&report);
        assert!(text.contains("symbolic link"), "{what}: {text}");
        assert!(!text.contains("horse"), "{what}: the secret leaked: {text}");
    }
    // A manifest or bag-info.txt as a link: refused the same way, not read.
    for name in ["manifest-sha256.txt", "bag-info.txt"] {
        let dir = tempfile::tempdir().unwrap();
        let bag = sample(dir.path());
        std::fs::remove_file(bag.join(name)).unwrap();
        std::os::unix::fs::symlink(&secret, bag.join(name)).unwrap();
        let text = errors(&check(&bag));
        assert!(text.contains("symbolic link"), "{name}: {text}");
        assert!(!text.contains("horse"), "{name}: the secret leaked: {text}");
    }
    // bagit.txt as a FIFO: refused at once, never waited on.
    let dir = tempfile::tempdir().unwrap();
    let bag = sample(dir.path());
    std::fs::remove_file(bag.join("bagit.txt")).unwrap();
    let made = Command::new("mkfifo").arg(bag.join("bagit.txt")).status();
    if made.is_ok_and(|s| s.success()) {
        let started = Instant::now();
        refused(&bag, "not a regular file");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
    // A declaration of a megabyte is refused by its size, not read.
    let dir = tempfile::tempdir().unwrap();
    let bag = sample(dir.path());
    std::fs::write(bag.join("bagit.txt"), "x".repeat(1 << 20)).unwrap();
    refused(&bag, "bytes; more than");
    // A long bad line is quoted in part, with its control characters escaped.
    let dir = tempfile::tempdir().unwrap();
    let bag = sample(dir.path());
    let long = format!("\u{1b}[2J{}", "A".repeat(3000));
    std::fs::write(
        bag.join("bagit.txt"),
        format!("{long}\nTag-File-Character-Encoding: UTF-8\n"),
    )
    .unwrap();
    let text = errors(&check(&bag));
    assert!(text.len() < 1000, "an error of {} bytes", text.len());
    assert!(
        !text.contains('\u{1b}'),
        "a terminal escape reached the error: {text:?}"
    );
    assert!(text.contains("\\u{1b}[2JAAAA"), "{text}");
}

#[test]
fn a_bag_still_being_written_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bag = sample(dir.path());
    let late = bag.join("data/late arrival.txt");
    let report = validate(&bag, &ValidateOptions { threads: 1 }, &|_| {
        let _ = std::fs::write(&late, b"still copying");
    });
    assert!(
        errors(&report).contains("changed while it was being validated"),
        "{}",
        errors(&report)
    );
}

#[test]
fn the_writer_refuses_unsafe_paths_and_leaves_nothing_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("bag");
    {
        let mut w = BagWriter::create(&dest, &[Algorithm::Sha256]).unwrap();
        assert!(w
            .add_payload("data/../../escape.txt", &mut &b"x"[..])
            .is_err());
        assert!(w.add_payload("/etc/passwd", &mut &b"x"[..]).is_err());
        w.add_payload("data/a.txt", &mut &b"x"[..]).unwrap();
        assert!(
            w.add_payload("data/a.txt", &mut &b"y"[..]).is_err(),
            "same path twice"
        );
        // Dropped without finish: an export that failed half-way.
    }
    assert!(!dest.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "the partial bag is removed"
    );
    assert!(!dir.path().join("escape.txt").exists());
    std::fs::create_dir(&dest).unwrap();
    assert!(
        BagWriter::create(&dest, &[Algorithm::Sha256]).is_err(),
        "an existing folder is not overwritten"
    );
}

#[test]
fn bags_round_trip_with_bagit_python() {
    if !bagit_python() {
        return;
    }
    // Ours validate with theirs. (Not with a % in a name: RFC 8493 has it written %25,
    // and bagit-python 1.9 neither writes nor reads that; the exporter avoids such names.)
    let dir = tempfile::tempdir().unwrap();
    let bag = write_bag(
        dir.path(),
        &[
            (
                "data/ф. 17/оп. 171/д. 409/л. 1.txt",
                "Протокол допроса".as_bytes(),
            ),
            ("data/Report.txt", b"line one\r\nline two"),
        ],
    );
    let out = Command::new("python3")
        .args(["-m", "bagit", "--validate"])
        .arg(&bag)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bagit.py refused our bag: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Theirs validate with ours, with both of their default manifests.
    let theirs = dir.path().join("theirs");
    std::fs::create_dir_all(theirs.join("ф. 3/оп. 1/д. 7")).unwrap();
    std::fs::write(
        theirs.join("ф. 3/оп. 1/д. 7/л. 1.txt"),
        "Агент «ХОЛА»".as_bytes(),
    )
    .unwrap();
    std::fs::write(theirs.join("readme.txt"), b"hello").unwrap();
    let out = Command::new("python3")
        .args([
            "-m",
            "bagit",
            "--contact-name",
            "Василий Митрохин",
            "--source-organization",
            "Архив",
        ])
        .arg(&theirs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = check(&theirs);
    assert!(report.is_valid(), "{}", errors(&report));
    assert_eq!(report.payload.len(), 2);
    assert_eq!(report.info_values("Contact-Name"), ["Василий Митрохин"]);

    // A bare % in a name, as bagit-python writes it, breaks the RFC's rule that it be
    // written %25; the file is there under that name, so the bag is accepted, warned.
    let pct = dir.path().join("pct");
    std::fs::create_dir_all(&pct).unwrap();
    std::fs::write(pct.join("50% off.txt"), b"x").unwrap();
    let out = Command::new("python3")
        .args(["-m", "bagit"])
        .arg(&pct)
        .output()
        .unwrap();
    assert!(out.status.success());
    let report = check(&pct);
    assert!(report.is_valid(), "{}", errors(&report));
    assert!(warnings(&report).contains("read as a literal %"));

    // And the changes bagit-python itself refuses, we refuse too.
    std::fs::write(theirs.join("data/readme.txt"), b"HELLO").unwrap();
    refused(&theirs, "checksum does not match");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Whatever the tag files hold, validation answers with reasons and never panics; and
    /// a changed manifest is never taken for the original.
    #[test]
    fn garbage_in_tag_files_is_refused_not_fatal(
        which in 0usize..5,
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let bag = sample(dir.path());
        let name = ["bagit.txt", "manifest-sha256.txt", "bag-info.txt", "tagmanifest-sha512.txt", "fetch.txt"][which];
        let before = std::fs::read(bag.join(name)).unwrap_or_default();
        std::fs::write(bag.join(name), &bytes).unwrap();
        let report = check(&bag);
        // An empty tag manifest or fetch list lists nothing, which is allowed; any other
        // change breaks a checksum, a line's form or the declaration.
        let harmless = bytes.is_empty() && (name.starts_with("tagmanifest") || name == "fetch.txt");
        if bytes != before && !harmless {
            proptest::prop_assert!(!report.is_valid(), "{name} = {bytes:?} was accepted");
        }
    }
}

/// A bag made in memory is the bag `BagWriter` writes, byte for byte, file for file, and
/// it validates; its checks refuse what the writer refuses.
#[test]
fn a_bag_made_in_memory_is_the_bag_the_writer_writes() {
    let dir = tempfile::tempdir().unwrap();
    let on_disk = sample(dir.path());
    let payload: Vec<(String, Vec<u8>)> = vec![
        (
            "data/ф. 17/оп. 171/д. 409/л. 1.txt".into(),
            "Протокол допроса".as_bytes().to_vec(),
        ),
        (
            "data/ф. 17/оп. 171/д. 409/л. 2.txt".into(),
            b"second sheet".to_vec(),
        ),
        ("data/notes/100% sure.txt".into(), b"percent".to_vec()),
    ];
    let info = [
        ("Source-Organization".to_string(), "Архив А".to_string()),
        ("Bagging-Date".to_string(), "2026-11-27".to_string()),
        (
            "External-Identifier".to_string(),
            "ф. 17, оп. 171".to_string(),
        ),
    ];
    let files = kartoteka_bagit::bag_in_memory(
        payload.clone(),
        vec![("kartoteka/description.json".into(), b"{}".to_vec())],
        &info,
        &[Algorithm::Sha256, Algorithm::Sha512],
    )
    .unwrap();
    let mut names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.last().unwrap().starts_with("tagmanifest-"));
    names.sort();
    let mut written = Vec::new();
    for e in walk(&on_disk) {
        written.push(
            e.strip_prefix(&on_disk)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/"),
        );
    }
    written.sort();
    assert_eq!(names, written);
    for (name, bytes) in &files {
        assert_eq!(&std::fs::read(on_disk.join(name)).unwrap(), bytes, "{name}");
    }
    let again = dir.path().join("again");
    for (name, bytes) in &files {
        let path = again.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    assert!(check(&again).is_valid(), "{}", errors(&check(&again)));

    let refuse = |payload: Vec<(String, Vec<u8>)>, tags: Vec<(String, Vec<u8>)>| {
        kartoteka_bagit::bag_in_memory(payload, tags, &[], &[Algorithm::Sha256]).is_err()
    };
    assert!(refuse(vec![("notdata/a.txt".into(), vec![])], vec![]));
    assert!(refuse(vec![("data/../a.txt".into(), vec![])], vec![]));
    assert!(refuse(
        vec![
            ("data/a.txt".into(), vec![]),
            ("data/a.txt".into(), vec![1])
        ],
        vec![]
    ));
    assert!(refuse(vec![], vec![("bag-info.txt".into(), vec![])]));
    assert!(refuse(vec![], vec![("/etc/passwd".into(), vec![])]));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
