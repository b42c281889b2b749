//! `kartoteka`: the command-line front end. It parses flags, finds the archive, calls the
//! library services and prints their answers for people or, with `--json`, for programs.
//! No archive logic lives here.

/// `println!` for text that may carry what the archive holds (file names, notes, page
/// text): control characters other than line breaks and tabs are printed escaped, never
/// acted on by the terminal. Every human-readable line of the program goes through it.
macro_rules! say {
    () => {
        println!()
    };
    ($($arg:tt)*) => {
        println!("{}", $crate::output::printable(&format!($($arg)*)))
    };
}

mod access;
mod audit;
mod config;
mod holdings;
mod notes;
mod output;
mod persons;
mod publish;
mod release;
mod reports;
mod transfer;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use kartoteka_archive::{Archive, ArchiveError, ErrorKind, IngestOptions, SearchOptions};
use kartoteka_model::{DateRange, Format, Reference};

use audit::AuditCommand;
use holdings::HoldingsCommand;
use notes::{notebook, notes, write_private, NoteCommand, NotebookCommand};
use persons::PersonsCommand;
use transfer::TransferCommand;

/// Exit status: the archive was read or written as asked.
const EXIT_OK: u8 = 0;
/// Exit status: something failed (some files of an ingest, or the whole command).
const EXIT_FAILED: u8 = 1;
/// Exit status: the command line or the query is wrong.
const EXIT_USAGE: u8 = 2;
/// Exit status: `show` found nothing at that number or reference.
const EXIT_NOT_FOUND: u8 = 3;
/// Exit status: another command is writing to the archive; nothing was done.
const EXIT_BUSY: u8 = 4;
/// Exit status: the archive was changed outside kartoteka (its sealed audit head no longer
/// holds); nothing was done.
const EXIT_TAMPERED: u8 = 5;

#[derive(Parser)]
#[command(
    name = "kartoteka",
    version,
    about = "Turn an archive of documents into searchable, cited evidence.",
    long_about = "Kartoteka keeps an archive in one folder: every original byte for byte under its SHA-256, \
its text page by page, its place in the fonds / inventory / file / sheet hierarchy, a ledger of what was \
done to each document, and a search index that knows Russian inflection and every romanisation of a name.",
    after_help = "EXAMPLES:
    kartoteka init
    kartoteka ingest scans/ --inventory scans/opis.csv
    kartoteka search 'Хрущёвым' --in 'ф. 17, оп. 171'
    kartoteka search '\"Лаврентий Берия\" OR Beria' --json
    kartoteka show 'ф. 17, оп. 171, д. 409'
    kartoteka status
    kartoteka gaps
    kartoteka transfer export 'ф. 17, оп. 171' --out bag/ && kartoteka transfer validate bag/
    kartoteka note add 'ф. 17, оп. 171, д. 409, л. 3' --quote 'завербован в 1937 г.' --tag recruitment
    kartoteka extract && kartoteka mentions 'ф. 17' --kind cover_name
    kartoteka audit verify

THE ARCHIVE FOLDER is taken from --archive, else $KARTOTEKA_ARCHIVE, else the `archive = \"DIR\"` line of
./kartoteka.toml or ~/.config/kartoteka/config.toml, else ./kartoteka-archive.

THE ORIGINALS are kept in the archive folder's blobs/, or, for an archive made with --blobs
s3://BUCKET/PREFIX, in any S3-compatible object store (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_REGION, AWS_ENDPOINT for a store other than Amazon's, AWS_ALLOW_HTTP=true for plain http).

THE RECORDS (documents, pages, ledger, audit chain, notes, reports) are kept in the folder's
archive.db, or, for an archive made with --store postgres://USER@HOST/DATABASE, in a PostgreSQL
database (14 or newer) that several folders and servers may share, each with its own index.

WHO ACTS (for the audit chain) is taken from --user, else $KARTOTEKA_USER, else `user = \"NAME\"` in the
config file, else the login name.

