//! Benchmarks of issue 3: bag validation and fixity next to bagit-python and OpenSSL,
//! reconciliation (`gaps`) over a large synthetic archive, and the audit chain's check.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context};
use kartoteka_archive::{Archive, IngestOptions, NoProgress};
use kartoteka_bagit::{validate, Algorithm, BagWriter, ValidateOptions};
use kartoteka_bench::{median, runs};
use kartoteka_store::AuditAct;

/// A cheap deterministic byte stream (xorshift), incompressible enough for hashing.
fn fill(buf: &mut [u8], mut seed: u64) {
    for chunk in buf.chunks_mut(8) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let bytes = seed.to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
}

/// Times a command; fails if it fails.
fn time_command(cmd: &mut Command) -> anyhow::Result<f64> {
    let started = Instant::now();
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Writes the payload list for xargs.
fn file_list(bag: &Path) -> anyhow::Result<PathBuf> {
    let mut list = Vec::new();
    for e in walk(&bag.join("data")) {
        list.extend_from_slice(e.as_os_str().as_encoded_bytes());
        list.push(0);
    }
    let path = bag.with_extension("files");
    std::fs::write(&path, list)?;
    Ok(path)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let Ok(entries) = std::fs::read_dir(&d) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
    }
    out.sort();
    out
}

/// `fixity FILES MB`: bag validation and `verify` throughput, with bagit-python and OpenSSL.
pub fn fixity(files: u64, megabytes: u64) -> anyhow::Result<()> {
    let dir = tempfile::tempdir_in(std::env::current_dir()?)?;
    let both = dir.path().join("bag-sha256-sha512");
    let total = megabytes * 1_000_000;
    let average = total / files;
    eprintln!("writing a bag of {files} files, {megabytes} MB ...");
    let mut writer = BagWriter::create(&both, &[Algorithm::Sha256, Algorithm::Sha512])?;
    let mut buf = vec![0u8; (average * 2) as usize];
    for i in 0..files {
        // Sizes spread from a tenth to nearly twice the average.
        let size = (average / 10 + (i * 7919 % files) * (average * 18 / 10) / files) as usize;
        fill(&mut buf[..size], i + 1);
        buf[..4].copy_from_slice(b"II*\0");
        let path = format!(
            "data/ф. 1/оп. {}/д. {}/л. {}.tif",
            i / 2000 + 1,
            i / 20 + 1,
            i % 20 + 1
        );
        writer.add_payload(&path, &mut &buf[..size])?;
    }
    let both = writer.finish(&[("Source-Organization".into(), "bench".into())])?;
    // The same payload, hard-linked, with only the SHA-256 manifest.
    let single = dir.path().join("bag-sha256");
    std::fs::create_dir(&single)?;
    for f in walk(&both.join("data")) {
        let target = single.join(f.strip_prefix(&both)?);
        std::fs::create_dir_all(target.parent().unwrap_or(&single))?;
        std::fs::hard_link(&f, &target)?;
    }
    for name in ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"] {
        std::fs::copy(both.join(name), single.join(name))?;
    }
    let list = file_list(&both)?;
    let bytes = validate(&single, &ValidateOptions::default(), &|_| {}).payload_bytes as f64; // warms the cache
    let mb = bytes / 1e6;
    let have_bagit = Command::new("python3")
        .args(["-c", "import bagit"])
        .output()
        .is_ok_and(|o| o.status.success());

    let mut rows: Vec<(&str, Vec<f64>)> = Vec::new();
    let ours = |bag: &Path| -> anyhow::Result<f64> {
        let r = validate(bag, &ValidateOptions::default(), &|_| {});
        if !r.is_valid() {
            bail!("our own bag is invalid: {:?}", r.errors.first());
        }
        Ok(r.seconds)
    };
    let mut t = (vec![], vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..runs() {
        t.0.push(ours(&single)?);
        t.1.push(ours(&both)?);
        t.2.push(time_command(Command::new("sh").arg("-c").arg(format!(
            "xargs -0 openssl dgst -sha256 < '{}' > /dev/null",
            list.display()
        )))?);
        t.3.push(time_command(Command::new("sh").arg("-c").arg(format!(
            "xargs -0 openssl dgst -sha512 < '{}' > /dev/null",
            list.display()
        )))?);
        if have_bagit {
            t.4.push(time_command(
                Command::new("python3")
                    .args(["-m", "bagit", "--validate", "--processes", "2"])
                    .arg(&single),
            )?);
            t.5.push(time_command(
                Command::new("python3")
                    .args(["-m", "bagit", "--validate", "--processes", "2"])
                    .arg(&both),
            )?);
        }
    }
    rows.push(("kartoteka transfer validate, SHA-256 bag", t.0));
    rows.push(("kartoteka transfer validate, SHA-256 + SHA-512 bag", t.1));
    rows.push(("openssl dgst -sha256 (one process)", t.2));
    rows.push(("openssl dgst -sha512 (one process)", t.3));
    if have_bagit {
        rows.push(("bagit.py --validate --processes 2, SHA-256 bag", t.4));
        rows.push(("bagit.py --validate --processes 2, both manifests", t.5));
    } else {
        eprintln!("bagit-python not installed (pip install bagit): its rows are left out");
    }
    println!(
        "bag: {files} files, {mb:.0} MB, warm cache, medians of {} runs",
        runs()
    );
    let speed: Vec<(&str, f64)> = rows
        .iter()
        .map(|(n, t)| (*n, mb / median(t.clone())))
        .collect();
    for (name, s) in &speed {
        println!("  {name:<52} {s:>8.0} MB/s");
    }
    let get = |name: &str| {
        speed
            .iter()
            .find(|(n, _)| n.starts_with(name))
            .map(|(_, s)| *s)
    };
    if let (Some(a), Some(b)) = (
        get("kartoteka transfer validate, SHA-256 bag"),
        get("openssl dgst -sha256"),
    ) {
        println!(
            "  ratio SHA-256 bag / openssl sha256: {:.2}x (target 1.5x)",
            a / b
        );
    }
    if let (Some(a), Some(b)) = (
        get("kartoteka transfer validate, SHA-256 + SHA-512"),
        get("bagit.py --validate --processes 2, both"),
    ) {
        println!(
            "  ratio both manifests / bagit.py: {:.2}x (target 3x)",
            a / b
        );
    }
    if let (Some(a), Some(b)) = (
        get("kartoteka transfer validate, SHA-256 bag"),
        get("bagit.py --validate --processes 2, SHA-256"),
    ) {
        println!("  ratio SHA-256 bag / bagit.py: {:.2}x", a / b);
    }

    // Fixity of the same originals once they are in an archive.
    eprintln!("ingesting the payload for `verify` ...");
    let archive = Archive::init(&dir.path().join("archive"))?;
    let options = IngestOptions {
        ocr: kartoteka_archive::formats::Ocr::disabled(),
        ..IngestOptions::default()
    };
    archive.ingest(&[single.join("data")], &options, &NoProgress)?;
    let mut times = Vec::new();
    for _ in 0..runs() {
        let r = archive.verify(&NoProgress)?;
        if !r.corrupted.is_empty() || !r.missing.is_empty() {
            bail!("verify found problems in a fresh archive");
        }
        times.push(r.seconds);
    }
    let v = mb / median(times);
    println!(
        "  {:<52} {v:>8.0} MB/s",
        "kartoteka verify (SHA-256 of every original)"
    );
    if let Some(b) = get("openssl dgst -sha256") {
        println!("  ratio verify / openssl sha256: {:.2}x", v / b);
    }
    Ok(())
}

