//! The `claim`, `claims`, `report` and `reports` commands.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Subcommand, ValueEnum};
use kartoteka_archive::Archive;
use kartoteka_model::ReportStatus;

use crate::{input_error, output, usage, Failure, EXIT_NOT_FOUND, EXIT_OK};

#[derive(Subcommand)]
pub(crate) enum ClaimCommand {
    /// Write a claim about a person, citing exact spans, with an Admiralty grade and why.
    #[command(
        after_help = "Example:\n  kartoteka claim add P4.1.31 --text 'Passed naval correspondence' \\\n    --cite 6:0-120 --grade B2 --why 'original report, confirmed by the resident'"
    )]
    Add {
        /// The person (an id from `kartoteka persons`, or a name that picks out one).
        subject: String,
        /// The assertion.
        #[arg(long)]
        text: String,
        /// A span it rests on: DOC[/PAGE]:START-END, DOC a document number or the
        /// reference code of one document, START-END characters of the page (from 0).
        #[arg(long = "cite", value_name = "SPAN", required = true)]
        cites: Vec<String>,
        /// The grade: source reliability A-F and information credibility 1-6 ("B2").
        #[arg(long)]
        grade: String,
        /// Why that grade.
        #[arg(long)]
        why: String,
        /// Print the claim as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum MarkingCommand {
    /// Mark what a unit holds at least so high, from the next `report build` on (which
    /// lists the paragraphs whose marking changed).
    #[command(
        after_help = "Example:\n  kartoteka marking set 'ф. 9002' 'SECRET//REL TO GBR, USA' \\\n    --why 'partner agreement 1994/7'\n  kartoteka report build --all"
    )]
    Set {
        /// The unit: a fonds, inventory or file by its reference code ("ф. 9002").
        unit: String,
        /// The marking: UNCLASSIFIED, RESTRICTED, CONFIDENTIAL, SECRET or TOP SECRET, and
        /// optionally controls: "//REL TO GBR, USA", "//NOFORN", "//ORCON/REL TO GBR".
        marking: String,
        /// The authority for it.
        #[arg(long)]
        why: String,
    },
    /// Drop a unit's marking rule.
    Remove {
        /// The unit, as it was set.
        unit: String,
        /// Why.
        #[arg(long, default_value = "")]
        why: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum ReportCommand {
    /// Build the reports on a person, on a case file, or on every agent with --all (and
    /// print the index of the collection). An agent gets one report on all the evidence,
    /// one per cover-name period when they held several, and one per case file when the
    /// evidence is in several. Edited paragraphs survive; what new evidence changed is
    /// listed.
    Build {
        /// The person (id or name), or a case: a file by its reference code
        /// ("ф. 9002, оп. 1, д. 1"), for a report on each agent it names, on what it says.
        #[arg(required_unless_present = "all")]
        subject: Option<String>,
        /// Every person who held a cover name or whom the text calls an agent, source or
        /// illegal.
        #[arg(long, conflicts_with = "subject")]
        all: bool,
        /// Also write every report built, in every format (ID.md, ID.html, ID.json,
        /// ID.stix.json), and the collection's index (index.json, index.md), into DIR.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// With --out, also write each report as ID.pdf.
        #[arg(long, requires = "out")]
        pdf: bool,
        /// Print what was built as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show a report in a format, to the terminal or a file.
    Show {
        /// The report's id ("R-P4.1.31").
        id: String,
        /// The form.
        #[arg(long, value_enum, default_value = "md")]
        format: Format,
        /// This version rather than the latest.
        #[arg(long)]
        version: Option<u32>,
        /// Write to this file (whole, or not at all) instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Change one paragraph's text or marking: a new draft version.
    Edit {
        /// The report's id.
        id: String,
        /// The paragraph's number (as `report show --format json` lists them, from 1).
        #[arg(long)]
        paragraph: usize,
        /// Its new text.
        #[arg(long)]
        text: Option<String>,
        /// A reviewer's marking for it ("SECRET//REL TO GBR, USA", "SECRET//NOFORN").
        #[arg(long)]
        marking: Option<String>,
        /// Edit an approved report into a new version (it is never changed in place).
        #[arg(long)]
        new_version: bool,
        /// Why (needed to lower a marking below what its sources give; the version keeps
        /// it, with who did it).
        #[arg(long, default_value = "")]
        why: String,
    },
    /// Mark a draft reviewed.
    Review {
        /// The report's id.
        id: String,
        /// Notes of the review.
        #[arg(long, default_value = "")]
        why: String,
    },
    /// Approve a reviewed report.
    Approve {
        /// The report's id.
        id: String,
        /// Notes of the approval.
        #[arg(long, default_value = "")]
        why: String,
    },
    /// What changed between two versions (the last two by default).
    Diff {
        /// The report's id.
        id: String,
        /// The older version.
        from: Option<u32>,
        /// The newer version.
        to: Option<u32>,
    },
}

/// The forms a report is written in.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// Markdown.
    Md,
    /// A standalone HTML page with a relationship diagram and a timeline.
    Html,
    /// PDF: A4, banner marking in header and footer, portion marks in the margin.
    Pdf,
    /// The report as JSON.
    Json,
    /// A STIX 2.1 bundle.
    Stix,
}

pub(crate) fn claim(command: ClaimCommand, archive: &Archive) -> Result<u8, Failure> {
    match command {
        ClaimCommand::Add {
            subject,
            text,
            cites,
            grade,
            why,
            json,
        } => {
            let c = archive
                .reports()
                .add_claim(&subject, &text, &cites, &grade, &why)
                .map_err(input_error)?;
            if json {
                output::print_json(&c)?;
            } else {
                say!("{}  {} [{}] about {}", c.id, c.text, c.grade, c.subject);
            }
            Ok(EXIT_OK)
        }
    }
}

pub(crate) fn marking(command: MarkingCommand, archive: &Archive) -> Result<u8, Failure> {
    match command {
        MarkingCommand::Set { unit, marking, why } => {
            let r = archive
                .reports()
                .set_marking_rule(&unit, &marking, &why)
                .map_err(input_error)?;
            say!("{}: {} ({})", r.unit, r.marking, r.why);
            say!("run `kartoteka report build --all` to mark the reports by it");
        }
        MarkingCommand::Remove { unit, why } => {
            archive
                .reports()
                .remove_marking_rule(&unit, &why)
                .map_err(input_error)?;
            say!("{unit}: no marking rule");
        }
    }
    Ok(EXIT_OK)
}

pub(crate) fn markings(archive: &Archive, json: bool) -> Result<u8, Failure> {
    let rules = archive.reports().marking_rules()?;
    if json {
        let list: Vec<serde_json::Value> = rules
            .iter()
            .map(|r| {
                serde_json::json!({
                    "unit": r.unit, "marking": r.marking.to_string(), "why": r.why,
                    "by": r.by, "at": r.at,
                })
            })
            .collect();
        output::print_json(&serde_json::json!({ "rules": list }))?;
    } else if rules.is_empty() {
        say!("no marking rules: reports are marked by what their pages say");
    } else {
        for r in &rules {
            say!(
                "{:<28} {:<32} {} ({}, {})",
                r.unit,
                r.marking.to_string(),
                r.why,
                r.by,
                r.at
            );
        }
    }
    Ok(EXIT_OK)
}

pub(crate) fn claims(
    archive: &Archive,
    subject: Option<&str>,
    only_conflicts: bool,
    json: bool,
) -> Result<u8, Failure> {
    let set = archive.reports().claims(subject).map_err(input_error)?;
    if json {
        // A listing names a person by name in "subject", by id in "subject_id".
        let named = |items: serde_json::Value| -> serde_json::Value {
            let mut items = items;
            if let Some(list) = items.as_array_mut() {
                for v in list {
                    let id = v["subject"].as_str().unwrap_or_default().to_string();
                    v["subject"] = serde_json::json!(set.names.get(&id).unwrap_or(&id));
                    v["subject_id"] = serde_json::json!(id);
                }
            }
            items
        };
        let conflicts = named(serde_json::to_value(&set.conflicts).context("writing JSON")?);
        if only_conflicts {
            output::print_json(&serde_json::json!({ "conflicts": conflicts }))?;
        } else {
            let claims = named(serde_json::to_value(&set.claims).context("writing JSON")?);
            output::print_json(&serde_json::json!({ "claims": claims, "conflicts": conflicts }))?;
        }
        return Ok(EXIT_OK);
    }
    if only_conflicts {
        for k in &set.conflicts {
            let text = |id: &str| {
                set.claims
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| format!("{} [{}]", c.text, c.grade))
                    .unwrap_or_default()
            };
            say!("{} {}: {} / {}", k.subject, k.topic, text(&k.a), text(&k.b));
        }
        return Ok(EXIT_OK);
    }
    for c in &set.claims {
        let places: Vec<String> = c
            .citations
            .iter()
            .map(|x| {
                format!(
                    "{}:{}-{}",
                    x.reference.clone().unwrap_or_else(|| x.doc.0.to_string()),
                    x.start,
                    x.end
                )
            })
            .collect();
        say!(
            "{:<15} {:<12} [{}] {}  ({}; {})",
            c.id,
            c.subject,
            c.grade,
            c.text,
            c.why,
            places.join("; ")
        );
    }
    if !set.conflicts.is_empty() {
        say!(
            "{} conflicts (kartoteka claims --conflicts)",
            set.conflicts.len()
        );
    }
    Ok(EXIT_OK)
}

/// Writes text to a file whole: beside it first, then renamed in.
fn write_whole(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("writing beside {}", path.display()))?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    // A report file is for others to read, not private like the temporary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

pub(crate) fn report(command: ReportCommand, archive: &Archive) -> Result<u8, Failure> {
    match command {
        ReportCommand::Build {
            subject,
            all,
            out,
            pdf,
            json,
        } => {
            let who = if all { None } else { subject.as_deref() };
            let built = archive.reports().build_reports(who).map_err(input_error)?;
            if let Some(dir) = &out {
                write_collection(archive, &built, dir, pdf)?;
            }
            if json {
                output::print_json(&built)?;
                return Ok(EXIT_OK);
            }
            for id in &built.created {
                say!("created   {id}");
            }
            for (id, changes) in &built.updated {
                say!("updated   {id} ({} changes)", changes.len());
                for c in changes {
                    say!("          {c}");
                }
            }
            for id in &built.unchanged {
                say!("unchanged {id}");
            }
            for f in built.superseded.iter().chain(&built.withdrawn) {
                say!("{}", kartoteka_report::fate_line(f));
            }
            let ix = &built.index;
            say!(
                "{} reports on {} agents in {} countries ({:.1} s)",
                ix.reports,
                ix.agents,
                ix.countries,
                built.seconds
            );
            let list = |m: &std::collections::BTreeMap<String, u64>| {
                m.iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            say!("  by country: {}", list(&ix.by_country));
            say!("  by status:  {}", list(&ix.by_status));
            say!("  by period:  {}", list(&ix.by_period));
            say!("  by service: {}", list(&ix.by_service));
            Ok(EXIT_OK)
        }
        ReportCommand::Show {
            id,
            format,
            version,
            out,
        } => {
            // Only a person id can have been merged; a report id is looked up as it is.
            let redirect = if id.starts_with("R-") {
                None
            } else {
                archive.identities().redirect(&id)?
            };
            if let Some(redirect) = redirect {
                eprintln!(
                    "note: person {} was merged into {} ({}); this is the report on {}",
                    redirect.from, redirect.merged_into, redirect.reason, redirect.merged_into
                );
            }
            let r = archive
                .reports()
                .report(&id, version)
                .map_err(input_error)?;
            if let Some(f) = archive
                .reports()
                .report_fates()?
                .get(&(r.id.clone(), r.version))
            {
                eprintln!(
                    "note: {}; this is the report as it was kept",
                    kartoteka_report::fate_line(f)
                );
            }
            let text = match format {
                Format::Md => kartoteka_report::markdown(&r),
                Format::Html => kartoteka_report::html(&r),
                Format::Json => serde_json::to_string_pretty(&kartoteka_report::json(&r))
                    .context("writing JSON")?,
                Format::Stix => serde_json::to_string_pretty(&kartoteka_report::stix_bundle(&r))
                    .context("writing STIX")?,
                Format::Pdf => return show_pdf(&r, out.as_deref()),
            };
            match out {
                Some(path) => write_whole(&path, text.as_bytes())?,
                None => say!("{text}"),
            }
            Ok(EXIT_OK)
        }
        ReportCommand::Edit {
            id,
            paragraph,
            text,
            marking,
            new_version,
            why,
        } => {
            let r = archive
                .reports()
                .edit_report(
                    &id,
                    paragraph,
                    text.as_deref(),
                    marking.as_deref(),
                    new_version,
                    &why,
                )
                .map_err(input_error)?;
            say!("{} version {} ({}): {}", r.id, r.version, r.status, r.why);
            Ok(EXIT_OK)
        }
        ReportCommand::Review { id, why } => advance(archive, &id, ReportStatus::Reviewed, &why),
        ReportCommand::Approve { id, why } => advance(archive, &id, ReportStatus::Approved, &why),
        ReportCommand::Diff { id, from, to } => {
            let versions = match (from, to) {
                (Some(a), Some(b)) => Some((a, b)),
                (None, None) => None,
                _ => return Err(usage("give both versions, or neither for the last two")),
            };
            let lines = archive
                .reports()
                .report_diff(&id, versions)
                .map_err(input_error)?;
            for l in &lines {
                say!("{l}");
            }
            Ok(EXIT_OK)
        }
    }
}

/// Writes a report as PDF to a file, or to standard output when that is not a terminal.
fn show_pdf(r: &kartoteka_model::Report, out: Option<&Path>) -> Result<u8, Failure> {
    use std::io::{IsTerminal, Write};
    let bytes = kartoteka_report::pdf(r).context("writing PDF")?;
    match out {
        Some(path) => write_whole(path, &bytes)?,
        None if std::io::stdout().is_terminal() => {
            return Err(usage(
                "a PDF is not for the terminal: give --out FILE, or redirect the output to a file",
            ))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&bytes)
                .and_then(|()| stdout.flush())
                .context("writing the PDF to standard output")?;
        }
    }
    Ok(EXIT_OK)
}

/// Writes the reports a build touched, in every format, and the collection's index, in the
/// layout the report crate gives.
fn write_collection(
    archive: &Archive,
    built: &kartoteka_archive::BuildReport,
    dir: &Path,
    pdf: bool,
) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let ids: Vec<&String> = built
        .created
        .iter()
        .chain(built.updated.iter().map(|(id, _)| id))
        .chain(&built.unchanged)
        .collect();
    let reports = archive.reports().all()?;
    let by_id: std::collections::HashMap<&str, &kartoteka_model::Report> =
        reports.iter().map(|r| (r.id.as_str(), r)).collect();
    let touched: Vec<&kartoteka_model::Report> = ids
        .iter()
        .filter_map(|id| by_id.get(id.as_str()).copied())
        .collect();
    let gone: Vec<kartoteka_model::ReportFate> = built
        .superseded
        .iter()
        .chain(&built.withdrawn)
        .cloned()
        .collect();
    kartoteka_report::write_collection(&touched, &built.index, &gone, pdf, |name, bytes| {
        write_whole(&dir.join(name), bytes)
    })?;
    Ok(())
}

