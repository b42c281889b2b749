//! `kartoteka-bench`: Kartoteka's figures next to SQLite FTS5's, measured in one run.
//!
//! ```text
//! kartoteka-bench ingest PATH...     ingest throughput vs building an FTS5 index of the same text
//! kartoteka-bench search PATH...     search latency p50/p99 and recall on inflected and
//!                                    transliterated queries, vs FTS5 on the same queries
//! kartoteka-bench memory DOCS        peak memory while ingesting a synthetic archive
//! kartoteka-bench blobs DOCS S3URL   ingest and verify with originals in an S3-compatible
//!                                    store, next to the archive folder's own, same run
//! kartoteka-bench store DOCS [S3URL]  ingest with the records in PostgreSQL (and originals in
//!                                    S3) next to the embedded store, and a second folder's
//!                                    index built from the store and fed by its change log
//! kartoteka-bench fixity FILES MB     bag validation and verify MB/s, next to bagit-python
//!                                    and OpenSSL on the same files
//! kartoteka-bench gaps DOCS           reconciliation time over a synthetic archive
//! kartoteka-bench audit ENTRIES       audit-chain check time
//! kartoteka-bench persons [DEV BSNLP] person mentions on held-out news text vs natasha
//! kartoteka-bench train-persons [DEV OUT] trains the person tagger on the devset's tuning part
//! kartoteka-bench resolve MENTIONS    identity resolution over MENTIONS person mentions
//! kartoteka-bench approve-all ARCHIVE  reviews and approves every draft report (bench/release)
//! kartoteka-bench age-compare OUTBOX KEYS  encryption of the same bytes vs the `age` tool
//! kartoteka-bench serve-load PATH...  the reading room under load on loopback: search and
//!                                    document pages per second, p50/p99, beside the CLI
//! kartoteka-bench edition-needles ARCHIVE OUT  the strings the next public edition's leak
//!                                    check looks for, as TEXT<TAB>RULE lines (bench/publish)
//! ```
//!
//! FTS5 is the baseline a researcher would otherwise build: `tokenize='unicode61
//! remove_diacritics 2'` over the same extracted text.

mod custody;
mod identity;
mod load;
mod release;

