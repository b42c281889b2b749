//! The classes of bag in the Library of Congress bagit-conformance-suite, made here: valid
//! bags (which must be accepted), warning bags (accepted, with a warning), invalid bags
//! (refused, for the reason the case is about) and the Linux-only bags (names with a line
//! break in them). Each case is built from its description rather than copied, for every
//! BagIt version the suite covers where the case applies, and each is also put to
//! bagit-python when it is installed, so that a case that does not say what it claims to
//! (a "valid" bag the reference tool refuses) shows up.
//!
//! The one place we mean to differ from bagit-python is kept as a case of its own: white
//! space before a colon in a BagIt 1.0 bag, which RFC 8493 forbids and bagit-python accepts.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::bagit_python;

use kartoteka_bagit::{validate, Algorithm, MultiHasher, Report, ValidateOptions};

/// How a tag file's text becomes bytes.
#[derive(Clone, Copy)]
enum Encoding {
    Utf8,
    /// UTF-16, big-endian, with a byte-order mark.
    Utf16Bom,
}

impl Encoding {
    fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Encoding::Utf8 => text.as_bytes().to_vec(),
            Encoding::Utf16Bom => {
                let mut out = vec![0xFE, 0xFF];
                for unit in text.encode_utf16() {
                    out.extend_from_slice(&unit.to_be_bytes());
                }
                out
            }
        }
    }
}

/// A bag to be written: its declaration, payload, manifests and tag files, any of them
/// overridden by a case.
#[derive(Clone)]
struct Bag {
    version: &'static str,
    /// The label bagit.txt gives the tag files' encoding.
    encoding_label: &'static str,
    encoding: Encoding,
    /// bagit.txt as bytes, when a case writes it by hand.
    bagit_txt: Option<Vec<u8>>,
    /// Payload files: path on disk (under the bag) and bytes.
    payload: Vec<(String, Vec<u8>)>,
    algorithm: Algorithm,
    /// Manifest lines written by hand: (path as written, bytes whose checksum it gives).
    lines: Option<Vec<(String, Vec<u8>)>>,
    /// Other tag files: name and text.
    tags: Vec<(String, String)>,
    tag_manifest: bool,
    data_dir: bool,
}

impl Bag {
    fn new(version: &'static str) -> Bag {
        let info = if version < "0.96" {
            "package-info.txt"
        } else {
            "bag-info.txt"
        };
        Bag {
            version,
            encoding_label: "UTF-8",
            encoding: Encoding::Utf8,
            bagit_txt: None,
            payload: vec![
                (
                    "data/text-file.txt".into(),
                    b"This is a text file.\n".to_vec(),
                ),
                ("data/bare-filename".into(), b"no extension\n".to_vec()),
            ],
            algorithm: Algorithm::Sha512,
            lines: None,
            tags: vec![(
                info.into(),
                "Bag-Software-Agent: test\nBagging-Date: 2026-12-05\nPayload-Oxum: 34.2\n".into(),
            )],
            tag_manifest: true,
            data_dir: true,
        }
    }

    fn algorithm(mut self, a: Algorithm) -> Bag {
        self.algorithm = a;
        self
    }

    fn payload(mut self, files: &[(&str, &[u8])]) -> Bag {
        self.payload = files
            .iter()
            .map(|(p, b)| (p.to_string(), b.to_vec()))
            .collect();
        let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
        self.set_info(&format!("Payload-Oxum: {bytes}.{}\n", files.len()));
        self
    }

    /// Manifest lines as written, each with the content its checksum is of.
    fn lines(mut self, lines: &[(&str, &[u8])]) -> Bag {
        self.lines = Some(
            lines
                .iter()
                .map(|(p, b)| (p.to_string(), b.to_vec()))
                .collect(),
        );
        self
    }

    fn set_info(&mut self, text: &str) {
        let name = self.tags[0].0.clone();
        self.tags[0] = (name, text.to_string());
    }

    fn info(mut self, text: &str) -> Bag {
        self.set_info(text);
        self
    }

