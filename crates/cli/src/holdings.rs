//! The commands on holdings: init, ingest, status, search, show, reindex, verify, move,
//! history, gaps and synth.

use crate::*;

#[derive(Subcommand)]
pub(crate) enum HoldingsCommand {
    /// Create an empty archive (ingest creates one too when there is none).
    Init,
    /// Store, extract, place and index files and folders.
    #[command(
        after_help = "Files are placed in the hierarchy by the inventory CSV when it lists them, else by \
reference codes in folder names (ф. 17/оп. 171/д. 409/) or file names (f17_op171_d409.pdf). \
Re-running an ingest is safe: unchanged files are skipped and an interrupted ingest resumes.

The inventory CSV needs a `reference` (шифр) column; `path` (файл), `title` (заголовок), `dates` (даты) \
and `sheets` (листов) are optional. Paths are relative to the CSV's folder."
    )]
    Ingest {
        /// Files or folders to ingest.
        #[arg(value_name = "PATH", required_unless_present = "retry_failed")]
        paths: Vec<PathBuf>,
        /// An inventory (опись) CSV mapping files to reference codes, titles, dates, sheet counts.
        #[arg(long, value_name = "FILE.csv")]
        inventory: Option<PathBuf>,
        /// Retry only the documents and files that failed, and those waiting for OCR if it is now installed.
        #[arg(long)]
        retry_failed: bool,
        /// The files are typed notes with no originals behind them: a line holding only a
        /// reference code begins a note, and each note is placed ("cited") at that reference.
        #[arg(long, conflicts_with_all = ["inventory", "retry_failed"])]
        notes: bool,
        /// Larger files are stored but their text is not extracted.
        #[arg(long, value_name = "BYTES", default_value_t = 512 * 1024 * 1024)]
        max_file_size: u64,
        /// Worker threads for this ingest: the older name of the global --jobs.
        #[arg(long, value_name = "N", default_value_t = 0, hide = true)]
        workers: usize,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show counts, the stage ledger's failures and documents waiting for OCR.
    Status {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Search the archive.
    #[command(
        after_help = "QUERY LANGUAGE: words are all required; OR offers alternatives; NOT or a leading - \
excludes; (parentheses) group; \"double quotes\" or «guillemets» make a phrase. The operators may be \
written in Russian, in capitals: И, ИЛИ, НЕ (quote them, \"НЕ\", to search for the word).
A word matches its inflected forms (Хрущёвым finds Хрущёв) and its romanisations (Khrushchev, \
Chruschtschow, Hruŝëv find Хрущёв and back); --exact turns all of that off."
    )]
    Search {
        /// What to look for.
        query: String,
        /// Most hits to print.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Match words exactly as written: no case or ё folding, no lemmas, no transliteration.
        #[arg(long)]
        exact: bool,
        /// Only inside this unit, e.g. 'ф. 17, оп. 171'.
        #[arg(long = "in", value_name = "REFERENCE")]
        within: Option<String>,
        /// Only documents in this language (ru, en, mixed).
        #[arg(long, value_name = "LANG")]
        lang: Option<String>,
        /// Only documents of this format (text, markdown, html, pdf, docx, image).
        #[arg(long, value_name = "FORMAT")]
        format: Option<String>,
        /// Only documents dated within this period: 1937, 1937..1945, 1941-06-22.
        #[arg(long, value_name = "PERIOD")]
        dates: Option<String>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show a document by number, or a unit by reference code.
    Show {
        /// A document number or a reference code.
        #[arg(value_name = "DOC_ID|REFERENCE")]
        target: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rebuild the search index from the store.
    Reindex,
    /// Re-hash every stored original and report any whose bytes changed or that is missing.
    #[command(
        after_help = "Each check is recorded as a PREMIS \"fixity check\" event on the original. \
Exit status 1 when any original is corrupted or missing."
    )]
    Verify {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Record that units moved to a new place (repository / building / room / box).
    Move {
        /// The units that moved.
        #[arg(value_name = "REFERENCE", required = true)]
        units: Vec<String>,
        /// Where to: "repository / building / room / box" (the last parts may be left off).
        #[arg(long, value_name = "LOCATION")]
        to: String,
    },
    /// A unit's history: where it was kept, the transfers that carried it, and every act on it.
    History {
        /// The unit.
        #[arg(value_name = "REFERENCE")]
        reference: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Reconcile holdings against the inventories and against themselves: files missing,
    /// unlisted, empty or emptied; sheet counts that differ; holes in numbering; duplicates.
    #[command(
        args_conflicts_with_subcommands = true,
        after_help = "Findings are kept: run again after new ingests, and annotate them with \
`kartoteka gaps annotate ID --status explained --note \"destroyed in 1956 (act no. 12)\"`. \
Listed most severe first: emptied and missing, then empty, sheet_count and duplicate, then numbering \
and unlisted.\n\nJSON: {\"findings\": [{\"id\", \"kind\", \"reference\", \"expected\", \"found\", \"evidence\", \
\"severity\", \"status\", \"note\", \"first_seen\"}]}"
    )]
    Gaps {
        #[command(subcommand)]
        annotate: Option<GapsCommand>,
        /// Only inside this unit.
        #[arg(value_name = "UNIT")]
        unit: Option<String>,
        /// Only findings of this kind: missing, unlisted, empty, sheet_count, numbering, duplicate, emptied.
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a synthetic archive with a ground-truth file, for tests and benchmarks.
    Synth {
        /// Folder to write into (created).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Number of documents.
        #[arg(long, default_value_t = 200)]
        docs: u64,
        /// Seed: the same seed writes the same archive.
        #[arg(long, default_value_t = 1972)]
        seed: u64,
    },
}

