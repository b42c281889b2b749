//! The `transfer` commands: export units as BagIt bags, import bags, validate them.

use crate::*;

#[derive(Subcommand)]
pub(crate) enum TransferCommand {
    /// Write units (or, with --all, the whole archive) as a bag with SHA-256 and SHA-512
    /// manifests and the archival description as tag files.
    #[command(
        after_help = "The bag is written to a hidden folder beside BAG_DIR and renamed into place \
when complete, so BAG_DIR either holds a whole bag or does not exist. Every original is checked against \
its hash on the way out."
    )]
    Export {
        /// Units to export: a fonds, an inventory, files.
        #[arg(value_name = "UNIT", required_unless_present = "all")]
        units: Vec<String>,
        /// Export the whole archive.
        #[arg(long, conflicts_with = "units")]
        all: bool,
        /// The bag folder to create (must not exist).
        #[arg(long, value_name = "BAG_DIR")]
        out: PathBuf,
        /// Source-Organization for bag-info.txt.
        #[arg(long, value_name = "NAME")]
        organization: Option<String>,
        /// Where the bag is going, for the transfer record.
        #[arg(long, value_name = "LOCATION")]
        to: Option<String>,
        /// Write this archive's own file paths into the description (left out unless
        /// asked: they tell the receiver about this machine).
        #[arg(long)]
        with_paths: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Validate a bag completely, then ingest it and record the transfer. Nothing enters the
    /// archive unless the whole bag is valid and the whole import succeeds.
    #[command(
        after_help = "Importing the same bag again does nothing and says so. An import that was \
killed leaves the archive as it was before; run it again to complete it."
    )]
    Import {
        /// The bag folder.
        #[arg(value_name = "BAG_DIR")]
        bag: PathBuf,
        /// Where the holdings are now kept: "repository / building / room / box".
        #[arg(long, value_name = "LOCATION")]
        to: Option<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Only validate a bag: exit status 0 when valid, 1 when not, with the reasons on stderr.
    #[command(
        after_help = "A bag that breaks a MUST of RFC 8493 is invalid. What the RFC only \
advises against, or what other tools write and the Library of Congress conformance suite \
accepts (md5sum's `*` before a path, `./` before it, a bare % in a name, a file listed twice \
with the same checksum, names in another Unicode normal form), is a warning: printed, and the \
bag is valid unless --warnings-as-errors is given."
    )]
    Validate {
        /// The bag folder.
        #[arg(value_name = "BAG_DIR")]
        bag: PathBuf,
        /// Treat warnings as errors: exit 1 when there is any.
        #[arg(long)]
        warnings_as_errors: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs one of these commands.
pub(crate) fn run(command: TransferCommand, session: &Session) -> Result<u8, Failure> {
    let archive_dir = session.archive_dir.clone();
    let user = session.user.clone();
    let jobs = session.jobs;
    let open = |dir: &std::path::Path| session.open_at(dir);
    match command {
        TransferCommand::Export {
            units,
            all: _,
            out,
            organization,
            to,
            with_paths,
            json,
        } => {
            let units = units
                .iter()
                .map(|u| Reference::parse(u).map_err(|e| usage(format!("{u:?}: {e}"))))
                .collect::<Result<Vec<_>, _>>()?;
            let archive = open(&archive_dir)?;
            let progress = output::Bar::new("exporting");
            let report = archive
                .export_bag(
                    &kartoteka_archive::ExportOptions {
                        units,
                        out,
                        organization,
                        to,
                        with_paths,
                    },
                    &progress,
                )
                .map_err(by_kind)?;
            if json {
                output::print_json(&report)?;
            } else {
                say!(
                    "Wrote bag {} ({} files, {} bytes) as transfer {}.\nUnits: {}\nBag identity: {}",
                    report.bag.display(),
                    report.files,
                    report.bytes,
                    report.transfer,
                    report.units.join("; "),
                    report.bag_id
                );
            }
            Ok(EXIT_OK)
        }
        TransferCommand::Import { bag, to, json } => {
            let to = to
                .map(|t| {
                    t.parse::<kartoteka_model::Location>()
                        .map_err(|e| usage(format!("--to: {e}")))
                })
                .transpose()?;
            let archive =
                Archive::init_at(&archive_dir, session.blobs.as_ref(), session.store.as_ref())
                    .with_context(|| format!("opening {}", archive_dir.display()))?;
            archive.set_actor(&user);
            archive.set_jobs(jobs);
            let progress = output::Bar::new("importing");
            let report = archive.import_bag(&bag, to.as_ref(), &progress)?;
            if json {
                output::print_json(&report)?;
            } else if report.already_imported {
                say!(
                    "Bag {} was already imported as transfer {}; nothing to do.",
                    bag.display(),
                    report.transfer
                );
            } else {
                say!(
                    "Imported {} files ({} bytes) from {} as transfer {}: {} added, {} already here.",
                    report.files,
                    report.bytes,
                    bag.display(),
                    report.transfer,
                    report.added,
                    report.unchanged
                );
                for w in &report.warnings {
                    say!("  warning: {w}");
                }
                for n in &report.not_extracted {
                    say!("  stored, text not extracted: {n}");
                }
                for r in &report.markings {
                    say!("  marking rule: {} is {} ({})", r.unit, r.marking, r.why);
                }
            }
            Ok(EXIT_OK)
        }
        TransferCommand::Validate {
            bag,
            warnings_as_errors,
            json,
        } => {
            let progress = output::Bar::new("validating");
            let report = Archive::validate_bag(&bag, jobs, &progress);
            let accepted = report.is_valid() && (!warnings_as_errors || report.warnings.is_empty());
            if json {
                output::print_json(&report)?;
            } else {
                say!(
                    "{} {} ({} payload files, {} bytes hashed in {:.1} s)",
                    match (report.is_valid(), accepted) {
                        (true, true) => "VALID",
                        (true, false) => "VALID, WITH WARNINGS TAKEN AS ERRORS,",
                        _ => "INVALID",
                    },
                    bag.display(),
                    report.payload.len(),
                    report.hashed_bytes,
                    report.seconds
                );
            }
            for w in &report.warnings {
                eprintln!("warning: {w}");
            }
            for e in &report.errors {
                eprintln!("invalid: {e}");
            }
            Ok(if accepted { EXIT_OK } else { EXIT_FAILED })
        }
    }
}