    fn tag(mut self, name: &str, text: &str) -> Bag {
        self.tags.push((name.into(), text.into()));
        self
    }

    fn write(&self, dir: &Path) -> PathBuf {
        let root = dir.join("bag");
        std::fs::create_dir_all(&root).unwrap();
        if self.data_dir {
            std::fs::create_dir_all(root.join("data")).unwrap();
        }
        for (path, bytes) in &self.payload {
            let at = root.join(path);
            std::fs::create_dir_all(at.parent().unwrap()).unwrap();
            std::fs::write(at, bytes).unwrap();
        }
        let bagit = self.bagit_txt.clone().unwrap_or_else(|| {
            format!(
                "BagIt-Version: {}\nTag-File-Character-Encoding: {}\n",
                self.version, self.encoding_label
            )
            .into_bytes()
        });
        std::fs::write(root.join("bagit.txt"), &bagit).unwrap();
        let lines: Vec<(String, Vec<u8>)> = self.lines.clone().unwrap_or_else(|| {
            self.payload
                .iter()
                .map(|(p, b)| (encode_path(p), b.clone()))
                .collect()
        });
        let manifest: String = lines
            .iter()
            .map(|(p, b)| format!("{}  {p}\n", hex(self.algorithm, b)))
            .collect();
        let manifest_name = format!("manifest-{}.txt", self.algorithm.name());
        let mut tag_files = vec![("bagit.txt".to_string(), bagit)];
        tag_files.push((manifest_name, self.encoding.encode(&manifest)));
        for (name, text) in &self.tags {
            tag_files.push((name.clone(), self.encoding.encode(text)));
        }
        for (name, bytes) in &tag_files {
            let at = root.join(name);
            std::fs::create_dir_all(at.parent().unwrap()).unwrap();
            std::fs::write(at, bytes).unwrap();
        }
        if self.tag_manifest {
            let text: String = tag_files
                .iter()
                .map(|(name, bytes)| format!("{}  {name}\n", hex(self.algorithm, bytes)))
                .collect();
            std::fs::write(
                root.join(format!("tagmanifest-{}.txt", self.algorithm.name())),
                self.encoding.encode(&text),
            )
            .unwrap();
        }
        root
    }
}

fn hex(algorithm: Algorithm, bytes: &[u8]) -> String {
    let mut h = MultiHasher::new(&[algorithm]);
    h.update(bytes);
    h.finish().0.remove(0).1
}

fn encode_path(path: &str) -> String {
    kartoteka_bagit::tagfile::encode_path(path)
}