ONE WRITER AT A TIME: a command that changes the archive holds its writer lock while it runs; a second
one is refused with exit 4 (or, with --wait, waits its turn). Reading commands never wait.

EXIT STATUS: 0 success; 1 something failed (for ingest: at least one file; for validate and verify:
the bag or an original is bad); 2 bad usage or query; 3 nothing at that number or reference; 4 another
command is writing to the archive (nothing was done); 5 the archive was changed outside kartoteka: its
audit chain no longer holds the head sealed after the last command (nothing was done; see `audit verify`).

SEALED HEAD: after every command that writes, the audit chain's head is signed with a key kept outside
the archive (--head-keys, KARTOTEKA_HEAD_KEYS or `head_keys` in the config file; default
~/.config/kartoteka/head-keys) and written to audit-head.json; every command checks it first."
)]
struct Cli {
    /// The archive folder.
    #[arg(long, global = true, env = "KARTOTEKA_ARCHIVE", value_name = "DIR")]
    archive: Option<PathBuf>,

    /// Who is acting, as recorded in the audit chain (default: `user = "NAME"` in the config
    /// file, else the login name).
    #[arg(long, global = true, env = "KARTOTEKA_USER", value_name = "NAME")]
    user: Option<String>,

    /// Worker threads for parallel work: ingest, extract, resolve, verify, audit (default:
    /// `jobs = N` in the config file, else one per core). Numbers and ids never depend on it.
    #[arg(long, global = true, env = "KARTOTEKA_JOBS", value_name = "N")]
    jobs: Option<usize>,

    /// When another command is writing to the archive, wait for it to end instead of
    /// refusing with exit 4.
    #[arg(long, global = true)]
    wait: bool,

    /// The folder of keys that seal the audit head, kept outside the archive (default:
    /// `head_keys = "DIR"` in the config file, else ~/.config/kartoteka/head-keys).
    #[arg(long, global = true, env = "KARTOTEKA_HEAD_KEYS", value_name = "DIR")]
    head_keys: Option<PathBuf>,

    /// Let the owner's group read and write what this command creates in the archive
    /// (also KARTOTEKA_SHARE_WITH_GROUP=1 or `share_with_group = true` in the config file).
    /// Without it, everything is private to its owner: folders 0700, files 0600.
    #[arg(long, global = true)]
    share_with_group: bool,

    /// Where the originals live, for a new archive: s3://BUCKET/PREFIX (credentials,
    /// region and endpoint from the usual AWS_* variables) or file:///PATH (default: the
    /// archive folder's own blobs/; also `blobs = "URL"` in the config file). The archive
    /// records it; given for an existing archive, it must be where that one keeps them.
    #[arg(long, global = true, env = "KARTOTEKA_BLOBS", value_name = "URL")]
    blobs: Option<String>,