fn advance(archive: &Archive, id: &str, to: ReportStatus, why: &str) -> Result<u8, Failure> {
    let r = archive
        .reports()
        .advance_report(id, to, why)
        .map_err(input_error)?;
    say!("{} version {} is {}", r.id, r.version, r.status);
    Ok(EXIT_OK)
}

pub(crate) fn reports(
    archive: &Archive,
    status: Option<&str>,
    country: Option<&str>,
    with_retired: bool,
    json: bool,
) -> Result<u8, Failure> {
    let status: Option<ReportStatus> = status
        .map(|s| s.parse())
        .transpose()
        .map_err(|e| usage(format!("--status: {e}")))?;
    let all = archive.reports().all()?;
    let fates = archive.reports().report_fates()?;
    let fate_of = |r: &kartoteka_model::Report| fates.get(&(r.id.clone(), r.version));
    let chosen: Vec<_> = all
        .iter()
        .filter(|r| fate_of(r).is_none() || with_retired)
        .filter(|r| status.is_none_or(|s| r.status == s))
        .filter(|r| country.is_none_or(|c| r.countries.iter().any(|x| x.eq_ignore_ascii_case(c))))
        .collect();
    if json {
        let list: Vec<serde_json::Value> = chosen
            .iter()
            .map(|r| {
                let mut v = serde_json::json!({
                    "id": r.id, "subject": r.subject_name, "subject_id": r.subject,
                    "title": r.title, "status": r.status, "version": r.version,
                    "marking": r.marking().to_string(), "countries": r.countries,
                });
                if let Some(f) = fate_of(r) {
                    v["fate"] = serde_json::json!(f.fate);
                    v["superseded_by"] = serde_json::json!(f.by);
                    v["fate_reason"] = serde_json::json!(f.reason);
                }
                v
            })
            .collect();
        output::print_json(&serde_json::json!({ "reports": list }))?;
    } else {
        let width = chosen
            .iter()
            .map(|r| r.id.chars().count())
            .max()
            .unwrap_or(0);
        for r in &chosen {
            let fate = match fate_of(r) {
                Some(f) if f.fate == kartoteka_model::Fate::Superseded => {
                    format!("  (superseded by {})", f.by.join(", "))
                }
                Some(f) => format!("  ({})", f.fate),
                None => String::new(),
            };
            say!(
                "{:<width$} v{:<3} {:<9} {:<28} {}  [{}]{fate}",
                r.id,
                r.version,
                r.status,
                r.marking().to_string(),
                r.title,
                r.countries.join(", ")
            );
        }
    }
    Ok(
        if chosen.is_empty() && (status.is_some() || country.is_some()) {
            EXIT_NOT_FOUND
        } else {
            EXIT_OK
        },
    )
}