/// What the suite says of a bag.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// Accepted with no warning needed.
    Valid,
    /// Accepted, with a warning containing this.
    Warning(&'static str),
    /// Refused, with a reason containing this.
    Invalid(&'static str),
}

struct Case {
    name: String,
    bag: Bag,
    expect: Expect,
    /// Why bagit-python 1.9 judges it otherwise than the suite, where it does.
    python_disagrees: Option<&'static str>,
}

impl Case {
    fn python_disagrees(mut self, why: &'static str) -> Case {
        self.python_disagrees = Some(why);
        self
    }
}

fn case(name: &str, bag: Bag, expect: Expect) -> Case {
    Case {
        name: format!("v{}/{name}", bag.version),
        bag,
        expect,
        python_disagrees: None,
    }
}

const NFC: &str = "data/Núñez";

fn nfd(s: &str) -> String {
    unicode_normalization::UnicodeNormalization::nfd(s).collect()
}

/// The suite's cases for one BagIt version.
fn cases(version: &'static str) -> Vec<Case> {
    use Expect::*;
    let v = || Bag::new(version);
    let modern = version >= "0.97";
    let mut out = vec![
        case("basic-bag-md5", v().algorithm(Algorithm::Md5), Valid),
        case("basic-bag-sha1", v().algorithm(Algorithm::Sha1), Valid),
        case("basic-bag-sha224", v().algorithm(Algorithm::Sha224), Valid),
        case("basic-bag-sha256", v().algorithm(Algorithm::Sha256), Valid),
        case("basic-bag-sha512", v(), Valid),
        case(
            "duplicate-metadata-entries",
            v().info("Contact-Name: Ann\nContact-Name: Bob\nPayload-Oxum: 34.2\n"),
            Valid,
        ),
        case(
            "bag-with-escapable-characters",
            v().payload(&[
                ("data/test file with spaces.txt", b"a"),
                ("data/Протокол допроса №1.txt", b"b"),
            ]),
            Valid,
        ),
        case(
            "bag-with-empty-payload",
            v().payload(&[]).info("Bagging-Date: 2026-12-05\n"),
            Valid,
        ),
        case(
            "bag-in-a-bag",
            v().payload(&[
                (
                    "data/inner/bagit.txt",
                    b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
                ),
                (
                    "data/inner/manifest-md5.txt",
                    b"nonsense that is only payload here\n",
                ),
            ]),
            Valid,
        ),
        case(
            "custom-tag-folder",
            v().tag("metadata/mets.xml", "<mets/>\n"),
            Valid,
        ),
        case(
            "crlf-line-endings",
            v().info("Bag-Software-Agent: test\r\nPayload-Oxum: 34.2\r\n"),
            Valid,
        ),
        // A fetch list naming a file no manifest lists, with a file: URL.
        case(
            "local-fetch",
            v().tag(
                "fetch.txt",
                "file:///home/someone/source/picture.png 42000 picture.png\n",
            ),
            Warning("no payload manifest lists it"),
        ),
        // RFC 8493 2.1.3: a literal % in a name is written %25.
        case(
            "percent-encoded-filename",
            v().payload(&[("data/%test2.txt", b"percent")])
                .lines(&[("data/%25test2.txt", b"percent")]),
            Valid,
        )
        .python_disagrees("it decodes only %0A and %0D"),
        case(
            "uncommon-whitespace-tab-after-colon",
            v().info("Bag-Software-Agent:\ttest\nPayload-Oxum:\t34.2\n"),
            Valid,
        ),
        case(
            "manifest-paths-with-leading-dot-slash",
            v().lines(&[
                ("./data/text-file.txt", b"This is a text file.\n"),
                ("./data/bare-filename", b"no extension\n"),
            ]),
            Warning("begins with \"./\""),
        ),
        case(
            "md5sum-binary-mode-star",
            v().algorithm(Algorithm::Md5).lines(&[
                ("*data/text-file.txt", b"This is a text file.\n"),
                ("*data/bare-filename", b"no extension\n"),
            ]),
            Warning("as md5sum writes"),
        ),
        case(
            "same-file-listed-twice-with-same-checksum",
            v().lines(&[
                ("data/text-file.txt", b"This is a text file.\n"),
                ("data/bare-filename", b"no extension\n"),
                ("data/text-file.txt", b"This is a text file.\n"),
            ]),
            Warning("listed twice"),
        ),
        case(
            "filename-normalization",
            v().payload(&[(&nfd(NFC), b"")]).lines(&[(NFC, b"")]),
            Warning("another Unicode normal form"),
        ),
        case(
            "same-filename-listed-twice-with-different-normalization",
            v().payload(&[(NFC, b"")])
                .lines(&[(NFC, b""), (&nfd(NFC), b"")]),
            Warning("two Unicode normal forms"),
        )
        .python_disagrees("it looks for the second form on disk, which only macOS finds"),
        // bagit-python writes a % in a name as it is.
        case(
            "bare-percent-in-filename",
            v().payload(&[("data/50% off.txt", b"x")])
                .lines(&[("data/50% off.txt", b"x")]),
            Warning("read as a literal %"),
        ),
        case(
            "tag-file-not-in-tag-manifest",
            {
                let mut b = v();
                b.tag_manifest = false;
                b.tag("tagmanifest-sha512.txt", "")
                    .tag("extra-tag.txt", "listed nowhere\n")
            },
            Warning("no tag manifest lists"),
        ),
        // Invalid.
        case(
            "out-of-scope-file-paths-using-dot-notation",
            v().lines(&[
                ("data/text-file.txt", b"This is a text file.\n"),
                ("data/bare-filename", b"no extension\n"),
                ("../../../README.md", b"x"),
            ]),
            Invalid("climbs out"),
        ),
        case(
            "absolute-path-in-manifest",
            v().lines(&[
                ("data/text-file.txt", b"This is a text file.\n"),
                ("data/bare-filename", b"no extension\n"),
                ("/etc/passwd", b"x"),
            ]),
            Invalid("absolute path"),
        ),
        case(
            "bagit-with-invalid-whitespace",
            {
                let mut b = v();
                b.bagit_txt = Some(
                    format!("BagIt-Version : {version}\nTag-File-Character-Encoding: UTF-8\n")
                        .into_bytes(),
                );
                b
            },
            Invalid("must read"),
        )
        .python_disagrees("it strips white space around any colon"),
        case(
            "bagit-txt-with-byte-order-mark",
            {
                let mut b = v();
                b.bagit_txt = Some(
                    format!(
                        "\u{feff}BagIt-Version: {version}\nTag-File-Character-Encoding: UTF-8\n"
                    )
                    .into_bytes(),
                );
                b
            },
            Invalid("byte-order mark"),
        ),
        case(
            "missing-bagit-txt",
            {
                let mut b = v();
                b.bagit_txt = Some(Vec::new());
                b
            },
            Invalid("bagit.txt"),
        ),
        case(
            "missing-data-directory",
            {
                let mut b = v().payload(&[]).info("Bagging-Date: 2026-12-05\n");
                b.data_dir = false;
                b
            },
            Invalid("no data/ folder"),
        ),
        case(
            "checksum-mismatch",
            v().lines(&[
                ("data/text-file.txt", b"This is another text.\n"),
                ("data/bare-filename", b"no extension\n"),
            ]),
            Invalid("checksum does not match"),
        ),
        case(
            "file-in-manifest-missing",
            v().lines(&[
                ("data/text-file.txt", b"This is a text file.\n"),
                ("data/bare-filename", b"no extension\n"),
                ("data/gone.txt", b"x"),
            ]),
            Invalid("listed but not in the bag"),
        ),
        case(
            "file-in-payload-not-in-manifest",
            v().lines(&[("data/text-file.txt", b"This is a text file.\n")]),
            Invalid("not listed in manifest"),
        ),
        case(
            "payload-oxum-mismatch",
            v().info("Payload-Oxum: 35.2\n"),
            Invalid("Payload-Oxum"),
        ),
        case(
            "same-file-listed-twice-with-different-checksums",
            v().lines(&[
                ("data/text-file.txt", b"This is a text file.\n"),
                ("data/bare-filename", b"no extension\n"),
                ("data/text-file.txt", b"Something else.\n"),
            ]),
            Invalid("different checksums"),
        ),
        case(
            "fetched-file-still-missing",
            v().lines(&[
                ("data/text-file.txt", b"This is a text file.\n"),
                ("data/bare-filename", b"no extension\n"),
                ("data/big.tif", b"x"),
            ])
            .tag("fetch.txt", "https://example.org/big.tif 1 data/big.tif\n"),
            Invalid("the bag is incomplete"),
        ),
        case(
            "fetch-path-out-of-scope",
            v().tag("fetch.txt", "https://example.org/x 1 ../../x\n"),
            Invalid("climbs out"),
        ),
    ];
    if modern {
        // UTF-16 tag files, their encoding declared in bagit.txt (itself always UTF-8).
        let mut utf16 = v();
        utf16.encoding_label = if version == "1.0" {
            "UTF-16"
        } else {
            "UTF-16BE"
        };
        utf16.encoding = Encoding::Utf16Bom;
        out.push(case("UTF-16-encoded-tag-files", utf16, Valid));
        // The same files, but bagit.txt says UTF-8: not what the tag files are.
        let mut wrong = v();
        wrong.encoding = Encoding::Utf16Bom;
        out.push(case(
            "UTF-16-tag-files-declared-UTF-8",
            wrong,
            Invalid("is not valid UTF-8"),
        ));
    }
    if version == "1.0" {
        let twice = out.iter_mut().find(|c| {
            c.name
                .ends_with("/same-file-listed-twice-with-same-checksum")
        });
        if let Some(c) = twice {
            c.python_disagrees = Some("from 1.0 on it refuses a line repeated word for word");
        }
        // Stricter than bagit-python, on purpose: RFC 8493 has a label, a colon, one space
        // or tab, then the value; the drafts before it allowed white space either side.
        out.push(
            case(
                "bag-info-with-invalid-whitespace",
                v().info("Bag-Software-Agent : test\nPayload-Oxum: 34.2\n"),
                Invalid("white space before its colon"),
            )
            .python_disagrees("it strips white space around any colon"),
        );
    } else {
        out.push(case(
            "bag-info-with-draft-whitespace",
            v().info("Bag-Software-Agent : test\nPayload-Oxum :  34.2\n"),
            Warning("allowed before BagIt 1.0"),
        ));
    }
    out
}

/// The Linux-only cases: names with a line feed or carriage return, which the manifest
/// percent-encodes (RFC 8493 2.1.3); and the same names written bare, which cannot be.
#[cfg(target_os = "linux")]
fn linux_cases(version: &'static str) -> Vec<Case> {
    let v = || Bag::new(version);
    vec![case(
        "bag-with-line-breaks-in-filenames",
        v().payload(&[
            ("data/line\nfeed.txt", b"lf"),
            ("data/carriage\rreturn.txt", b"cr"),
        ]),
        Expect::Valid,
    )]
}

#[cfg(not(target_os = "linux"))]
fn linux_cases(_: &'static str) -> Vec<Case> {
    Vec::new()
}

fn problems(list: &[kartoteka_bagit::Problem]) -> String {
    list.iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn judge(case: &Case, report: &Report) -> Result<(), String> {
    let errors = problems(&report.errors);
    let warnings = problems(&report.warnings);
    match case.expect {
        Expect::Valid if report.is_valid() => Ok(()),
        Expect::Warning(needle) if report.is_valid() && warnings.contains(needle) => Ok(()),
        Expect::Invalid(needle) if !report.is_valid() && errors.contains(needle) => Ok(()),
        expect => Err(format!(
            "{}: expected {expect:?}\n  errors: {errors}\n  warnings: {warnings}",
            case.name
        )),
    }
}

const VERSIONS: [&str; 6] = ["0.93", "0.94", "0.95", "0.96", "0.97", "1.0"];

#[test]
fn every_case_of_the_conformance_suite_is_judged_as_the_suite_says() {
    let mut failures = Vec::new();
    let mut counted = 0;
    for version in VERSIONS {
        for case in cases(version).into_iter().chain(linux_cases(version)) {
            let dir = tempfile::tempdir().unwrap();
            let bag = case.bag.write(dir.path());
            let report = validate(&bag, &ValidateOptions::default(), &|_| {});
            if let Err(e) = judge(&case, &report) {
                failures.push(e);
            }
            counted += 1;
        }
    }
    assert!(counted >= 6 * 30, "only {counted} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The cases say what the reference implementation says of them, except where we chose to
/// be stricter: a case that claims "valid" for a bag bagit-python refuses would prove
/// nothing.
#[test]
fn bagit_python_agrees_with_the_cases() {
    if !bagit_python() {
        return;
    }
    let mut failures = Vec::new();
    for version in ["0.97", "1.0"] {
        for case in cases(version).into_iter().chain(linux_cases(version)) {
            let dir = tempfile::tempdir().unwrap();
            let bag = case.bag.write(dir.path());
            let out = Command::new("python3")
                .args(["-m", "bagit", "--validate", "--quiet"])
                .arg(&bag)
                .output()
                .unwrap();
            let accepted = out.status.success();
            let suite_accepts = !matches!(case.expect, Expect::Invalid(_));
            if accepted != (suite_accepts != case.python_disagrees.is_some()) {
                failures.push(format!(
                    "{}: bagit-python {} it: {}",
                    case.name,
                    if accepted { "accepts" } else { "refuses" },
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