    /// Where the records live, for a new archive: postgres://USER@HOST[:PORT]/DATABASE, a
    /// database several servers share (default: the archive folder's own archive.db; also
    /// `store = "URL"` in the config file). The archive folder records it and keeps its
    /// own search index; a new folder over a database that holds an archive joins it.
    #[arg(long, global = true, env = "KARTOTEKA_STORE", value_name = "URL")]
    store: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Holdings: ingest, search, show, verify, move, history, gaps, synth.
    #[command(flatten)]
    Holdings(holdings::HoldingsCommand),
    /// Move holdings as BagIt bags (RFC 8493): export, import, validate.
    #[command(subcommand)]
    Transfer(TransferCommand),
    /// The reading-room notebook: notes anchored to exact passages, kept through re-OCR.
    #[command(subcommand)]
    Note(NoteCommand),
    /// Claims: assertions about a person, cited to exact spans and graded A1-F6.
    #[command(subcommand)]
    Claim(reports::ClaimCommand),
    /// List claims, derived from the text and written by analysts, with their grades and
    /// citations; --conflicts shows only the claims that contradict each other.
    Claims {
        /// A person (id or name); all when left out.
        subject: Option<String>,
        /// Only pairs of claims that cannot both be true.
        #[arg(long)]
        conflicts: bool,
        /// Print JSON: {"claims": [...], "conflicts": [...]}.
        #[arg(long)]
        json: bool,
    },
    /// Counter-intelligence reports: build, show (md, html, pdf, json, stix), edit, review,
    /// approve, diff.
    #[command(subcommand)]
    Report(reports::ReportCommand),
    /// List the current reports at their latest versions.
    #[command(
        after_help = "A report keeps its id while its subject exists: R-P17 on person P17, R-P17-KHOLA on \
their cover-name period «ХОЛА», R-P17-F9002-1-1 on what case file ф. 9002, оп. 1, д. 1 says of them. \
A report whose subject was merged into another person is superseded by that person's report; one whose \
subject, period or case is gone is withdrawn. --all lists those too, with what replaced them."
    )]
    Reports {
        /// Only reports in this state.
        #[arg(long, value_name = "draft|reviewed|approved")]
        status: Option<String>,
        /// Only reports concerning this country (ISO 3166 alpha-3).
        #[arg(long, value_name = "ISO3")]
        country: Option<String>,
        /// Also list superseded and withdrawn reports.
        #[arg(long)]
        all: bool,
        /// Print JSON: {"reports": [{"id", "subject" (the person's name), "subject_id",
        /// "title", "status", "version", "marking", "countries", and for a report no longer
        /// current "fate", "superseded_by", "fate_reason"}]}.
        #[arg(long)]
        json: bool,
    },
    /// Marking rules: what a fonds, inventory or file holds is marked at least so high in
    /// every report that cites it (set or remove; `markings` lists them).
    #[command(subcommand)]
    Marking(reports::MarkingCommand),
    /// List the marking rules.
    Markings {
        /// Print JSON: {"rules": [{"unit", "marking", "why", "by", "at"}]}.
        #[arg(long)]
        json: bool,
    },
    /// Partner services the archive releases to: add, suspend, resume (`partners` lists
    /// them).
    #[command(subcommand)]
    Partner(release::PartnerCommand),
    /// List the partner services.
    Partners {
        /// Print JSON: {"partners": [{"id", "country", "service", "clearance", "caveats",
        /// "groups", "recipient", "verify_key", "need_to_know", "state", "why", "by", "at"}]}.
        #[arg(long)]
        json: bool,
    },
    /// Release to partners: the plan of who gets which report and why, routing by hand,
    /// originators' consents.
    #[command(subcommand)]
    Release(release::ReleaseCommand),
    /// Keys: a partner makes its own with `keys generate`.
    #[command(subcommand)]
    Keys(release::KeysCommand),
    /// The public edition: `publish --out SITE_DIR` builds it (redacted by rules, checked for
    /// leaks, with a search that needs no server); `publish decide` names or protects a
    /// person; `publish check` is the leak check alone, on any folder.
    Publish(publish::PublishArgs),
    /// Lock your notes in an encrypted notebook (age), or unlock them.
    #[command(subcommand)]
    Notebook(NotebookCommand),
    /// Persons: extraction, resolution, persons, dossiers, judgements, cover names.
    #[command(flatten)]
    Persons(persons::PersonsCommand),
    /// Check and read the audit chain: every act that changed the archive, hash-linked.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Move an archive to other storage: a new archive with the same records (in
    /// PostgreSQL where --store says) and its originals where --blobs says, verified object
    /// by object, row by row and along the audit chain. The source is left as it was.
    #[command(
        after_help = "Examples:\n  kartoteka migrate --from archive --to archive-s3 --blobs s3://sbu-archive/originals\n  \
kartoteka migrate --from archive-s3 --to archive-back          (the originals back into the new folder)\n  \
kartoteka migrate --from archive --to archive-pg --store postgres://kartoteka@db/archive --blobs s3://sbu-archive/originals\n  \
kartoteka migrate --from archive-pg --to archive-back          (records and originals back into a folder)\n\n\
A database given with --store must be empty.\n\n\
Every original is copied and read back from the target and re-hashed; the records are copied as of one moment \
and every table's rows are counted and hashed on both sides; the new archive's audit chain is verified from its \
first entry to the source's head. Anything short of that removes the new folder, says why and exits 1. The \
source is locked against writers while it is read."
    )]
    Migrate {
        /// The archive to move (default: the archive folder, as --archive gives it).
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,
        /// The new archive's folder: it must not exist, or be empty.
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        /// Print the migration's record (objects, bytes, every table's rows and digest,
        /// the audit head) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Open the reading room: the web pages and the HTTP API over this archive.
    #[command(
        after_help = "Add a user first (`kartoteka user add vera --role researcher --password-file pw.txt`), then \
open the address printed in a browser and sign in. Machines use a token (`kartoteka token create vera --scope read`) \
sent as `Authorization: Bearer TOKEN`; the API is described at /api/openapi.json.\n\nThe server takes the writer lock \
only while it writes (a note, a sign-in), so command-line writers can run beside it; every write is audited in the \
user's name and the audit head is sealed after it."
    )]
    Serve {
        /// Where to listen: HOST:PORT (port 0 picks a free one).
        #[arg(long, env = "KARTOTEKA_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// Seconds a background job stays with a server that stops saying it is at work
        /// (it says so every second) before another server over the same store takes it
        /// and does it again.
        #[arg(long, env = "KARTOTEKA_JOB_LEASE", default_value_t = 30, value_name = "SECONDS",
              value_parser = clap::value_parser!(u64).range(1..=86_400))]
        job_lease: u64,
    },
    /// The people who may use the reading room: add, list, disable, password.
    #[command(subcommand)]
    User(access::UserCommand),
    /// Tokens for machines using the API: create, revoke, list.
    #[command(subcommand)]
    Token(access::TokenCommand),
}