use kartoteka_bench::persons;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use kartoteka_archive::{Archive, IngestOptions, NoProgress, SearchOptions};
use kartoteka_model::DocId;
use kartoteka_synth::{inflect_surname, romanise, Case, Gender, Scheme};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        bail!("usage: kartoteka-bench ingest|search PATH... | memory DOCS | blobs DOCS S3URL | fixity FILES MB | gaps DOCS | audit ENTRIES");
    };
    let paths: Vec<PathBuf> = rest.iter().map(PathBuf::from).collect();
    match command.as_str() {
        "ingest" => ingest(&paths),
        "approve-all" => release::approve_all(paths.first().context("the archive folder")?),
        "age-compare" => release::age_compare(
            paths.first().context("the outbox")?,
            paths.get(1).context("the folder of partner keys")?,
            kartoteka_bench::runs(),
        ),
        "edition-needles" => release::edition_needles(
            paths.first().context("the archive folder")?,
            paths.get(1).context("the file to write")?,
        ),
        "search" => search(&paths),
        "serve-load" => {
            let bin = std::env::var_os("KARTOTEKA_BIN")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("target/release/kartoteka"));
            load::serve_load(&paths, &bin, |archive| {
                Ok(query_set(&pages(archive)?)
                    .into_iter()
                    .map(|q| q.text)
                    .collect())
            })
        }
        "memory" => memory(
            rest.first()
                .map(|s| s.parse())
                .transpose()?
                .unwrap_or(1_000_000),
        ),
        "blobs" => blobs(
            rest.first()
                .map(|s| s.parse())
                .transpose()?
                .unwrap_or(20_000),
            rest.get(1)
                .context("the S3 location to bench: s3://BUCKET/PREFIX")?,
        ),
        "store" => store(
            rest.first()
                .map(|s| s.parse())
                .transpose()?
                .unwrap_or(20_000),
            rest.get(1).map(String::as_str),
        ),
        "fixity" => custody::fixity(
            rest.first()
                .map(|s| s.parse())
                .transpose()?
                .unwrap_or(20_000),
            rest.get(1).map(|s| s.parse()).transpose()?.unwrap_or(1_500),
        ),
        "gaps" => custody::gaps(
            rest.first()
                .map(|s| s.parse())
                .transpose()?
                .unwrap_or(1_000_000),
        ),
        "persons" => persons::persons(
            rest.first()
                .map(PathBuf::from)
                .as_deref()
                .unwrap_or(Path::new("../shared/data/factRuEval-2016/devset")),
            rest.get(1)
                .map(PathBuf::from)
                .as_deref()
                .unwrap_or(Path::new("../shared/data/bsnlp-2021/data/datasets/bsnlp")),
        ),
        "train-persons" => persons::train(
            Path::new(
                rest.first()
                    .map(String::as_str)
                    .unwrap_or("../shared/data/factRuEval-2016/devset"),
            ),
            Path::new("../shared/data/bsnlp-2021/data/datasets/bsnlp"),
            Path::new(
                rest.get(1)
                    .map(String::as_str)
                    .unwrap_or("crates/extract/data/persons.tagger"),
            ),
            std::env::var("EPOCHS")
                .ok()
                .and_then(|e| e.parse().ok())
                .unwrap_or(10),
        ),
        "cv-persons" => persons::cross_validate(
            Path::new(
                rest.first()
                    .map(String::as_str)
                    .unwrap_or("../shared/data/factRuEval-2016/devset"),
            ),
            Path::new("../shared/data/bsnlp-2021/data/datasets/bsnlp"),
            std::env::var("EPOCHS")
                .ok()
                .and_then(|e| e.parse().ok())
                .unwrap_or(10),
        ),
        "audit" => custody::audit(
            rest.first()
                .map(|s| s.parse())
                .transpose()?
                .unwrap_or(10_000_000),
        ),
        "resolve" => identity::resolve(
            rest.first()
                .map(|s| s.parse())
                .transpose()?
                .unwrap_or(1_000_000),
        ),
        other => bail!("unknown benchmark {other:?}"),
    }
}

fn options() -> IngestOptions {
    IngestOptions {
        ocr: kartoteka_archive::formats::Ocr::disabled(),
        ..IngestOptions::default()
    }
}

/// All pages' text from the archive, with the document each belongs to.
fn pages(archive: &Archive) -> anyhow::Result<Vec<(DocId, String)>> {
    let store = archive.store();
    let mut out = Vec::new();
    store.each_document(&mut |d| {
        for p in store.pages(d.id)? {
            out.push((d.id, p.text));
        }
        Ok(())
    })?;
    Ok(out)
}

/// Builds the FTS5 peer over the given pages; returns the connection and the seconds taken.
fn build_fts5(db: &Path, pages: &[(DocId, String)]) -> anyhow::Result<(rusqlite::Connection, f64)> {
    let _ = std::fs::remove_file(db);
    let conn = rusqlite::Connection::open(db)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    let started = Instant::now();
    conn.execute_batch("CREATE VIRTUAL TABLE pages USING fts5(doc UNINDEXED, text, tokenize='unicode61 remove_diacritics 2');")?;
    let tx = conn.unchecked_transaction()?;
    {
        let mut stmt = tx.prepare("INSERT INTO pages(doc, text) VALUES (?1, ?2)")?;
        for (doc, text) in pages {
            stmt.execute(rusqlite::params![doc.0, text])?;
        }
    }
    tx.commit()?;
    Ok((conn, started.elapsed().as_secs_f64()))
}