/// Runs one of these commands.
pub(crate) fn run(command: HoldingsCommand, session: &Session) -> Result<u8, Failure> {
    let archive_dir = session.archive_dir.clone();
    let user = session.user.clone();
    let jobs = session.jobs;
    let open = |dir: &std::path::Path| session.open_at(dir);
    match command {
        HoldingsCommand::Init => {
            let existed = Archive::exists(&archive_dir);
            Archive::init_at(&archive_dir, session.blobs.as_ref(), session.store.as_ref())
                .with_context(|| format!("creating an archive in {}", archive_dir.display()))?;
            say!(
                "{} archive in {}",
                if existed { "Existing" } else { "Created" },
                archive_dir.display()
            );
            Ok(EXIT_OK)
        }
        HoldingsCommand::Ingest {
            paths,
            inventory,
            retry_failed,
            notes,
            max_file_size,
            workers,
            json,
        } => {
            if !Archive::exists(&archive_dir) && !json {
                eprintln!("Creating an archive in {}", archive_dir.display());
            }
            let archive =
                Archive::init_at(&archive_dir, session.blobs.as_ref(), session.store.as_ref())
                    .with_context(|| format!("opening {}", archive_dir.display()))?;
            archive.set_actor(&user);
            archive.set_jobs(if workers > 0 { workers } else { jobs });
            if notes {
                let progress = output::Bar::new("reading notes");
                let report = archive.ingest_notes(&paths, &progress)?;
                if json {
                    output::print_json(&report)?;
                } else {
                    say!(
                        "{} notes in {} file(s): {} added, {} updated, {} unchanged.",
                        report.notes,
                        report.files,
                        report.added,
                        report.updated,
                        report.unchanged
                    );
                    for e in &report.errors {
                        say!("  failed: {e}");
                    }
                }
                return Ok(if report.errors.is_empty() {
                    EXIT_OK
                } else {
                    EXIT_FAILED
                });
            }
            let options = IngestOptions {
                inventory,
                max_file_size,
                workers,
                retry_failed,
                ..IngestOptions::default()
            };
            let progress = output::Bar::new("ingesting");
            let report = archive.ingest(&paths, &options, &progress)?;
            if json {
                output::print_json(&report)?;
            } else {
                output::print_ingest(&report, &archive_dir, options.ocr.available());
            }
            Ok(if report.failed > 0 {
                EXIT_FAILED
            } else {
                EXIT_OK
            })
        }
        HoldingsCommand::Status { json } => {
            let archive = open(&archive_dir)?;
            let status = archive.status()?;
            if json {
                output::print_json(&status)?;
            } else {
                output::print_status(&status);
            }
            Ok(EXIT_OK)
        }
        HoldingsCommand::Search {
            query,
            limit,
            exact,
            within,
            lang,
            format,
            dates,
            json,
        } => {
            let within = within
                .map(|r| Reference::parse(&r).map_err(|e| usage(format!("--in {r:?}: {e}"))))
                .transpose()?;
            let format = format
                .map(|f| {
                    Format::parse(&f).ok_or_else(|| {
                        usage(format!(
                            "--format {f:?}: expected text, markdown, html, pdf, docx or image"
                        ))
                    })
                })
                .transpose()?;
            let dates = dates
                .map(|d| {
                    DateRange::parse(&d).ok_or_else(|| {
                        usage(format!(
                            "--dates {d:?}: expected 1937, 1937..1945 or 1941-06-22"
                        ))
                    })
                })
                .transpose()?;
            let archive = open(&archive_dir)?;
            let options = SearchOptions {
                limit,
                within,
                language: lang,
                format,
                dates,
                exact,
            };
            let response = archive.search(&query, &options).map_err(|e| match e {
                ArchiveError::Query(q) => {
                    usage(format!("query {}: {q}", kartoteka_model::excerpt(&query)))
                }
                other => other.into(),
            })?;
            if json {
                output::print_json(&response)?;
            } else {
                output::print_search(&query, &response, std::io::stdout().is_terminal());
            }
            Ok(EXIT_OK)
        }
        HoldingsCommand::Show { target, json } => {
            let archive = open(&archive_dir)?;
            let shown = match archive.show(&target) {
                Ok(s) => s,
                Err(e @ ArchiveError::NotFound(_)) => {
                    return Err(Failure {
                        status: EXIT_NOT_FOUND,
                        error: e.into(),
                    })
                }
                Err(e @ ArchiveError::BadTarget(..)) => return Err(usage(e)),
                Err(e) => return Err(e.into()),
            };
            if json {
                output::print_json(&shown)?;
            } else {
                output::print_shown(&shown);
            }
            Ok(EXIT_OK)
        }
        HoldingsCommand::Reindex => {
            let archive = open(&archive_dir)?;
            let progress = output::Bar::new("indexing");
            let n = archive.reindex(&progress)?;
            say!(
                "Reindexed {n} documents ({} pages).",
                archive.index().page_count()
            );
            Ok(EXIT_OK)
        }
        HoldingsCommand::Verify { json } => {
            let archive = open(&archive_dir)?;
            let progress = output::Bar::new("verifying");
            let report = archive.verify(&progress)?;
            if json {
                output::print_json(&report)?;
            } else {
                output::print_fixity(&report);
            }
            let failed = report.failed();
            Ok(if failed { EXIT_FAILED } else { EXIT_OK })
        }
        HoldingsCommand::Move { units, to } => {
            let units = units
                .iter()
                .map(|u| Reference::parse(u).map_err(|e| usage(format!("{u:?}: {e}"))))
                .collect::<Result<Vec<_>, _>>()?;
            let to: kartoteka_model::Location =
                to.parse().map_err(|e| usage(format!("--to: {e}")))?;
            let archive = open(&archive_dir)?;
            archive.move_units(&units, &to)?;
            say!("Recorded: {} unit(s) now at {to}.", units.len());
            Ok(EXIT_OK)
        }
        HoldingsCommand::History { reference, json } => {
            let r =
                Reference::parse(&reference).map_err(|e| usage(format!("{reference:?}: {e}")))?;
            let archive = open(&archive_dir)?;
            let history = archive.history(&r).map_err(by_kind)?;
            if json {
                output::print_json(&history)?;
            } else {
                output::print_history(&history);
            }
            Ok(EXIT_OK)
        }
        HoldingsCommand::Gaps {
            annotate: Some(GapsCommand::Annotate { id, status, note }),
            ..
        } => {
            let status = kartoteka_model::FindingStatus::parse(&status).ok_or_else(|| {
                usage(format!(
                    "--status {status:?}: expected open, under_investigation or explained"
                ))
            })?;
            let archive = open(&archive_dir)?;
            let finding = archive
                .annotate_finding(id, status, note.as_deref())
                .map_err(by_kind)?;
            say!(
                "Finding {} ({} at {}) is now {}.",
                finding.id,
                finding.kind.as_str(),
                finding.reference,
                finding.status.as_str()
            );
            Ok(EXIT_OK)
        }
        HoldingsCommand::Gaps {
            annotate: None,
            unit,
            kind,
            json,
        } => {
            let unit = unit
                .map(|u| Reference::parse(&u).map_err(|e| usage(format!("{u:?}: {e}"))))
                .transpose()?;
            let kind = kind
                .map(|k| {
                    kartoteka_model::FindingKind::parse(&k).ok_or_else(|| {
                        usage(format!("--kind {k:?}: expected missing, unlisted, empty, sheet_count, numbering, duplicate or emptied"))
                    })
                })
                .transpose()?;
            let archive = open(&archive_dir)?;
            let mut report = archive.gaps(unit.as_ref())?;
            if let Some(k) = kind {
                report.findings.retain(|f| f.kind == k);
            }
            if json {
                output::print_json(&report)?;
            } else {
                output::print_gaps(&report);
            }
            Ok(EXIT_OK)
        }
        HoldingsCommand::Synth { out, docs, seed } => {
            let options = kartoteka_synth::SynthOptions {
                out: out.clone(),
                docs,
                seed,
            };
            let summary = kartoteka_synth::generate(&options)
                .with_context(|| format!("writing {}", out.display()))?;
            say!(
                "Wrote {} documents ({} agents, {} cover names, {} files missing, {} empty) to {}",
                summary.documents,
                summary.agents,
                summary.cover_names,
                summary.missing_files,
                summary.empty_files,
                out.display()
            );
            say!(
                "Inventory: {}\nGround truth: {}",
                summary.inventory.display(),
                summary.truth.display()
            );
            Ok(EXIT_OK)
        }
    }
}