#[derive(Subcommand)]
enum GapsCommand {
    /// Record where you stand on a finding.
    Annotate {
        /// The finding's number (from `kartoteka gaps`).
        id: i64,
        /// open, under_investigation (or investigating), explained.
        #[arg(long)]
        status: String,
        /// What you found out.
        #[arg(long)]
        note: Option<String>,
    },
}

/// An error with the exit status it should produce.
struct Failure {
    status: u8,
    error: anyhow::Error,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure {
            status: EXIT_FAILED,
            error: e.into(),
        }
    }
}

fn usage(message: impl std::fmt::Display) -> Failure {
    Failure {
        status: EXIT_USAGE,
        error: anyhow::anyhow!("{message}"),
    }
}

fn main() -> ExitCode {
    // Ctrl-C or a kill stops the OCR programs an ingest started, not only kartoteka.
    kartoteka_archive::formats::install_interrupt_handler();
    // A reader that stops early (`kartoteka report show ID | head`) closes the pipe; the
    // standard printing macros then panic. That is no failure of ours: end quietly, as
    // command-line tools do.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
    let cli = Cli::parse();
    match run(cli) {
        Ok(status) => ExitCode::from(status),
        Err(failure) => {
            eprintln!(
                "error: {}",
                output::printable(&format!("{:#}", failure.error))
            );
            if let Some(hint) = hint(&failure.error) {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(failure.status)
        }
    }
}

/// What to do about an error, in this program's flags and commands: the libraries say
/// what went wrong in their own terms, and only the face knows how it is asked for.
fn hint(error: &anyhow::Error) -> Option<String> {
    let archive_error = error
        .chain()
        .find_map(|e| e.downcast_ref::<ArchiveError>())?;
    Some(match archive_error {
        ArchiveError::NotAnArchive(_) => {
            "create one with `kartoteka init`, or point --archive / KARTOTEKA_ARCHIVE at one"
                .to_string()
        }
        ArchiveError::Tampered(_) => "run `kartoteka audit verify` to see what changed, and `kartoteka audit accept-head --why REASON` if the change was yours (a restore from a backup)".to_string(),
        ArchiveError::Busy(_) => "give --wait to wait for it instead".to_string(),
        ArchiveError::NotResolved => {
            "run `kartoteka resolve` (after `kartoteka extract`) to make them".to_string()
        }
        // What lists the things of the kind that was not found.
        ArchiveError::NotFound(what) => {
            let lists = [
                ("report ", "`kartoteka reports` lists the reports"),
                ("person ", "`kartoteka persons` lists the persons"),
                ("a marking rule", "`kartoteka markings` lists the marking rules"),
                (
                    "case file",
                    "`kartoteka tree` lists the files, `kartoteka persons` who is named",
                ),
            ];
            return lists
                .iter()
                .find(|(start, _)| what.starts_with(start))
                .map(|(_, hint)| hint.to_string());
        }
        ArchiveError::Transfer(why) if why.contains("does not match its hash") => {
            "`kartoteka verify` checks every original".to_string()
        }
        ArchiveError::Approved { version, .. } => format!(
            "pass --new-version to edit it into version {}",
            version + 1
        ),
        _ => return None,
    })
}

/// Says what a resolution changed in the person ids (new persons are only counted: a
/// first resolution makes every one of them).
fn print_id_changes(report: &kartoteka_archive::ResolveReport) {
    use kartoteka_model::IdChange;
    let new = report
        .changes
        .iter()
        .filter(|c| matches!(c.change, IdChange::New { .. }))
        .count();
    if new > 0 {
        say!("  {new} new person id(s)");
    }
    for c in &report.changes {
        match &c.change {
            IdChange::New { .. } => {}
            IdChange::Merged { from, into } => {
                say!("  merged    {from} -> {into}: {}", c.reason)
            }
            IdChange::Split { from, new } => {
                say!("  split     {new} from {from}: {}", c.reason)
            }
            IdChange::Redirected { from, into } => {
                say!("  redirect  {from} -> {into}: {}", c.reason)
            }
            IdChange::Withdrawn { id } => say!("  withdrawn {id}: {}", c.reason),
        }
    }
}

fn open(archive: &std::path::Path) -> Result<Archive, Failure> {
    Archive::open(archive).map_err(|e| match e {
        // This one already names the folder and what to do.
        ArchiveError::NotAnArchive(_) => e.into(),
        other => anyhow::Error::new(other)
            .context(format!("opening {}", archive.display()))
            .into(),
    })
}

/// The exit status of an archive error, by its kind: nothing there (3), another writer
/// (4), changed outside kartoteka (5), anything else (1).
fn by_kind(e: ArchiveError) -> Failure {
    let status = match e.kind() {
        ErrorKind::NotFound => EXIT_NOT_FOUND,
        ErrorKind::Busy => EXIT_BUSY,
        ErrorKind::Tampered => EXIT_TAMPERED,
        ErrorKind::BadInput | ErrorKind::Refused | ErrorKind::Failed => EXIT_FAILED,
    };
    Failure {
        status,
        error: e.into(),
    }
}

/// As [`by_kind`], for commands whose arguments the error is about: input that cannot be
/// taken, or a change refused, is a usage error (2).
fn input_error(e: ArchiveError) -> Failure {
    match e.kind() {
        ErrorKind::BadInput | ErrorKind::Refused => Failure {
            status: EXIT_USAGE,
            error: e.into(),
        },
        _ => by_kind(e),
    }
}

/// Whether a command may change the archive, and so must hold its writer lock. Commands
/// that only read (or touch no archive) are listed; anything else writes.
fn writes(command: &Command) -> bool {
    !matches!(
        command,
        // A migration writes a new archive, and locks its source itself.
        Command::Migrate { .. }
            | Command::Holdings(HoldingsCommand::Status { .. })
            | Command::Holdings(HoldingsCommand::Search { .. })
            | Command::Holdings(HoldingsCommand::Show { .. })
            | Command::Holdings(HoldingsCommand::History { .. })
            | Command::Claims { .. }
            | Command::Reports { .. }
            | Command::Markings { .. }
            | Command::Partners { .. }
            | Command::Release(release::ReleaseCommand::Plan { .. })
            | Command::Release(release::ReleaseCommand::Register { .. })
            | Command::Release(release::ReleaseCommand::Outdated { .. })
            | Command::Release(release::ReleaseCommand::Open { .. })
            | Command::Keys(_)
            | Command::Publish(publish::PublishArgs {
                command: Some(
                    publish::PublishCommand::Check { .. }
                        | publish::PublishCommand::Decisions { .. }
                        | publish::PublishCommand::Editions { .. }
                ),
                ..
            })
            | Command::Persons(PersonsCommand::Mentions { .. })
            | Command::Persons(PersonsCommand::ExtractText { .. })
            | Command::Persons(PersonsCommand::Persons { .. })
            | Command::Persons(PersonsCommand::Dossier { .. })
            | Command::Persons(PersonsCommand::CoverNames { .. })
            | Command::Persons(PersonsCommand::Export { .. })
            | Command::Persons(PersonsCommand::MatchNames { .. })
            | Command::Persons(PersonsCommand::ClusterNames { .. })
            | Command::Holdings(HoldingsCommand::Synth { .. })
            | Command::Transfer(TransferCommand::Validate { .. })
            | Command::Report(reports::ReportCommand::Show { .. })
            | Command::Report(reports::ReportCommand::Diff { .. })
            | Command::Note(NoteCommand::List { .. })
            | Command::Note(NoteCommand::Show { .. })
            | Command::Note(NoteCommand::Export { .. })
            | Command::Notebook(NotebookCommand::Keygen { .. })
            | Command::Audit(AuditCommand::Verify { .. })
            | Command::Audit(AuditCommand::Log { .. })
            | Command::Audit(AuditCommand::Head { .. })
            | Command::Audit(AuditCommand::Key { .. })
            | Command::Serve { .. }
            | Command::User(access::UserCommand::List { .. })
            | Command::Token(access::TokenCommand::List { .. })
    )
}

/// The command's name as typed, for the message a second writer gets.
fn command_name() -> String {
    let mut words = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if matches!(a.as_str(), "--archive" | "--user" | "--jobs") {
            args.next();
        } else if !a.starts_with('-') {
            words.push(a);
            if words.len() == 2 {
                break;
            }
        }
    }
    format!("kartoteka {}", words.join(" "))
}

