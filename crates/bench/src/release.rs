//! Helpers of `bench/release`: approving a synthetic collection in one go (a benchmark's
//! shortcut, not something the program offers a reviewer), and the encryption step next
//! to the `age` tool on the same bytes.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use kartoteka_archive::{Archive, PartnerKeys};
use kartoteka_model::ReportStatus;

/// Reviews and approves every current draft of the archive at `dir`.
pub fn approve_all(dir: &Path) -> anyhow::Result<()> {
    let archive = Archive::open(dir).context("opening the archive")?;
    archive.set_actor("bench");
    let reports = archive.reports();
    let mut n = 0;
    for r in reports.current_reports()? {
        if r.status == ReportStatus::Draft {
            reports.advance_report(&r.id, ReportStatus::Reviewed, "bench")?;
        }
        if r.status != ReportStatus::Approved {
            reports.advance_report(&r.id, ReportStatus::Approved, "bench")?;
            n += 1;
        }
    }
    println!("approved {n} reports");
    Ok(())
}

/// Decrypts every package in `outbox` with its partner's keys (`keys/PARTNER.keys`), then
/// encrypts the same bytes to the same recipients with Kartoteka's `encrypt_to` and with
/// the `age` command-line tool, `runs` times each, and prints the medians.
pub fn age_compare(outbox: &Path, keys: &Path, runs: usize) -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let mut plain: Vec<(PathBuf, String, Vec<u8>)> = Vec::new();
    let mut packages: Vec<PathBuf> = std::fs::read_dir(outbox)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".zip.age"))
        .collect();
    packages.sort();
    for package in &packages {
        let name = package
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // PKG-GBR-MI5-1.zip.age -> GBR-MI5
        let partner = name
            .trim_start_matches("PKG-")
            .trim_end_matches(".zip.age")
            .rsplit_once('-')
            .map(|(p, _)| p.to_string())
            .context("a package name")?;
        let k = PartnerKeys::read(&keys.join(format!("{partner}.keys")))?;
        let sealed = std::fs::read(package)?;
        let decryptor = age::Decryptor::new(&sealed[..])?;
        let mut reader = decryptor.decrypt(std::iter::once(k.identity() as &dyn age::Identity))?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut reader, &mut bytes)?;
        let file = work.path().join(name.trim_end_matches(".age"));
        std::fs::write(&file, &bytes)?;
        plain.push((file, k.recipient(), bytes));
    }
    if plain.is_empty() {
        bail!("no packages in {}", outbox.display());
    }
    let total: usize = plain.iter().map(|p| p.2.len()).sum();
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        for (_, recipient, bytes) in &plain {
            std::hint::black_box(kartoteka_archive::encrypt_to(recipient, bytes)?);
        }
        ours.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        for (file, recipient, _) in &plain {
            let status = std::process::Command::new("age")
                .args(["-r", recipient, "-o", "/dev/null"])
                .arg(file)
                .status()
                .context("running age (apt-get install age)")?;
            if !status.success() {
                bail!("age failed on {}", file.display());
            }
        }
        theirs.push(t.elapsed().as_secs_f64());
    }
    let ours = kartoteka_bench::median(ours);
    let theirs = kartoteka_bench::median(theirs);
    println!(
        "encryption of {} packages ({:.1} MB): kartoteka {:.3} s ({:.0} MB/s), age CLI {:.3} s, one process a package ({:.0} MB/s); ratio {:.1}x (medians of {runs})",
        plain.len(),
        total as f64 / 1e6,
        ours,
        total as f64 / 1e6 / ours,
        theirs,
        total as f64 / 1e6 / theirs,
        theirs / ours
    );
    Ok(())
}

/// Writes the withheld strings of the archive's next public edition (what its leak check
/// looks for) to `out`, one `TEXT<TAB>RULE` a line, and the texts alone to `out`.txt: the
/// same strings for `publish check --withheld` and for `grep -F -f`.
pub fn edition_needles(dir: &Path, out: &Path) -> anyhow::Result<()> {
    let archive = Archive::open(dir).context("opening the archive")?;
    let edition = archive.publish().build("", "2026-12-06")?;
    let mut tsv = String::new();
    let mut plain = String::new();
    // The markings are left to `publish check`, which looks for them as written (in
    // capitals); a list is read in any case.
    for n in edition.needles.iter().filter(|n| !n.exact_case) {
        tsv.push_str(&format!("{}\t{}\n", n.text, n.rule));
        plain.push_str(&n.text);
        plain.push('\n');
    }
    std::fs::write(out, tsv)?;
    std::fs::write(out.with_extension("txt"), plain)?;
    println!(
        "{} withheld strings",
        edition.needles.iter().filter(|n| !n.exact_case).count()
    );
    Ok(())
}
