//! Helpers shared by the command-line tests: the binary, the sample, JSON output.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

pub fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sample")
}

pub fn kartoteka(archive: &Path) -> Command {
    let mut cmd = Command::cargo_bin("kartoteka").expect("binary");
    cmd.arg("--archive")
        .arg(archive)
        .env("KARTOTEKA_OCR", "off")
        .env("KARTOTEKA_HEAD_KEYS", head_keys())
        .env_remove("KARTOTEKA_ARCHIVE")
        .env_remove("KARTOTEKA_BLOBS")
        .env_remove("KARTOTEKA_STORE");
    cmd
}

/// A fresh place for originals in the S3 server `scripts/s3-local` starts
/// (`s3://BUCKET/PREFIX`, a prefix of this call's own), or `None` with a skip message
/// (a failure under KARTOTEKA_REQUIRE_PEERS) when none is running.
pub fn s3_prefix(name: &str) -> Option<String> {
    let Ok(bucket) = std::env::var("KARTOTEKA_TEST_S3") else {
        assert!(
            std::env::var_os("KARTOTEKA_REQUIRE_PEERS").is_none(),
            "an S3 server is required (eval \"$(scripts/s3-local)\")"
        );
        eprintln!("skipping {name}: no S3 server (eval \"$(scripts/s3-local)\" starts one)");
        return None;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    Some(format!("{bucket}/{name}-{}-{nanos}", std::process::id()))
}

/// The keys that seal the test archives' heads: in the build's own temporary folder, not
/// in the home folder of whoever runs the tests.
pub fn head_keys() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("head-keys")
}

pub fn json(cmd: &mut Command) -> Value {
    let out = cmd.output().expect("runs");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Ingests the sample with its inventory (without OCR) as `user`; the JSON report.
pub fn ingest_sample(archive: &Path, user: &str) -> Value {
    json(
        kartoteka(archive)
            .env("KARTOTEKA_USER", user)
            .arg("ingest")
            .arg(sample().join("documents"))
            .arg("--inventory")
            .arg(sample().join("opis.csv"))
            .arg("--json"),
    )
}

/// An archive with the sample ingested (without OCR).
pub fn sample_archive() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let report = ingest_sample(dir.path(), "archivist");
    assert_eq!(report["failed"], 0, "{report}");
    assert!(report["added"].as_u64().unwrap() >= 30, "{report}");
    dir
}

/// Runs bagit-python (`python3 -m bagit ARGS PATH`) and insists that it succeeds.
pub fn bagit_py(args: &[&str], path: &Path) {
    let out = std::process::Command::new("python3")
        .args(["-m", "bagit"])
        .args(args)
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bagit.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// True when a peer program answers `program args` with success; when it does not, a
/// skip message naming what is skipped and how to install the peer, or a failure under
/// KARTOTEKA_REQUIRE_PEERS.
fn peer(program: &str, args: &[&str], name: &str, install: &str, skipped: &str) -> bool {
    let ok = std::process::Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("KARTOTEKA_REQUIRE_PEERS").is_none(),
            "{name} is required ({install})"
        );
        eprintln!("skipping {skipped}: {install}");
    }
    ok
}

/// True when bagit-python is installed (else see [`peer`]).
pub fn bagit_python() -> bool {
    peer(
        "python3",
        &["-c", "import bagit"],
        "bagit-python",
        "pip install bagit",
        "the bagit-python half",
    )
}

/// True when stix2-validator is installed (else see [`peer`]).
pub fn stix2_validator() -> bool {
    peer(
        "stix2_validator",
        &["--help"],
        "stix2-validator",
        "pip install stix2-validator",
        "STIX validation",
    )
}

/// True when poppler's command-line tools (pdftotext, pdfinfo, pdffonts) are installed
/// (else see [`peer`]).
pub fn poppler() -> bool {
    peer(
        "pdfinfo",
        &["-v"],
        "poppler-utils",
        "apt-get install poppler-utils",
        "the PDF reading half",
    )
}

/// True when the `age` tool is installed (else see [`peer`]).
pub fn age_tool() -> bool {
    peer(
        "age",
        &["--version"],
        "age",
        "apt-get install age",
        "opening a package with the age tool",
    )
}

/// True when Chromium is installed, to open pages headless (else see [`peer`]).
pub fn chromium() -> bool {
    peer(
        "chromium",
        &["--headless", "--no-sandbox", "--version"],
        "Chromium",
        "apt-get install chromium chromium-driver",
        "opening the public edition in a browser",
    )
}

/// Chromium, headless, as the tests run it.
pub fn chromium_headless() -> std::process::Command {
    let mut cmd = std::process::Command::new("chromium");
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-dev-shm-usage",
    ]);
    cmd
}

/// A running `kartoteka serve`, stopped when dropped.
pub struct Server {
    pub child: std::process::Child,
    pub addr: String,
    /// Its output, kept open while it runs.
    _output: std::io::BufReader<std::process::ChildStdout>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `kartoteka serve` on a free port of loopback over `archive`, and its address.
pub fn serve(archive: &Path) -> Server {
    serve_with(archive, &[])
}

/// `kartoteka serve` with these options besides its address.
pub fn serve_with(archive: &Path, options: &[&str]) -> Server {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kartoteka"))
        .arg("--archive")
        .arg(archive)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(options)
        .env("KARTOTEKA_HEAD_KEYS", head_keys())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("serve starts");
    let mut line = String::new();
    let mut output = std::io::BufReader::new(child.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut output, &mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Server {
        child,
        addr,
        _output: output,
    }
}

/// One HTTP/1.1 request; the status and the body as text.
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let (status, bytes) = http_bytes(addr, method, path, headers, body);
    (status, String::from_utf8(bytes).expect("a body in UTF-8"))
}

/// One HTTP/1.1 request; the status and the body as bytes. (A client for two headers is
/// not worth a dependency.)
pub fn http_bytes(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Vec<u8>) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    std::io::Write::write_all(&mut stream, request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    std::io::Read::read_to_end(&mut stream, &mut answer).unwrap();
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(answer.len());
    let head = String::from_utf8_lossy(&answer[..split]);
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer.get(split + 4..).unwrap_or_default().to_vec())
}

/// Whether a CONFIDENTIAL service in Britain may have a report's paragraph (its JSON),
/// read off the paragraph's marking apart from the program's rule: at most CONFIDENTIAL,
/// neither NOFORN nor ORCON, and releasable to Britain or to anyone.
pub fn confidential_gbr_may_have(paragraph: &Value) -> bool {
    let m = if paragraph["marking_override"].is_null() {
        &paragraph["marking"]
    } else {
        &paragraph["marking_override"]
    };
    let level = ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL"]
        .contains(&m["classification"].as_str().unwrap_or(""));
    let list = m["releasable_to"].as_array().cloned().unwrap_or_default();
    level
        && m["noforn"] != true
        && m["orcon"] != true
        && (list.is_empty() || list.iter().any(|c| c == "GBR"))
}

/// Adds liaisons, each bound to its partner, to the archive.
pub fn add_liaisons(archive: &Path, liaisons: &[(&str, &str)]) {
    for (user, partner) in liaisons {
        kartoteka(archive)
            .args([
                "user",
                "add",
                user,
                "--role",
                "liaison",
                "--partner",
                partner,
            ])
            .assert()
            .success();
    }
}

/// Every file under `dir`, in the folders below it too.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}