/// Commands that read the audit chain to find out what happened, or make keys: they run
/// on an archive whose sealed head no longer holds, where every other command is refused.
fn inspects_the_chain(command: &Command) -> bool {
    matches!(
        command,
        Command::Holdings(HoldingsCommand::Init)
            | Command::Migrate { .. }
            | Command::Audit(AuditCommand::Verify { .. })
            | Command::Audit(AuditCommand::Log { .. })
            | Command::Audit(AuditCommand::Head { .. })
            | Command::Audit(AuditCommand::Key { .. })
            | Command::Audit(AuditCommand::AcceptHead { .. })
            | Command::Notebook(NotebookCommand::Keygen { .. })
            | Command::Keys(_)
            | Command::Publish(publish::PublishArgs {
                command: Some(publish::PublishCommand::Check { .. }),
                ..
            })
            | Command::Release(release::ReleaseCommand::Open { .. })
            | Command::Holdings(HoldingsCommand::Synth { .. })
            | Command::Transfer(TransferCommand::Validate { .. })
    )
}

fn run(cli: Cli) -> Result<u8, Failure> {
    kartoteka_archive::share_with_group(config::share_with_group(cli.share_with_group));
    let archive_dir = config::archive_dir(cli.archive.clone());
    let keys = kartoteka_archive::HeadKeys::new(config::head_keys(cli.head_keys.clone()));
    let user = cli.user.clone();
    let blobs = config::blobs(cli.blobs.clone())
        .map(|url| kartoteka_archive::BlobLocation::parse(&url))
        .transpose()
        .map_err(|e| usage(format!("--blobs: {e}")))?;
    let store = config::store(cli.store.clone())
        .map(|url| kartoteka_archive::StoreLocation::parse(&url))
        .transpose()
        .map_err(|e| usage(format!("--store: {e}")))?;
    // For a migration --blobs names where the new archive's originals go.
    if Archive::exists(&archive_dir) && !matches!(cli.command, Command::Migrate { .. }) {
        Archive::check_blobs(&archive_dir, blobs.as_ref()).map_err(|e| usage(e.to_string()))?;
        Archive::check_store(&archive_dir, store.as_ref()).map_err(|e| usage(e.to_string()))?;
    }
    let writing = writes(&cli.command);
    let busy = by_kind;
    let writer = if writing {
        Archive::lock_writer(&archive_dir, &command_name(), cli.wait).map_err(busy)?
    } else {
        None
    };
    if Archive::exists(&archive_dir) && !inspects_the_chain(&cli.command) {
        check_seal(&archive_dir, &keys)?;
    }
    let result = execute(cli, &archive_dir, &keys, blobs, store);
    if writing && Archive::exists(&archive_dir) {
        // Sealed whatever the command's outcome: a failed command may have written some
        // entries. An archive the command created is locked now.
        let _writer = match writer {
            Some(w) => Some(w),
            None => Archive::lock_writer(&archive_dir, &command_name(), true).map_err(busy)?,
        };
        let user = config::user(user);
        let sealed = Archive::open(&archive_dir).and_then(|a| {
            a.set_actor(&user);
            a.seal_head(&keys)
        });
        if let Err(e) = sealed {
            let e = anyhow::Error::from(e)
                .context("the command's work is stored, but the audit head could not be sealed");
            return match result {
                Ok(_) => Err(Failure {
                    status: EXIT_FAILED,
                    error: e,
                }),
                Err(failure) => {
                    eprintln!("error: {e:#}");
                    Err(failure)
                }
            };
        }
    }
    result
}

