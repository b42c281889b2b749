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
        .env_remove("KARTOTEKA_ARCHIVE");
    cmd
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

/// An archive with the sample ingested (without OCR).
pub fn sample_archive() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let report = json(
        kartoteka(dir.path())
            .arg("ingest")
            .arg(sample().join("documents"))
            .arg("--inventory")
            .arg(sample().join("opis.csv"))
            .arg("--json"),
    );
    assert_eq!(report["failed"], 0, "{report}");
    assert!(report["added"].as_u64().unwrap() >= 30, "{report}");
    dir
}
