//! Printing answers for people (and JSON for programs), and the progress bar.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kartoteka_ingest::{FixityReport, IngestReport, Progress, SearchResponse, Shown, Status};
use kartoteka_model::StageOutcome;
use serde::Serialize;

/// Prints any answer as one line of JSON.
pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string(value)?);
    Ok(())
}

/// A progress bar on standard error that stays hidden when that is not a terminal.
pub struct Bar {
    bar: ProgressBar,
    bytes: AtomicU64,
}

impl Bar {
    pub fn new(what: &str) -> Bar {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let template =
            format!("{what} {{bar:30}} {{pos}}/{{len}} docs  {{per_sec}}  {{msg}}  ETA {{eta}}");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style.progress_chars("█▉ "));
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        Bar {
            bar,
            bytes: AtomicU64::new(0),
        }
    }
}

impl Progress for Bar {
    fn begin(&self, total: u64) {
        self.bar.set_length(total);
    }
    fn advance(&self, items: u64, bytes: u64) {
        self.bar.inc(items);
        let total = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        let secs = self.bar.elapsed().as_secs_f64().max(0.001);
        self.bar
            .set_message(format!("{:.1} MB/s", total as f64 / 1e6 / secs));
    }
    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

pub fn print_ingest(report: &IngestReport, archive: &Path, ocr: bool) {
    let mb = report.bytes as f64 / 1e6;
    let secs = report.seconds.max(0.001);
    println!(
        "Ingested into {}: {} added, {} updated, {} unchanged, {} failed, {} need OCR, {} skipped ({:.1} MB in {:.1} s, {:.1} MB/s, {:.0} docs/s)",
        archive.display(),
        report.added,
        report.updated,
        report.unchanged,
        report.failed,
        report.needs_ocr,
        report.skipped,
        mb,
        secs,
        mb / secs,
        (report.added + report.updated + report.unchanged) as f64 / secs,
    );
    if !report.errors.is_empty() {
        println!("\nFailed:");
        for e in &report.errors {
            println!("  {}: {}", e.path, e.error);
        }
    }
    if !report.needs_ocr_paths.is_empty() {
        println!(
            "\nStored, waiting for OCR{}:",
            if ocr {
                ""
            } else {
                " (install tesseract-ocr and tesseract-ocr-rus, then run `kartoteka ingest --retry-failed`)"
            }
        );
        for p in &report.needs_ocr_paths {
            println!("  {p}");
        }
    }
    if !report.skipped_paths.is_empty() {
        println!("\nSkipped (not a format Kartoteka reads):");
        for p in &report.skipped_paths {
            println!("  {p}");
        }
    }
    if report.failed > 0 {
        println!("\nRetry the failures alone with `kartoteka ingest --retry-failed`.");
    }
}

pub fn print_status(status: &Status) {
    let s = &status.summary;
    println!("Archive {}", status.archive);
    println!(
        "  {} documents, {} pages ({} indexed), {} units described",
        s.documents, s.pages, status.indexed_pages, s.units
    );
    let list = |pairs: &[(String, u64)]| {
        pairs
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !s.by_format.is_empty() {
        println!("  by format: {}", list(&s.by_format));
        println!("  placed by: {}", list(&s.by_placement));
    }
    println!(
        "  waiting for OCR: {}   failed: {}   not yet indexed: {}",
        s.needs_ocr, s.failed, s.not_indexed
    );
    if !status.failures.is_empty() {
        println!("\nFailures (retry with `kartoteka ingest --retry-failed`):");
        for f in &status.failures {
            let doc = f.doc.map(|d| format!("doc {d}, ")).unwrap_or_default();
            println!(
                "  {}{} [{} at {}]: {}",
                doc, f.path, f.stage, f.at, f.reason
            );
        }
    }
    if !status.needs_ocr_documents.is_empty() {
        println!("\nWaiting for OCR:");
        for d in &status.needs_ocr_documents {
            println!(
                "  doc {}  {}  {}",
                d.doc,
                d.reference.as_deref().unwrap_or("(unplaced)"),
                d.path
            );
        }
    }
}

pub fn print_search(query: &str, response: &SearchResponse, color: bool) {
    let (open, close) = if color {
        ("\x1b[1;31m", "\x1b[0m")
    } else {
        ("**", "**")
    };
    println!(
        "{} page{} match {query:?}",
        response.total,
        if response.total == 1 { "" } else { "s" }
    );
    for (i, hit) in response.hits.iter().enumerate() {
        // The citation names the sheet; an unplaced document still shows its sheet.
        let place = match (&hit.citation, hit.sheet) {
            (Some(citation), _) => citation.clone(),
            (None, Some(n)) => format!("(unplaced), л. {n}{}", if hit.verso { " об." } else { "" }),
            (None, None) => "(unplaced)".into(),
        };
        println!(
            "\n{:>3}. {place}   doc {} p. {}   {}",
            i + 1,
            hit.doc,
            hit.page,
            hit.path
        );
        println!("     {}", hit.fragment.marked(open, close));
    }
}

pub fn print_shown(shown: &Shown) {
    match shown {
        Shown::Document {
            document: d,
            reference_en,
            pages,
            ledger,
            events,
        } => {
            println!("Document {}", d.id);
            println!(
                "  original   {} ({} bytes, sha256 {})",
                d.source_path, d.size, d.content
            );
            match &d.reference {
                Some(r) => println!(
                    "  reference  {r}  /  {}",
                    reference_en.as_deref().unwrap_or("")
                ),
                None => println!("  reference  (unplaced)"),
            }
            println!("  placed by  {}", d.placement.as_str());
            if let Some(t) = &d.title {
                println!("  title      {t}");
            }
            if let Some(dates) = &d.dates {
                println!("  dates      {dates}");
            }
            println!(
                "  format     {}{}  language {}",
                d.format,
                d.encoding
                    .as_ref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default(),
                d.language.as_deref().unwrap_or("?")
            );
            println!(
                "  ingested   {}{}",
                d.ingested_at,
                if d.needs_ocr {
                    "   WAITING FOR OCR"
                } else {
                    ""
                }
            );
            println!("  ledger:");
            for r in ledger {
                let outcome = match &r.outcome {
                    StageOutcome::Done => "done".to_string(),
                    StageOutcome::Pending(why) => format!("pending: {why}"),
                    StageOutcome::Failed(why) => format!("FAILED: {why}"),
                };
                println!(
                    "    {} {:<8} v{} {}",
                    r.at,
                    r.stage.as_str(),
                    r.version,
                    outcome
                );
            }
            for e in events {
                let detail = e
                    .detail
                    .as_ref()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default();
                println!("    {} {} {}{detail}", e.at, e.event_type, e.outcome);
            }
            for p in pages {
                let sheet = p
                    .sheet
                    .map(|s| format!(" — л. {}{}", s.number, if s.verso { " об." } else { "" }))
                    .unwrap_or_default();
                println!("\n--- page {}{sheet} ---\n{}", p.number, p.text);
            }
        }
        Shown::Unit {
            reference,
            reference_en,
            unit,
            units,
            documents,
        } => {
            println!("Unit {reference}  /  {reference_en}");
            if let Some(u) = unit {
                if let Some(t) = &u.title {
                    println!("  title   {t}");
                }
                if let Some(d) = &u.dates {
                    println!("  dates   {d}");
                }
                if let Some(n) = u.sheet_count {
                    println!("  sheets  {n} (inventory)");
                }
            } else {
                println!("  (not described by an inventory)");
            }
            if !units.is_empty() {
                println!("  units inside:");
                for u in units {
                    println!("    {}  {}", u.reference, u.title.as_deref().unwrap_or(""));
                }
            }
            println!("  documents: {}", documents.len());
            for d in documents {
                println!(
                    "    doc {:<6} {:<32} {:<9} {}",
                    d.id.to_string(),
                    d.reference
                        .as_ref()
                        .map(|r| r.to_string())
                        .unwrap_or_default(),
                    d.format.as_str(),
                    d.source_path
                );
            }
        }
    }
}

pub fn print_fixity(report: &FixityReport) {
    println!(
        "Checked {} originals in {:.1} s: {} intact, {} corrupted, {} missing.",
        report.checked,
        report.seconds,
        report.passed,
        report.corrupted.len(),
        report.missing.len()
    );
    for (what, problems) in [
        ("CORRUPTED", &report.corrupted),
        ("MISSING", &report.missing),
    ] {
        for p in problems {
            println!("\n{what} {}: {}", p.hash, p.detail);
            for d in &p.documents {
                println!(
                    "  doc {}  {}  {}",
                    d.doc,
                    d.reference.as_deref().unwrap_or("(unplaced)"),
                    d.path
                );
            }
        }
    }
}

pub fn print_chain(report: &kartoteka_ingest::ChainReport) {
    if report.ok {
        println!(
            "The audit chain is intact: {} entries, head {}.",
            report.entries, report.head
        );
        return;
    }
    match report.first_bad {
        Some(at) => println!("The audit chain is BROKEN at entry {at}."),
        None => println!("The audit chain is intact but INCOMPLETE."),
    }
    if let Some(problem) = &report.problem {
        println!("  {problem}");
    }
    println!(
        "  Entries before the break: {}; last intact head {}.",
        report.first_bad.map(|n| n - 1).unwrap_or(report.entries),
        report.head
    );
}

pub fn print_audit_log(entries: &[kartoteka_store::AuditEntry]) {
    if entries.is_empty() {
        println!("No audit entries match.");
        return;
    }
    for e in entries {
        let what = [e.unit.as_deref(), e.object.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("  ");
        println!(
            "{:>6}  {}  {:<12} {:<12} {}",
            e.seq, e.at, e.actor, e.action, what
        );
        println!("        {}", e.detail);
    }
}

pub fn print_history(h: &kartoteka_ingest::History) {
    println!("{}", h.reference);
    if let Some(u) = &h.unit {
        if let Some(t) = &u.title {
            println!("  {t}");
        }
    }
    match &h.location {
        Some(l) => println!("  Kept at: {l}"),
        None => println!("  Kept at: (no custody recorded)"),
    }
    println!();
    for m in &h.timeline {
        let unit = match &m.unit {
            Some(u) if *u != h.reference => format!("  [{u}]"),
            _ => String::new(),
        };
        println!("{}  {:<12} {:<12} {}{unit}", m.at, m.kind, m.actor, m.what);
    }
}

pub fn print_gaps(report: &kartoteka_ingest::GapsReport) {
    println!(
        "Checked {} files and {} documents in {:.1} s: {} finding(s).",
        report.files,
        report.documents,
        report.seconds,
        report.findings.len()
    );
    for f in &report.findings {
        let status = match f.status {
            kartoteka_model::FindingStatus::Open => String::new(),
            other => format!("  [{}]", other.as_str()),
        };
        println!(
            "\n#{:<5} {:<6} {:<11} {}{status}",
            f.id,
            format!("{:?}", f.severity).to_lowercase(),
            f.kind.as_str(),
            f.reference
        );
        println!("       expected {}  found {}", f.expected, f.found);
        println!("       {}", f.evidence);
        if let Some(note) = &f.note {
            println!("       note: {note}");
        }
    }
}

pub fn print_note(n: &kartoteka_model::Note) {
    if n.locked {
        println!(
            "note {}  doc {} p. {}  {}  (locked in its author's private notebook)",
            n.id, n.anchor.doc.0, n.anchor.page, n.author
        );
        return;
    }
    let sheet = n
        .anchor
        .sheet
        .map(|s| format!("л. {}{}", s.number, if s.verso { " об." } else { "" }))
        .unwrap_or_else(|| format!("p. {}", n.anchor.page));
    println!(
        "note {}  doc {} {sheet} [{}..{}]  {}  {}{}",
        n.id,
        n.anchor.doc.0,
        n.anchor.start,
        n.anchor.end,
        n.author,
        n.modified,
        if n.orphaned {
            "  ORPHANED: the passage is no longer in the text"
        } else {
            ""
        }
    );
    println!("  «{}»", n.anchor.exact.replace('\n', " "));
    if let Some(c) = &n.comment {
        println!("  {c}");
    }
    if !n.tags.is_empty() {
        println!("  tags: {}", n.tags.join(", "));
    }
}