/// `kartoteka migrate`: the source checked as every command checks it and locked against
/// writers, the new archive made and verified, and checked in turn as a command would.
fn migrate(
    from: &std::path::Path,
    to: &std::path::Path,
    (blobs, store): (
        Option<&kartoteka_archive::BlobLocation>,
        Option<&kartoteka_archive::StoreLocation>,
    ),
    jobs: usize,
    keys: &kartoteka_archive::HeadKeys,
    json: bool,
) -> Result<u8, Failure> {
    if !Archive::exists(from) {
        return Err(ArchiveError::NotAnArchive(from.to_path_buf()).into());
    }
    let _source = Archive::lock_writer(from, "migrate", false).map_err(by_kind)?;
    check_seal(from, keys)?;
    let progress = output::Bar::new("moving originals");
    let migration = Archive::migrate(from, to, blobs, store, jobs, &progress).map_err(|e| {
        Failure::from(anyhow::Error::new(e).context(format!(
            "moving {} to {}: nothing was made",
            from.display(),
            to.display()
        )))
    })?;
    check_seal(to, keys)?;
    if json {
        output::print_json(&migration)?;
    } else {
        let rows: u64 = migration.tables.iter().map(|t| t.rows).sum();
        say!(
            "Moved {} to {}: {} originals ({:.1} MB) to {}, each read back and re-hashed ({} already there); {} rows in {} tables to {}, equal on both sides; the audit chain verified, {} entries to head {} ({:.1} s).",
            migration.from,
            migration.to,
            migration.objects,
            migration.bytes as f64 / 1e6,
            migration.blobs,
            migration.objects_already_there,
            rows,
            migration.tables.len(),
            migration.store,
            migration.audit_entries,
            migration.audit_head.chars().take(16).collect::<String>(),
            migration.seconds
        );
    }
    Ok(EXIT_OK)
}