fn ingest(paths: &[PathBuf]) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let archive = Archive::init(&dir.path().join("archive"))?;
    let started = Instant::now();
    let report = archive.ingest(paths, &options(), &NoProgress)?;
    let ours = started.elapsed().as_secs_f64();
    if report.failed > 0 {
        eprintln!(
            "note: {} files failed: {:?}",
            report.failed,
            report.errors.iter().take(3).collect::<Vec<_>>()
        );
    }
    let pages = pages(&archive)?;
    let text_bytes: usize = pages.iter().map(|(_, t)| t.len()).sum();
    let (_, fts) = build_fts5(&dir.path().join("fts5.db"), &pages)?;
    let docs = report.added + report.updated;
    let mb = report.bytes as f64 / 1e6;
    println!(
        "ingest: {docs} documents, {mb:.1} MB of originals, {:.1} MB of text, {} pages",
        text_bytes as f64 / 1e6,
        pages.len()
    );
    println!(
        "  kartoteka (decode, hash, store, extract, place, index; {} cores): {ours:.2} s = {:.1} MB/s, {:.0} docs/s",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        mb / ours,
        docs as f64 / ours
    );
    println!(
        "  sqlite fts5 (index the already-decoded text only):      {fts:.2} s = {:.1} MB/s",
        text_bytes as f64 / 1e6 / fts
    );
    println!(
        "  ratio kartoteka/fts5 throughput: {:.2}",
        (mb / ours) / (text_bytes as f64 / 1e6 / fts)
    );
    Ok(())
}

/// A query with the document it must find (for recall), by category.
struct BenchQuery {
    kind: &'static str,
    text: String,
    target: Option<DocId>,
}

/// Person names in the Memorial lists: "Фамилия Имя Отчество, род. 1889, ...".
fn memorial_people(pages: &[(DocId, String)]) -> Vec<(DocId, String, Gender)> {
    let mut out = Vec::new();
    for (doc, text) in pages {
        for line in text.lines() {
            let Some((name, _)) = line.split_once(", род.") else {
                continue;
            };
            let parts: Vec<&str> = name.split_whitespace().collect();
            if parts.len() != 3
                || !parts.iter().all(|p| {
                    p.chars()
                        .next()
                        .is_some_and(|c| c.is_uppercase() && kartoteka_text::is_cyrillic(c))
                })
            {
                continue;
            }
            let surname = parts[0];
            let gender = if parts[2].ends_with("на") {
                Gender::Female
            } else {
                Gender::Male
            };
            let possessive = ["ов", "ев", "ин", "ова", "ева", "ина"]
                .iter()
                .any(|e| surname.ends_with(e));
            if possessive && !surname.contains('-') {
                out.push((*doc, surname.to_string(), gender));
            }
        }
    }
    out
}

