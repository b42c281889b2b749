//! Printing answers for people (and JSON for programs), and the progress bar.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kartoteka_archive::{FixityReport, IngestReport, Progress, SearchResponse, Shown, Status};
use kartoteka_model::StageOutcome;
use serde::Serialize;

/// Prints any answer as one line of JSON.
pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    say!("{}", serde_json::to_string(value)?);
    Ok(())
}

/// A progress bar on standard error that stays hidden when that is not a terminal.
pub struct Bar {
    bar: ProgressBar,
    bytes: AtomicU64,
}

impl Bar {
    pub fn new(what: &str) -> Bar {
        Bar::counting(what, "docs")
    }

    /// A spinner for work whose size is not known beforehand, saying what is being done
    /// and for how long.
    pub fn spinner(what: &str) -> Bar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(&format!("{{spinner}} {what}  {{elapsed}}"))
        {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar {
            bar,
            bytes: AtomicU64::new(0),
        }
    }

    /// A bar counting `unit`s ("variants").
    pub fn counting(what: &str, unit: &str) -> Bar {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let template =
            format!("{what} {{bar:30}} {{pos}}/{{len}} {unit}  {{per_sec}}  {{msg}}  ETA {{eta}}");
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
    say!(
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
        say!("\nFailed:");
        for e in &report.errors {
            say!("  {}: {}", terminal_safe(&e.path), terminal_safe(&e.error));
        }
    }
    if !report.needs_ocr_paths.is_empty() {
        say!(
            "\nStored, waiting for OCR{}:",
            if ocr {
                ""
            } else {
                " (install tesseract-ocr and tesseract-ocr-rus, then run `kartoteka ingest --retry-failed`)"
            }
        );
        for p in &report.needs_ocr_paths {
            say!("  {}", terminal_safe(p));
        }
    }
    if !report.skipped_paths.is_empty() {
        say!("\nSkipped (not a format Kartoteka reads):");
        for p in &report.skipped_paths {
            say!("  {}", terminal_safe(p));
        }
    }
    if report.failed > 0 {
        say!("\nRetry the failures alone with `kartoteka ingest --retry-failed`.");
    }
}

pub fn print_status(status: &Status) {
    let s = &status.summary;
    say!("Archive {}", status.archive);
    say!(
        "  {} documents, {} pages ({} indexed), {} units described",
        s.documents,
        s.pages,
        status.indexed_pages,
        s.units
    );
    let list = |pairs: &[(String, u64)]| {
        pairs
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !s.by_format.is_empty() {
        say!("  by format: {}", list(&s.by_format));
        say!("  placed by: {}", list(&s.by_placement));
    }
    say!(
        "  waiting for OCR: {}   failed: {}   not yet indexed: {}",
        s.needs_ocr,
        s.failed,
        s.not_indexed
    );
    if !status.failures.is_empty() {
        say!("\nFailures (retry with `kartoteka ingest --retry-failed`):");
        for f in &status.failures {
            let doc = f.doc.map(|d| format!("doc {d}, ")).unwrap_or_default();
            say!(
                "  {}{} [{} at {}]: {}",
                doc,
                terminal_safe(&f.path),
                f.stage,
                f.at,
                terminal_safe(&f.reason)
            );
        }
    }
    if !status.needs_ocr_documents.is_empty() {
        say!("\nWaiting for OCR:");
        for d in &status.needs_ocr_documents {
            say!(
                "  doc {}  {}  {}",
                d.doc,
                d.reference.as_deref().unwrap_or("(unplaced)"),
                terminal_safe(&d.path)
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
    say!(
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
        say!(
            "\n{:>3}. {place}   doc {} p. {}   {}",
            i + 1,
            hit.doc,
            hit.page,
            terminal_safe(&hit.path)
        );
        // Highlights marked with characters no text holds, the fragment made safe, then
        // the marks become the (deliberate) colour escapes.
        let marked = terminal_safe(&hit.fragment.marked("\u{E000}", "\u{E001}"))
            .replace('\u{E000}', open)
            .replace('\u{E001}', close);
        println!("     {marked}");
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
            say!("Document {}", d.id);
            say!(
                "  original   {} ({} bytes, sha256 {})",
                terminal_safe(&d.source_path),
                d.size,
                d.content
            );
            match &d.reference {
                Some(r) => say!(
                    "  reference  {r}  /  {}",
                    reference_en.as_deref().unwrap_or("")
                ),
                None => say!("  reference  (unplaced)"),
            }
            say!("  placed by  {}", d.placement.as_str());
            if let Some(t) = &d.title {
                say!("  title      {}", terminal_safe(t));
            }
            if let Some(dates) = &d.dates {
                say!("  dates      {dates}");
            }
            say!(
                "  format     {}{}  language {}",
                d.format,
                d.encoding
                    .as_ref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default(),
                d.language.as_deref().unwrap_or("?")
            );
            say!(
                "  ingested   {}{}",
                d.ingested_at,
                if d.needs_ocr {
                    "   WAITING FOR OCR"
                } else {
                    ""
                }
            );
            say!("  ledger:");
            for r in ledger {
                let outcome = match &r.outcome {
                    StageOutcome::Done => "done".to_string(),
                    StageOutcome::Pending(why) => format!("pending: {why}"),
                    StageOutcome::Failed(why) => format!("FAILED: {why}"),
                };
                say!(
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
                say!("    {} {} {}{detail}", e.at, e.event_type, e.outcome);
            }
            for p in pages {
                let sheet = p
                    .sheet
                    .map(|s| format!(" — л. {}{}", s.number, if s.verso { " об." } else { "" }))
                    .unwrap_or_default();
                say!("\n--- page {}{sheet} ---\n{}", p.number, p.text);
            }
        }
        Shown::Unit {
            reference,
            reference_en,
            unit,
            units,
            documents,
        } => {
            say!("Unit {reference}  /  {reference_en}");
            if let Some(u) = unit {
                if let Some(t) = &u.title {
                    say!("  title   {t}");
                }
                if let Some(d) = &u.dates {
                    say!("  dates   {d}");
                }
                if let Some(n) = u.sheet_count {
                    say!("  sheets  {n} (inventory)");
                }
            } else {
                say!("  (not described by an inventory)");
            }
            if !units.is_empty() {
                say!("  units inside:");
                for u in units {
                    say!("    {}  {}", u.reference, u.title.as_deref().unwrap_or(""));
                }
            }
            say!("  documents: {}", documents.len());
            for d in documents {
                say!(
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
    say!(
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
            say!("\n{what} {}: {}", p.hash, p.detail);
            for d in &p.documents {
                say!(
                    "  doc {}  {}  {}",
                    d.doc,
                    d.reference.as_deref().unwrap_or("(unplaced)"),
                    d.path
                );
            }
        }
    }
    if report.kept_checked > 0 || !report.kept_problems.is_empty() {
        say!(
            "Checked {} files kept from packages sent to partners: {} changed or missing.",
            report.kept_checked,
            report.kept_problems.len()
        );
        for p in &report.kept_problems {
            say!("\nKEPT {}: {}", p.hash, p.detail);
            for f in &p.files {
                say!("  {f}");
            }
        }
    }
}

pub fn print_chain(report: &kartoteka_archive::ChainReport) {
    if report.ok {
        say!(
            "The audit chain is intact: {} entries, head {}.",
            report.entries,
            report.head
        );
        return;
    }
    if report.problem.is_none() && report.first_bad.is_none() {
        say!(
            "The audit chain is intact ({} entries, head {}), but {} row(s) of the archive differ from it:",
            report.entries,
            report.head,
            report.rows.len()
        );
        for row in &report.rows {
            say!("  {}", terminal_safe(row));
        }
        return;
    }
    match report.first_bad {
        Some(at) => say!("The audit chain is BROKEN at entry {at}."),
        None => say!("The audit chain is intact but INCOMPLETE."),
    }
    if let Some(problem) = &report.problem {
        say!("  {problem}");
    }
    say!(
        "  Entries before the break: {}; last intact head {}.",
        report.first_bad.map(|n| n - 1).unwrap_or(report.entries),
        report.head
    );
    for row in &report.rows {
        say!("  {}", terminal_safe(row));
    }
}

/// Text made safe for a terminal: control characters other than line breaks and tabs
/// (a terminal escape, a carriage return that overwrites the line) shown escaped.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .flat_map(|c| {
                if c.is_control() && c != '\n' && c != '\t' {
                    c.escape_default().collect::<Vec<_>>()
                } else {
                    vec![c]
                }
            })
            .collect(),
    )
}

/// Text from the archive made safe to print on one line: control characters (a terminal escape in a
/// file name, a line break in a note) shown escaped rather than acted on.
pub fn terminal_safe(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

pub fn print_audit_log(entries: &[kartoteka_store::AuditEntry]) {
    if entries.is_empty() {
        say!("No audit entries match.");
        return;
    }
    for e in entries {
        let what = [e.unit.as_deref(), e.object.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("  ");
        say!(
            "{:>6}  {}  {:<12} {:<12} {}",
            e.seq,
            e.at,
            e.actor,
            e.action,
            what
        );
        say!("        {}", e.detail);
    }
}

pub fn print_history(h: &kartoteka_archive::History) {
    say!("{}", h.reference);
    if let Some(u) = &h.unit {
        if let Some(t) = &u.title {
            say!("  {t}");
        }
    }
    match &h.location {
        Some(l) => say!("  Kept at: {l}"),
        None => say!("  Kept at: (no custody recorded)"),
    }
    say!();
    for m in &h.timeline {
        let unit = match &m.unit {
            Some(u) if *u != h.reference => format!("  [{u}]"),
            _ => String::new(),
        };
        say!("{}  {:<12} {:<12} {}{unit}", m.at, m.kind, m.actor, m.what);
    }
}

pub fn print_gaps(report: &kartoteka_archive::GapsReport) {
    say!(
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
        say!(
            "\n#{:<5} {:<6} {:<11} {}{status}",
            f.id,
            format!("{:?}", f.severity).to_lowercase(),
            f.kind.as_str(),
            f.reference
        );
        say!("       expected {}  found {}", f.expected, f.found);
        say!("       {}", f.evidence);
        if let Some(note) = &f.note {
            say!("       note: {note}");
        }
    }
}

pub fn print_note(n: &kartoteka_model::Note) {
    if n.locked {
        say!(
            "note {}  doc {} p. {}  {}  (locked in its author's private notebook)",
            n.id,
            n.anchor.doc.0,
            n.anchor.page,
            n.author
        );
        return;
    }
    let sheet = n
        .anchor
        .sheet
        .map(|s| s.label())
        .unwrap_or_else(|| format!("p. {}", n.anchor.page));
    say!(
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
    say!("  «{}»", n.anchor.exact.replace('\n', " "));
    if let Some(c) = &n.comment {
        // A comment's own line breaks kept, each line indented under the note.
        say!("  {}", c.trim_end().replace('\n', "\n  "));
    }
    if !n.tags.is_empty() {
        say!("  tags: {}", n.tags.join(", "));
    }
}

/// A dossier on the terminal: names, cover names, roles, files, relations, timeline and
/// every mention with its place.
pub fn print_dossier(d: &kartoteka_archive::Dossier) {
    let p = &d.person;
    say!("{}  {}", p.id, p.name);
    if p.names.len() > 1 {
        say!("  also written: {}", p.names[1..].join("; "));
    }
    for c in &p.cover_names {
        say!(
            "  cover name {} ({}..{})",
            c.name,
            c.from.as_deref().unwrap_or("?"),
            c.to.as_deref().unwrap_or("?")
        );
    }
    if !d.roles.is_empty() {
        say!("  roles: {}", d.roles.join(", "));
    }
    for f in &d.own_files {
        if f.findings.is_empty() {
            say!("  own file {} «{}»", f.reference, f.title);
        } else {
            say!(
                "  own file {} «{}»: {}",
                f.reference,
                f.title,
                f.findings.join("; ")
            );
        }
    }
    if !d.units.is_empty() {
        say!("  in files: {}", d.units.join("; "));
    }
    for r in &d.relations {
        let other = match &r.other_person {
            Some(id) => format!("{} ({id})", r.other),
            None => r.other.clone(),
        };
        if r.outgoing {
            say!("  {} {other}  [doc {} p. {}]", r.kind, r.doc, r.page);
        } else {
            say!("  {other} {} them  [doc {} p. {}]", r.kind, r.doc, r.page);
        }
    }
    for t in &d.timeline {
        say!(
            "  {}  {}  {}",
            t.date,
            t.reference.as_deref().unwrap_or(&t.doc.to_string()),
            t.text.replace('\n', " ")
        );
    }
    say!("  {} mentions:", p.mentions.len());
    for m in &p.mentions {
        let place = m
            .sheet
            .map(|s| format!("л. {s}"))
            .unwrap_or_else(|| format!("p. {}", m.page));
        say!(
            "    doc {:<5} {:<8} {}  «{}»",
            m.doc.0,
            place,
            m.reference.as_deref().unwrap_or(""),
            m.context.replace('\n', " ")
        );
    }
    for j in &d.judgements {
        say!(
            "  judgement {}: {} {} {} ({}, {} {}){}",
            j.id,
            j.a.text,
            j.verdict,
            j.b.text,
            j.why,
            j.by,
            j.at,
            if j.undone.is_some() { " [undone]" } else { "" }
        );
    }
}