/// Refuses an archive whose sealed head no longer holds; notes one sealed by a key this
/// machine does not keep.
fn check_seal(
    archive_dir: &std::path::Path,
    keys: &kartoteka_archive::HeadKeys,
) -> Result<(), Failure> {
    let archive = open(archive_dir)?;
    match archive.check_seal(keys) {
        Ok(kartoteka_archive::SealCheck::NotHeld { public_key, .. }) => {
            eprintln!(
                "note: the audit head is sealed with key {}…, which {} does not hold: it was checked against the chain's own record of that key only",
                public_key.chars().take(12).collect::<String>(),
                keys.dir().display()
            );
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(e @ ArchiveError::Tampered(_)) => Err(by_kind(e)),
        Err(e) => Err(e.into()),
    }
}

/// What every command runs with: the archive folder, who acts, how many threads, and
/// the keys that seal the audit head.
pub(crate) struct Session<'a> {
    pub(crate) archive_dir: PathBuf,
    /// Where a new archive's originals go (`None`: its own blobs/ folder).
    pub(crate) blobs: Option<kartoteka_archive::BlobLocation>,
    /// Where a new archive's records go (`None`: its own archive.db).
    pub(crate) store: Option<kartoteka_archive::StoreLocation>,
    pub(crate) user: String,
    pub(crate) jobs: usize,
    pub(crate) keys: &'a kartoteka_archive::HeadKeys,
}