fn query_set(pages: &[(DocId, String)]) -> Vec<BenchQuery> {
    let people = memorial_people(pages);
    let mut queries = Vec::new();
    let step = (people.len() / 60).max(1);
    let cases = [
        Case::Genitive,
        Case::Dative,
        Case::Instrumental,
        Case::Prepositional,
    ];
    for (i, (doc, surname, gender)) in people.iter().step_by(step).take(60).enumerate() {
        queries.push(BenchQuery {
            kind: "word",
            text: surname.clone(),
            target: Some(*doc),
        });
        queries.push(BenchQuery {
            kind: "inflected",
            text: inflect_surname(surname, *gender, cases[i % 4]),
            target: Some(*doc),
        });
        let scheme = Scheme::ALL[i % Scheme::ALL.len()];
        queries.push(BenchQuery {
            kind: "transliterated",
            text: romanise(surname, scheme),
            target: Some(*doc),
        });
    }
    // English words and phrases from the OCR corpus, for latency.
    let mut words = 0;
    let mut phrases = 0;
    for (_, text) in pages
        .iter()
        .filter(|(_, t)| kartoteka_text::language(t) == "en")
        .step_by(7)
    {
        let ws: Vec<&str> = kartoteka_text::words(text)
            .map(|w| w.text)
            .filter(|w| w.len() > 4 && w.chars().all(|c| c.is_ascii_alphabetic()))
            .collect();
        if ws.len() < 6 {
            continue;
        }
        if words < 40 {
            queries.push(BenchQuery {
                kind: "english word",
                text: ws[ws.len() / 2].to_string(),
                target: None,
            });
            words += 1;
        }
        if phrases < 30 {
            queries.push(BenchQuery {
                kind: "english phrase",
                text: format!("\"{} {}\"", ws[2], ws[3]),
                target: None,
            });
            phrases += 1;
        }
        if words >= 40 && phrases >= 30 {
            break;
        }
    }
    queries
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn fts5_query(text: &str) -> String {
    // Each word quoted so FTS5 syntax in user words cannot break the query.
    let words: Vec<String> = kartoteka_text::words(text)
        .map(|w| format!("\"{}\"", w.text))
        .collect();
    if text.starts_with('"') {
        format!(
            "\"{}\"",
            words
                .iter()
                .map(|w| w.trim_matches('"'))
                .collect::<Vec<_>>()
                .join(" ")
        )
    } else {
        words.join(" ")
    }
}

fn search(paths: &[PathBuf]) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let archive = Archive::init(&dir.path().join("archive"))?;
    archive.ingest(paths, &options(), &NoProgress)?;
    let pages = pages(&archive)?;
    let (fts, _) = build_fts5(&dir.path().join("fts5.db"), &pages)?;
    let queries = query_set(&pages);
    if queries.len() < 200 {
        eprintln!(
            "note: only {} queries could be built from these paths",
            queries.len()
        );
    }
    let rounds = 5;
    let (mut ours_ms, mut fts_ms, mut index_ms) = (Vec::new(), Vec::new(), Vec::new());
    let no_text = |_: DocId, _: u32| -> Option<String> { None };
    let mut recall: std::collections::BTreeMap<&str, (u32, u32, u32)> = Default::default();
    let mut misses: Vec<String> = Vec::new();
    let mut stmt = fts.prepare("SELECT doc, snippet(pages, 1, '<b>', '</b>', '…', 16) FROM pages WHERE pages MATCH ?1 ORDER BY rank LIMIT ?2")?;
    for q in &queries {
        let fq = fts5_query(&q.text);
        for round in 0..rounds {
            let t = Instant::now();
            let hits = archive
                .search(
                    &q.text,
                    &SearchOptions {
                        limit: 10,
                        ..Default::default()
                    },
                )
                .with_context(|| q.text.clone())?;
            let ours = t.elapsed().as_secs_f64() * 1000.0;
            let t = Instant::now();
            let parsed = kartoteka_index::Query::parse(&q.text)?;
            let _ = archive.index().search(
                &parsed,
                &SearchOptions {
                    limit: 10,
                    ..Default::default()
                },
                &no_text,
            )?;
            let index_only = t.elapsed().as_secs_f64() * 1000.0;
            let t = Instant::now();
            let fts_hits: Vec<i64> = stmt
                .query_map(rusqlite::params![fq, 10], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let theirs = t.elapsed().as_secs_f64() * 1000.0;
            if round > 0 {
                index_ms.push(index_only);
                ours_ms.push(ours);
                fts_ms.push(theirs);
            }
            let _ = (hits, fts_hits);
        }
        if let Some(target) = q.target {
            // Recall: is the target among the first 100 hits?
            let ours = archive.search(
                &q.text,
                &SearchOptions {
                    limit: 100,
                    ..Default::default()
                },
            )?;
            let found_ours = ours.hits.iter().any(|h| h.doc == target);
            let theirs: Vec<i64> = stmt
                .query_map(rusqlite::params![fq, 100], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let found_fts = theirs.contains(&target.0);
            if !found_ours {
                misses.push(format!("{} {:?}", q.kind, q.text));
            }
            let entry = recall.entry(q.kind).or_default();
            entry.0 += 1;
            entry.1 += found_ours as u32;
            entry.2 += found_fts as u32;
        }
    }
    ours_ms.sort_by(f64::total_cmp);
    index_ms.sort_by(f64::total_cmp);
    fts_ms.sort_by(f64::total_cmp);
    println!(
        "search: {} queries x {} timed rounds over {} pages (limit 10, with snippets)",
        queries.len(),
        rounds - 1,
        pages.len()
    );
    let kinds: std::collections::BTreeMap<&str, usize> =
        queries.iter().fold(Default::default(), |mut m, q| {
            *m.entry(q.kind).or_default() += 1;
            m
        });
    println!("  query mix: {kinds:?}");
    println!(
        "  kartoteka p50 {:.3} ms  p99 {:.3} ms | fts5 p50 {:.3} ms  p99 {:.3} ms | ratio p50 {:.2}, p99 {:.2}",
        percentile(&ours_ms, 0.5),
        percentile(&ours_ms, 0.99),
        percentile(&fts_ms, 0.5),
        percentile(&fts_ms, 0.99),
        percentile(&ours_ms, 0.5) / percentile(&fts_ms, 0.5).max(1e-9),
        percentile(&ours_ms, 0.99) / percentile(&fts_ms, 0.99).max(1e-9),
    );
    println!(
        "  (kartoteka index alone, without fetching pages and snippets: p50 {:.3} ms  p99 {:.3} ms)",
        percentile(&index_ms, 0.5),
        percentile(&index_ms, 0.99)
    );
    let (mut hard_n, mut hard_ours, mut hard_fts) = (0, 0, 0);
    for (kind, (n, ours, theirs)) in &recall {
        println!(
            "  recall@100 {kind:<15} kartoteka {ours}/{n} = {:.2} | fts5 {theirs}/{n} = {:.2}",
            *ours as f64 / *n as f64,
            *theirs as f64 / *n as f64
        );
        if *kind != "word" {
            hard_n += n;
            hard_ours += ours;
            hard_fts += theirs;
        }
    }
    if !misses.is_empty() {
        println!("  kartoteka missed: {}", misses.join(", "));
    }
    if hard_n > 0 {
        println!(
            "  recall on inflected + transliterated: kartoteka {:.3} | fts5 {:.3}",
            hard_ours as f64 / hard_n as f64,
            hard_fts as f64 / hard_n as f64
        );
    }
    Ok(())
}

/// A memory figure of this process from /proc (Linux): "VmHWM" is the peak, "VmRSS" now.
fn memory_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Prints memory every `every` documents while an ingest runs.
struct MemoryProgress {
    every: u64,
    done: std::sync::atomic::AtomicU64,
    started: Instant,
}

impl kartoteka_archive::Progress for MemoryProgress {
    fn begin(&self, total: u64) {
        println!("  {total} files to ingest");
    }
    fn advance(&self, items: u64, _bytes: u64) {
        let before = self
            .done
            .fetch_add(items, std::sync::atomic::Ordering::Relaxed);
        let now = before + items;
        if now / self.every != before / self.every {
            println!(
                "  {now:>8} documents  {:>5.0} s  RSS {:>4.0} MB  peak {:>4.0} MB",
                self.started.elapsed().as_secs_f64(),
                memory_mb("VmRSS:"),
                memory_mb("VmHWM:")
            );
        }
    }
    fn finish(&self) {}
}

/// Ingest and verify of one synthetic archive with its originals in the archive folder and
/// in an S3-compatible store, alternating, three rounds each: the medians side by side.
fn blobs(docs: u64, s3: &str) -> anyhow::Result<()> {
    let dir = tempfile::tempdir_in(
        std::env::var_os("KARTOTEKA_BENCH_DIR").unwrap_or_else(|| ".".into()),
    )?;
    let synth = synthetic(dir.path(), "synth", docs, 1)?;
    let options = IngestOptions {
        inventory: Some(synth.join("opis.csv")),
        ..options()
    };
    let (mut folder, mut object) = (Vec::new(), Vec::new());
    for round in 0..3 {
        for remote in [false, true] {
            let root = dir.path().join(format!("archive-{round}-{remote}"));
            let location = remote
                .then(|| {
                    let unique = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_nanos());
                    kartoteka_archive::BlobLocation::parse(&format!(
                        "{}/bench-{unique}",
                        s3.trim_end_matches('/')
                    ))
                })
                .transpose()?;
            let archive = Archive::init_with(&root, location.as_ref())?;
            let t = Instant::now();
            let report = archive.ingest(
                &[synth.join("documents")],
                &options,
                &kartoteka_archive::NoProgress,
            )?;
            let ingest = t.elapsed().as_secs_f64();
            anyhow::ensure!(report.added == docs, "ingested {} of {docs}", report.added);
            let t = Instant::now();
            let fixity = archive.verify(&kartoteka_archive::NoProgress)?;
            let verify = t.elapsed().as_secs_f64();
            anyhow::ensure!(!fixity.failed(), "verify found problems");
            println!(
                "  round {round} {:<7} ingest {ingest:>6.1} s  verify {verify:>6.1} s",
                if remote { "S3" } else { "folder" }
            );
            if remote { &mut object } else { &mut folder }.push((ingest, verify));
            drop(archive);
            std::fs::remove_dir_all(&root)?;
        }
    }
    let median = |v: &[(f64, f64)], pick: fn(&(f64, f64)) -> f64| {
        let mut x: Vec<f64> = v.iter().map(pick).collect();
        x.sort_by(f64::total_cmp);
        x[x.len() / 2]
    };
    for (stage, pick) in [
        ("ingest", (|p: &(f64, f64)| p.0) as fn(&(f64, f64)) -> f64),
        ("verify", |p| p.1),
    ] {
        let (f, o) = (median(&folder, pick), median(&object, pick));
        println!(
            "blobs: {stage} of {docs} documents: S3 {o:.1} s ({:.0} docs/s), folder {f:.1} s ({:.0} docs/s): {:.2}x the folder's time (median of 3){}",
            docs as f64 / o,
            docs as f64 / f,
            o / f,
            if stage == "ingest" { "; target: within 2x" } else { "" }
        );
    }
    Ok(())
}

/// Ingest with the records in PostgreSQL (the server KARTOTEKA_TEST_POSTGRES names, a
/// database of each round's own) and the originals in S3 when `s3` is given, next to the
/// embedded store in the same run; then a second folder over the same database: its index
/// built from the records, and fed from the change log with a tenth more documents
/// ingested through the first.
fn store(docs: u64, s3: Option<&str>) -> anyhow::Result<()> {
    let dir = tempfile::tempdir_in(
        std::env::var_os("KARTOTEKA_BENCH_DIR").unwrap_or_else(|| ".".into()),
    )?;
    let synth = synthetic(dir.path(), "synth", docs, 1)?;
    let more = synthetic(dir.path(), "more", (docs / 10).max(1), 2)?;
    let plain = options();
    let options = IngestOptions {
        inventory: Some(synth.join("opis.csv")),
        ..options()
    };
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut embedded, mut shared, mut build, mut follow) = (vec![], vec![], vec![], vec![]);
    let mut followed = 0;
    for round in 0..3 {
        for on_postgres in [false, true] {
            let root = dir.path().join(format!("archive-{round}-{on_postgres}"));
            let database = if on_postgres {
                Some(
                    kartoteka_store::conformance::scratch_postgres("bench")
                        .context("set KARTOTEKA_TEST_POSTGRES (bench/store does)")?,
                )
            } else {
                None
            };
            let store = database
                .as_ref()
                .map(|d| kartoteka_archive::StoreLocation::parse(&d.url))
                .transpose()?;
            let blobs = match (on_postgres, s3) {
                (true, Some(s3)) => Some(kartoteka_archive::BlobLocation::parse(&format!(
                    "{}/bench-store-{round}-{}",
                    s3.trim_end_matches('/'),
                    std::process::id()
                ))?),
                _ => None,
            };
            let archive = Archive::init_at(&root, blobs.as_ref(), store.as_ref())?;
            let t = Instant::now();
            let report = archive.ingest(&[synth.join("documents")], &options, &NoProgress)?;
            let ingest = t.elapsed().as_secs_f64();
            anyhow::ensure!(report.added == docs, "ingested {} of {docs}", report.added);
            let label = if on_postgres {
                if s3.is_some() {
                    "PostgreSQL + S3"
                } else {
                    "PostgreSQL"
                }
            } else {
                "embedded"
            };
            println!("  round {round} {label:<15} ingest {ingest:>6.1} s");
            if !on_postgres {
                embedded.push(ingest);
                drop(archive);
                std::fs::remove_dir_all(&root)?;
                continue;
            }
            shared.push(ingest);
            // A second server's folder: its index built from the records.
            let second = dir.path().join(format!("second-{round}"));
            let t = Instant::now();
            let joined = Archive::init_at(&second, blobs.as_ref(), store.as_ref())?;
            let built = t.elapsed().as_secs_f64();
            build.push(docs as f64 / built);
            // New documents through the first, taken in by the second from the change log.
            archive.ingest(&[more.join("documents")], &plain, &NoProgress)?;
            let t = Instant::now();
            let caught = joined.follow_changes()?;
            let took = t.elapsed().as_secs_f64();
            followed = caught.documents;
            follow.push(caught.documents as f64 / took);
            println!(
                "  round {round} second folder: index built from the store {built:.1} s, {} new documents followed in {took:.2} s",
                caught.documents
            );
            drop((archive, joined, database));
            std::fs::remove_dir_all(&root)?;
            std::fs::remove_dir_all(&second)?;
        }
    }
    let (e, p) = (median(&mut embedded), median(&mut shared));
    println!(
        "store: ingest of {docs} documents: {} {p:.1} s ({:.0} docs/s), embedded {e:.1} s ({:.0} docs/s): {:.2}x the embedded time (median of 3); target: within 2x",
        if s3.is_some() { "PostgreSQL + S3" } else { "PostgreSQL" },
        docs as f64 / p,
        docs as f64 / e,
        p / e
    );
    println!(
        "store: a fresh server's index built from the store: {:.0} docs/s; {followed} documents taken in from the change log: {:.0} docs/s (medians of 3); target: at least 5,000 docs/s",
        median(&mut build),
        median(&mut follow)
    );
    Ok(())
}