/// `gaps DOCS`: reconciliation over a synthetic archive of DOCS documents.
pub fn gaps(docs: u64) -> anyhow::Result<()> {
    let dir = tempfile::tempdir_in(std::env::current_dir()?)?;
    let synth = dir.path().join("synth");
    eprintln!("writing {docs} synthetic documents ...");
    kartoteka_synth::generate(&kartoteka_synth::SynthOptions {
        out: synth.clone(),
        docs,
        seed: 1972,
    })?;
    eprintln!("ingesting ...");
    let archive = Archive::init(&dir.path().join("archive"))?;
    let options = IngestOptions {
        inventory: Some(synth.join("opis.csv")),
        ocr: kartoteka_archive::formats::Ocr::disabled(),
        ..IngestOptions::default()
    };
    let started = Instant::now();
    archive.ingest(&[synth.join("documents")], &options, &NoProgress)?;
    eprintln!("ingested in {:.0} s", started.elapsed().as_secs_f64());
    let planted = std::fs::read_to_string(synth.join("truth/gaps.jsonl"))?
        .lines()
        .count();
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..runs() {
        let r = archive.gaps(None)?;
        found = r.findings.len();
        times.push(r.seconds);
    }
    println!(
        "gaps over {docs} documents: {:.1} s median of {} runs (target < 60 s); {found} findings, {planted} planted",
        median(times),
        runs()
    );
    Ok(())
}

/// `audit ENTRIES`: the chain check over ENTRIES entries.
pub fn audit(entries: u64) -> anyhow::Result<()> {
    let dir = tempfile::tempdir_in(std::env::current_dir()?)?;
    let archive = Archive::init(dir.path())?;
    eprintln!("appending {entries} audit entries ...");
    let started = Instant::now();
    let batch = 100_000;
    let mut done = 0;
    while done < entries {
        let n = batch.min(entries - done);
        let acts: Vec<AuditAct> = (done..done + n)
            .map(|i| AuditAct {
                action: "ingest".into(),
                unit: Some(format!(
                    "ф. {}, оп. 1, д. {}",
                    i / 100_000 + 1,
                    i % 1000 + 1
                )),
                object: Some(format!("doc:{i}")),
                detail: format!(
                    "{{\"source\":\"/scans/{i}.tif\",\"size\":{}}}",
                    i * 37 % 100_000
                ),
            })
            .collect();
        archive.store().append_audit(&acts)?;
        done += n;
    }
    eprintln!(
        "appended in {:.0} s ({:.0} entries/s)",
        started.elapsed().as_secs_f64(),
        entries as f64 / started.elapsed().as_secs_f64()
    );
    let mut times = Vec::new();
    for _ in 0..runs() {
        let started = Instant::now();
        let r = archive.audit_verify(None, &NoProgress)?;
        if !r.ok || r.entries != entries {
            bail!("chain check failed: {r:?}");
        }
        times.push(started.elapsed().as_secs_f64());
    }
    let t = median(times);
    println!(
        "audit verify over {entries} entries: {t:.1} s median of {} runs ({:.0} entries/s; target < 60 s for 10,000,000)",
        runs(),
        entries as f64 / t
    );
    Ok(())
}