impl Session<'_> {
    /// Opens the archive in `dir` for this session's user and threads.
    pub(crate) fn open_at(&self, dir: &std::path::Path) -> Result<Archive, Failure> {
        let archive = open(dir)?;
        archive.set_actor(&self.user);
        archive.set_jobs(self.jobs);
        Ok(archive)
    }
}

fn execute(
    cli: Cli,
    archive_dir: &std::path::Path,
    keys: &kartoteka_archive::HeadKeys,
    blobs: Option<kartoteka_archive::BlobLocation>,
    store: Option<kartoteka_archive::StoreLocation>,
) -> Result<u8, Failure> {
    let session = Session {
        archive_dir: archive_dir.to_path_buf(),
        blobs,
        store,
        user: config::user(cli.user),
        jobs: config::jobs(cli.jobs).map_err(usage)?,
        keys,
    };
    let archive_dir = session.archive_dir.clone();
    let user = session.user.clone();
    let open = |dir: &std::path::Path| session.open_at(dir);
    match cli.command {
        Command::Holdings(command) => holdings::run(command, &session),
        Command::Transfer(command) => transfer::run(command, &session),
        Command::Note(command) => notes(command, &archive_dir, &open),
        Command::Claim(command) => reports::claim(command, &open(&archive_dir)?),
        Command::Claims {
            subject,
            conflicts,
            json,
        } => reports::claims(&open(&archive_dir)?, subject.as_deref(), conflicts, json),
        Command::Report(command) => reports::report(command, &open(&archive_dir)?),
        Command::Reports {
            status,
            country,
            all,
            json,
        } => reports::reports(
            &open(&archive_dir)?,
            status.as_deref(),
            country.as_deref(),
            all,
            json,
        ),
        Command::Marking(command) => reports::marking(command, &open(&archive_dir)?),
        Command::Markings { json } => reports::markings(&open(&archive_dir)?, json),
        Command::Partner(command) => release::partner(command, &open(&archive_dir)?),
        Command::Partners { json } => release::partners(&open(&archive_dir)?, json),
        Command::Release(command @ release::ReleaseCommand::Open { .. }) => release::open(command),
        Command::Release(command) => release::release(command, &open(&archive_dir)?, keys),
        Command::Keys(command) => release::keys(command, &|| open(&archive_dir)),
        Command::Publish(args) => publish::run(args, &|| open(&archive_dir)),
        Command::Persons(command) => persons::run(command, &session),
        Command::Notebook(command) => notebook(command, &archive_dir, &user, &open),
        Command::Audit(command) => audit::run(command, &session),
        Command::Migrate { from, to, json } => {
            let from = from.unwrap_or_else(|| archive_dir.clone());
            migrate(
                &from,
                &to,
                (session.blobs.as_ref(), session.store.as_ref()),
                session.jobs,
                keys,
                json,
            )
        }
        Command::Serve { addr, job_lease } => {
            access::serve(open(&archive_dir)?, keys, &addr, job_lease)
        }
        Command::User(command) => access::user(command, &open(&archive_dir)?),
        Command::Token(command) => access::token(command, &open(&archive_dir)?),
    }
}