/// A synthetic archive of `docs` documents in `dir/name`, from `seed`.
fn synthetic(dir: &Path, name: &str, docs: u64, seed: u64) -> anyhow::Result<PathBuf> {
    let out = dir.join(name);
    kartoteka_synth::generate(&kartoteka_synth::SynthOptions {
        out: out.clone(),
        docs,
        seed,
    })?;
    Ok(out)
}

fn memory(docs: u64) -> anyhow::Result<()> {
    let dir = tempfile::tempdir_in(
        std::env::var_os("KARTOTEKA_BENCH_DIR").unwrap_or_else(|| ".".into()),
    )?;
    let synth = dir.path().join("synth");
    let t = Instant::now();
    kartoteka_synth::generate(&kartoteka_synth::SynthOptions {
        out: synth.clone(),
        docs,
        seed: 1,
    })?;
    println!(
        "memory: synthesised {docs} documents in {:.0} s; peak RSS so far {:.0} MB",
        t.elapsed().as_secs_f64(),
        memory_mb("VmHWM:")
    );
    let archive = Archive::init(&dir.path().join("archive"))?;
    // One ingest of everything, with its inventory, as a user would run it.
    let options = IngestOptions {
        inventory: Some(synth.join("opis.csv")),
        ..options()
    };
    let progress = MemoryProgress {
        every: (docs / 20).max(1),
        done: Default::default(),
        started: Instant::now(),
    };
    let report = archive.ingest(&[synth.join("documents")], &options, &progress)?;
    let secs = progress.started.elapsed().as_secs_f64();
    println!(
        "  ingested {} documents in {secs:.0} s ({:.0} docs/s); peak RSS {:.0} MB (target: under 1024 MB, flat)",
        report.added,
        report.added as f64 / secs,
        memory_mb("VmHWM:")
    );
    Ok(())
}
