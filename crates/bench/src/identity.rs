//! `resolve MENTIONS`: identity resolution over an archive holding MENTIONS person
//! mentions, through the store as `kartoteka resolve` runs it (reading every mention,
//! clustering, writing the identities), with the peak memory of the process.
//!
//! The documents come from a synthetic archive (a tenth as many as the mentions), ingested
//! as a user would; the mentions are then written into them directly (about ten a
//! document), because extracting them would measure extraction, not resolution. The
//! mentions name invented persons (about ten mentions each, so that blocks hold many
//! namesakes, as an archive of Ивановы does) in the forms documents use: the full name,
//! surname and initials in either order, a case of the full name, a romanisation, and a
//! surname alone.

use std::time::Instant;

use kartoteka_archive::{Archive, IngestOptions, NoProgress};
use kartoteka_model::{MentionRecord, Stage, StageOutcome, StageRecord};
use kartoteka_synth::{inflect_given, inflect_surname, invent, romanise, Case, Gender, Scheme};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Peak resident memory of this process so far, in MB (Linux).
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// One way a document writes a person's name.
fn written(rng: &mut ChaCha8Rng, person: &(String, String, String, Gender)) -> String {
    let (surname, given, patronymic, gender) = person;
    let initial = |w: &str| w.chars().next().map(String::from).unwrap_or_default();
    match rng.random_range(0..7) {
        0 => format!("{surname} {given} {patronymic}"),
        1 => format!("{surname} {}. {}.", initial(given), initial(patronymic)),
        2 => format!("{}. {}. {surname}", initial(given), initial(patronymic)),
        3 => format!(
            "{} {}",
            inflect_given(given, *gender, Case::Genitive),
            inflect_surname(surname, *gender, Case::Genitive)
        ),
        4 => {
            let scheme = Scheme::ALL[rng.random_range(0..Scheme::ALL.len())];
            format!("{} {}", romanise(given, scheme), romanise(surname, scheme))
        }
        5 => format!("{given} {surname}"),
        _ => surname.clone(),
    }
}

/// Writes `mentions` person mentions into a fresh archive and times `resolve` on it.
pub fn resolve(mentions: u64) -> anyhow::Result<()> {
    let dir = tempfile::tempdir_in(std::env::current_dir()?)?;
    let synth = dir.path().join("synth");
    // About ten person mentions a document, as in a file of reports.
    let docs = (mentions / 10).clamp(1_000, 200_000);
    kartoteka_synth::generate(&kartoteka_synth::SynthOptions {
        out: synth.clone(),
        docs,
        seed: 1937,
    })?;
    let archive = Archive::init(&dir.path().join("archive"))?;
    let options = IngestOptions {
        inventory: Some(synth.join("opis.csv")),
        ocr: kartoteka_archive::formats::Ocr::disabled(),
        ..IngestOptions::default()
    };
    archive.ingest(&[synth.join("documents")], &options, &NoProgress)?;
    let mut ids = Vec::new();
    archive.store().each_document(&mut |d| {
        ids.push(d.id);
        Ok(())
    })?;
    anyhow::ensure!(!ids.is_empty(), "the synthetic archive holds no documents");
    let mut rng = ChaCha8Rng::seed_from_u64(1917);
    let persons: Vec<(String, String, String, Gender)> = (0..(mentions / 10).max(1))
        .map(|_| {
            let gender = if rng.random_bool(0.3) {
                Gender::Female
            } else {
                Gender::Male
            };
            let (s, g, p) = invent(&mut rng, gender);
            (s, g, p, gender)
        })
        .collect();
    eprintln!(
        "writing {mentions} mentions of {} invented persons into {} documents ...",
        persons.len(),
        ids.len()
    );
    let per_doc = mentions.div_ceil(ids.len() as u64);
    let mut left = mentions;
    for &doc in &ids {
        let n = per_doc.min(left);
        left -= n;
        let records: Vec<MentionRecord> = (0..n)
            .map(|k| {
                let person = &persons[rng.random_range(0..persons.len())];
                let name = written(&mut rng, person);
                let start = (k * 200) as u32;
                MentionRecord {
                    id: 0,
                    doc,
                    page: 1,
                    sheet: None,
                    kind: kartoteka_model::MentionKind::Person,
                    end: start + name.chars().count() as u32,
                    text: name.clone(),
                    lemma: name,
                    start,
                    code: None,
                    context: String::new(),
                }
            })
            .collect();
        let record = StageRecord {
            doc,
            stage: Stage::Mentions,
            input_hash: "bench".into(),
            version: 0,
            at: "2026-01-01T00:00:00Z".into(),
            outcome: StageOutcome::Done,
        };
        archive
            .store()
            .replace_mentions(doc, &records, &[], &record)?;
    }
    let before = peak_mb().unwrap_or(0.0);
    let started = Instant::now();
    let report = archive.identities().resolve()?;
    let seconds = started.elapsed().as_secs_f64();
    let peak = peak_mb().unwrap_or(0.0);
    println!(
        "resolve over {} person mentions: {seconds:.1} s on this machine (target < 300 s), {} persons; \
         peak memory {peak:.0} MB (before resolving {before:.0} MB; target < 4096 MB)",
        report.mentions, report.persons
    );
    // Again with nothing new: every id carried over from the registry.
    let started = Instant::now();
    let again = archive.identities().resolve()?;
    println!(
        "resolve again, nothing new: {:.1} s, {} persons, {} id changes",
        started.elapsed().as_secs_f64(),
        again.persons,
        again.changes.len()
    );
    Ok(())
}
