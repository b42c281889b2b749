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

mod config;
mod output;
mod reports;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use kartoteka_ingest::{Archive, ArchiveError, IngestOptions, SearchOptions};
use kartoteka_model::{DateRange, Format, Reference};

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

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
    /// Move holdings as BagIt bags (RFC 8493): export, import, validate.
    #[command(subcommand)]
    Transfer(TransferCommand),
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
    /// Lock your notes in an encrypted notebook (age), or unlock them.
    #[command(subcommand)]
    Notebook(NotebookCommand),
    /// Find persons, cover names, roles, services, places and dates in the archive's text
    /// (documents new or changed since the last run), and the relations sentences state.
    Extract {
        /// Only inside this unit.
        #[arg(value_name = "UNIT")]
        unit: Option<String>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List what `extract` found in a document, a unit or the whole archive.
    Mentions {
        /// A document number or a reference code.
        #[arg(value_name = "DOC_ID|REFERENCE")]
        target: Option<String>,
        /// Only this kind: person, cover_name, role, org, place, date.
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        /// Print as JSON: {"mentions": [...], "relations": [...]}.
        #[arg(long)]
        json: bool,
    },
    /// Find persons, cover names, roles, services, places and dates in one file, with no
    /// archive: for evaluation. Spans are character offsets into the decoded text.
    #[command(name = "extract-text")]
    ExtractText {
        /// The file (any encoding Kartoteka reads).
        file: PathBuf,
        /// The language: auto looks for Russian and English mentions; ru keeps only those
        /// in Cyrillic, en only those in Latin letters (cover names are kept either way).
        #[arg(long, default_value = "auto")]
        lang: String,
        /// Print JSON: {"mentions": [{"kind", "text", "lemma", "start", "end"}], "relations": [...]}.
        #[arg(long)]
        json: bool,
    },
    /// Group the person mentions into persons: names compared across scripts, cases and
    /// spellings, people's judgements first. Run after `extract`, and again after new
    /// documents (judge and undo-judgement run it themselves).
    Resolve {
        /// Print JSON: {"mentions", "persons", "judgements", "stale_judgements", "contradictions"}.
        #[arg(long)]
        json: bool,
    },
    /// List persons, or those whose names fit QUERY (a name, or a piece of one).
    Persons {
        /// A name ("Хрущёв Н. С.", "Khrushchev") or a piece of one.
        query: Option<String>,
        /// Print JSON: {"persons": [{"id", "name", "names", "cover_names", "mentions"}]}.
        #[arg(long)]
        json: bool,
    },
    /// Everything on one person: names, cover names with periods, roles, files, every
    /// mention, relations to others, a timeline; on the terminal, as JSON or as a page.
    #[command(
        after_help = "Examples:\n  kartoteka dossier P12.1.345\n  kartoteka dossier 'Соколова Вера Андреевна' --html sokolova.html"
    )]
    Dossier {
        /// A person's id (from `persons`) or a name that picks out one person.
        #[arg(value_name = "PERSON_ID|NAME")]
        who: String,
        /// Print JSON.
        #[arg(long, conflicts_with = "html")]
        json: bool,
        /// Write a standalone HTML page with a relationship diagram to FILE.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
    },
    /// Say that two mentions (numbers from `mentions`) or persons (ids from `persons`) are
    /// one person, are not, or may be. A person's judgement overrides the machine's and is
    /// kept until undone; resolution runs again.
    #[command(
        after_help = "Example:\n  kartoteka judge 41 P3.1.120 same --why 'same date of birth in both files'"
    )]
    Judge {
        /// A mention number or a person id.
        #[arg(value_name = "MENTION_OR_PERSON")]
        a: String,
        /// Another.
        #[arg(value_name = "MENTION_OR_PERSON")]
        b: String,
        /// same, different or unsure.
        #[arg(value_parser = ["same", "different", "unsure"])]
        verdict: String,
        /// Why: kept with the judgement and in the audit chain.
        #[arg(long, required = true)]
        why: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Undo a judgement (it stays on record, marked undone); resolution runs again.
    #[command(name = "undo-judgement")]
    UndoJudgement {
        /// The judgement's number.
        id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List cover names with who held them and when, by the documents that say so.
    #[command(name = "cover-names")]
    CoverNames {
        /// Print JSON: {"cover_names": [{"name", "mentions", "holders": [...], "unknown_holder_docs"}]}.
        #[arg(long)]
        json: bool,
    },
    /// Export persons and their links for other tools: ftm (FollowTheMoney entities, one
    /// JSON object per line, for Aleph and OpenSanctions).
    Export {
        /// The format.
        #[arg(value_parser = ["ftm"])]
        format: String,
    },
    /// Compare two person names, in any script, order and case, and say whether they are
    /// one person (same), cannot be (different) or may be (unsure), with the reasons.
    #[command(
        name = "match-names",
        after_help = "Examples:\n  kartoteka match-names 'Хрущёв Н. С.' 'Nikita Sergeyevich Khrushchev'\n  kartoteka match-names 'Петров Иван' 'Петрова Анна' --json"
    )]
    MatchNames {
        /// The first name.
        first: String,
        /// The second name.
        second: String,
        /// What is known of the first name's bearer: born=YEAR, place=P, years=Y1-Y2,
        /// with=SURNAME (comma-separated, keys repeatable).
        #[arg(long, value_name = "CONTEXT")]
        context_a: Option<String>,
        /// The same for the second name.
        #[arg(long, value_name = "CONTEXT")]
        context_b: Option<String>,
        /// Print JSON: {"verdict": "same|different|unsure", "score": F, "reasons": [...]}.
        #[arg(long)]
        json: bool,
    },
    /// Group a list of names into persons. Each line:
    /// id<TAB>name[<TAB>language[<TAB>document[<TAB>context]]]; names that share a
    /// document key may be one person written in full and in part, and a context
    /// ("born=1911,place=GBR,years=1944,with=Кузьмин", as `match-names --context-a`) keeps
    /// namesakes apart and tells which of two a surname alone is.
    #[command(
        name = "cluster-names",
        after_help = "Example:\n  printf '1\\tН. С. Хрущёв\\n2\\tKhrushchev, Nikita S.\\n' > names.tsv\n  kartoteka cluster-names names.tsv --json"
    )]
    ClusterNames {
        /// The list (any encoding Kartoteka reads), or - for standard input.
        file: PathBuf,
        /// Print JSON: {"clusters": [["id", ...], ...]}.
        #[arg(long)]
        json: bool,
    },
    /// Check and read the audit chain: every act that changed the archive, hash-linked.
    #[command(subcommand)]
    Audit(AuditCommand),
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

#[derive(Subcommand)]
enum TransferCommand {
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
    Validate {
        /// The bag folder.
        #[arg(value_name = "BAG_DIR")]
        bag: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum NoteCommand {
    /// Write a note on a passage: the quote must be in the text (line breaks, hyphenation,
    /// case and OCR look-alike letters do not matter).
    #[command(after_help = "EXAMPLES:
    kartoteka note add 'ф. 9001, оп. 1, д. 1, л. 2' --quote 'завербована Соколова Вера Андреевна' --comment 'recruitment date' --tag recruitment
    kartoteka note add 12 --quote 'ХОЛА' --sheet 3")]
    Add {
        /// A document number or a reference code (a sheet, or a file to search all of it).
        #[arg(value_name = "DOC_ID|REFERENCE")]
        target: String,
        /// The passage, as it stands in the text.
        #[arg(long)]
        quote: String,
        /// The sheet, when the quote occurs on several.
        #[arg(long, value_name = "N")]
        sheet: Option<u32>,
        /// Your comment.
        #[arg(long)]
        comment: Option<String>,
        /// A tag (repeat for more).
        #[arg(long = "tag", value_name = "T")]
        tags: Vec<String>,
        /// Print the note as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List notes (re-anchoring any whose document's text changed).
    List {
        /// Only notes on this document.
        #[arg(long, value_name = "ID")]
        doc: Option<i64>,
        /// Only notes with this tag.
        #[arg(long, value_name = "T")]
        tag: Option<String>,
        /// Only notes whose passage is no longer in the text.
        #[arg(long)]
        orphaned: bool,
        /// Only notes whose quote or comment contains this text.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show a note with its history.
    Show {
        /// The note's number.
        id: i64,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change a note's comment or tags (the old version is kept).
    Edit {
        /// The note's number.
        id: i64,
        /// The new comment ("" removes it).
        #[arg(long)]
        comment: Option<String>,
        /// The new tags, replacing the old (repeat for more).
        #[arg(long = "tag", value_name = "T")]
        tags: Vec<String>,
        /// Remove every tag.
        #[arg(long, conflicts_with = "tags")]
        no_tags: bool,
    },
    /// Write the notebook as W3C Web Annotations (JSON-LD) to standard output.
    Export {
        /// The format: web-annotation.
        #[arg(long, default_value = "web-annotation")]
        format: String,
    },
    /// Read W3C Web Annotations (from `note export` or another tool) and anchor them here.
    Import {
        /// The JSON-LD file.
        file: PathBuf,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// How a notebook is locked or unlocked.
#[derive(clap::Args)]
struct NotebookKeyArgs {
    /// A file holding the passphrase (its first line).
    #[arg(long, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    /// Read the passphrase from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "passphrase_file")]
    passphrase_env: Option<String>,
}

#[derive(Subcommand)]
enum NotebookCommand {
    /// Encrypt your notes (by --user) into notebooks/USER.age and take them out of the archive.
    #[command(after_help = "EXAMPLES:
    kartoteka notebook lock --passphrase-file ~/.notebook-pass
    kartoteka notebook lock --recipient age1... --keep-anchors
The archive keeps no trace of the notes' text; with --keep-anchors it keeps a stand-in per note
saying that a note exists on a document and page.")]
    Lock {
        #[command(flatten)]
        key: NotebookKeyArgs,
        /// Lock to an age X25519 recipient (age1...) instead of a passphrase.
        #[arg(long, value_name = "AGE1...", conflicts_with_all = ["passphrase_file", "passphrase_env"])]
        recipient: Option<String>,
        /// Leave a stand-in per note (document and page, no text).
        #[arg(long)]
        keep_anchors: bool,
    },
    /// Decrypt your notebook and put the notes back.
    Unlock {
        #[command(flatten)]
        key: NotebookKeyArgs,
        /// Unlock with an age identity file (AGE-SECRET-KEY-1...).
        #[arg(long, value_name = "FILE", conflicts_with_all = ["passphrase_file", "passphrase_env"])]
        identity: Option<PathBuf>,
    },
    /// Make an age X25519 identity for notebooks; prints its recipient.
    Keygen {
        /// Where to write the identity (created, readable only by you).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
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

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the chain and name the first entry that was edited, deleted, reordered or
    /// inserted behind the program's back.
    #[command(
        after_help = "Exit status 1 when the chain is broken or the --head hash is not in it."
    )]
    Verify {
        /// A head hash printed earlier by `audit head` (and kept elsewhere): it must still be
        /// in the chain, which proves that no entries were cut from its end.
        #[arg(long, value_name = "HASH", conflicts_with = "signed")]
        head: Option<String>,
        /// A signed head written earlier by `audit head --sign`: its signature must hold and
        /// the chain must still have that hash at that position.
        #[arg(long, value_name = "FILE")]
        signed: Option<PathBuf>,
        /// With --signed: the public key you trust (hex); the head must be signed by it.
        #[arg(long, value_name = "HEX", requires = "signed")]
        key: Option<String>,
        /// Print `{"ok", "entries", "first_bad", ...}`.
        #[arg(long)]
        json: bool,
    },
    /// List entries, oldest first.
    Log {
        /// Only entries on this unit or units inside it.
        #[arg(long, value_name = "REFERENCE")]
        unit: Option<String>,
        /// Only entries by this person.
        #[arg(long, value_name = "NAME")]
        actor: Option<String>,
        /// Only this kind of act: ingest, update, re-extract, describe, transfer-in,
        /// transfer-out, move, annotate, ...
        #[arg(long, value_name = "KIND")]
        action: Option<String>,
        /// Only entries at or after this time (2026-11-27 or 2026-11-27T10:00:00Z).
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
        /// Only the newest N.
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the chain's length and last hash, to keep or sign elsewhere
    /// (for example `kartoteka audit head | gpg --clearsign`).
    Head {
        /// Sign the head with the Ed25519 key in this file (from `audit key`) and print the
        /// signed head as JSON, to keep outside the archive.
        #[arg(long, value_name = "KEYFILE")]
        sign: Option<PathBuf>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Accept the chain as it is after a change that made every command refuse the archive
    /// (exit 5), such as a restore from a backup: the old sealed head and the reason are
    /// recorded in the chain, and the head is sealed anew. Run `audit verify` first.
    AcceptHead {
        /// Why the change is accepted, for the chain.
        #[arg(long, value_name = "TEXT")]
        why: String,
    },
    /// Make an Ed25519 key for signing heads; prints the public key to give to checkers.
    Key {
        /// Where to write the private key (created, readable only by you).
        #[arg(long, value_name = "KEYFILE")]
        out: PathBuf,
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
    kartoteka_ingest::extract::install_interrupt_handler();
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
        ArchiveError::Approved { version, .. } => format!(
            "pass --new-version to edit it into version {}",
            version + 1
        ),
        _ => return None,
    })
}

/// Whether a text is a day ("2026-11-27") or an RFC 3339 time in UTC
/// ("2026-11-27T10:00:00Z"), as the audit chain records them.
fn is_time(text: &str) -> bool {
    let day_ok = |d: &str| {
        d.len() == 10 && kartoteka_model::PartialDate::parse(d).is_some_and(|p| p.day.is_some())
    };
    match text.split_once('T') {
        None => day_ok(text),
        Some((day, time)) => {
            let time = time.strip_suffix('Z').unwrap_or(time);
            let parts: Vec<&str> = time.split(':').collect();
            day_ok(day)
                && parts.len() == 3
                && parts
                    .iter()
                    .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
                && parts[0] < "24"
                && parts[1] < "60"
                && parts[2] < "61"
        }
    }
}

/// Says what a resolution changed in the person ids (new persons are only counted: a
/// first resolution makes every one of them).
fn print_id_changes(report: &kartoteka_ingest::ResolveReport) {
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

/// The `note` commands.
fn notes(
    command: NoteCommand,
    archive_dir: &std::path::Path,
    open: &dyn Fn(&std::path::Path) -> Result<Archive, Failure>,
) -> Result<u8, Failure> {
    let archive = open(archive_dir)?;
    let not_found = not_found_is_3;
    let note_error = |e: ArchiveError| match e {
        e @ ArchiveError::Note(_) | e @ ArchiveError::BadTarget(..) => Failure {
            status: EXIT_FAILED,
            error: e.into(),
        },
        other => not_found(other),
    };
    match command {
        NoteCommand::Add {
            target,
            quote,
            sheet,
            comment,
            tags,
            json,
        } => {
            let note = archive
                .add_note(&kartoteka_ingest::NewNote {
                    target,
                    quote,
                    sheet,
                    comment,
                    tags,
                })
                .map_err(note_error)?;
            if json {
                output::print_json(&note)?;
            } else {
                output::print_note(&note);
            }
        }
        NoteCommand::List {
            doc,
            tag,
            orphaned,
            search,
            json,
        } => {
            let notes = archive.notes(&kartoteka_store::NoteFilter {
                id: None,
                doc: doc.map(kartoteka_model::DocId),
                tag,
                author: None,
                orphaned: orphaned.then_some(true),
                text: search,
            })?;
            if json {
                output::print_json(&serde_json::json!({ "notes": notes }))?;
            } else if notes.is_empty() {
                say!("No notes.");
            } else {
                for n in &notes {
                    output::print_note(n);
                }
            }
        }
        NoteCommand::Show { id, json } => {
            let (note, history) = archive.note(id).map_err(not_found)?;
            if json {
                output::print_json(&serde_json::json!({ "note": note, "history": history }))?;
            } else {
                output::print_note(&note);
                say!("  history:");
                for v in &history {
                    say!("    v{}  {}  {}  {}", v.version, v.at, v.by, v.why);
                }
            }
        }
        NoteCommand::Edit {
            id,
            comment,
            tags,
            no_tags,
        } => {
            let tags = if no_tags {
                Some(Vec::new())
            } else if tags.is_empty() {
                None
            } else {
                Some(tags)
            };
            let note = archive.edit_note(id, comment, tags).map_err(not_found)?;
            output::print_note(&note);
        }
        NoteCommand::Export { format } => {
            if format != "web-annotation" {
                return Err(usage(format!("--format {format:?}: only web-annotation")));
            }
            let collection = archive.export_notes(&Default::default())?;
            output::print_json(&collection)?;
        }
        NoteCommand::Import { file, json } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let data: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| usage(format!("{}: not JSON ({e})", file.display())))?;
            let (made, refused) = archive.import_notes(&data).map_err(note_error)?;
            if json {
                output::print_json(&serde_json::json!({ "imported": made, "refused": refused }))?;
            } else {
                say!("Imported {} note(s).", made.len());
                for r in &refused {
                    say!("  not imported: {r}");
                }
            }
            if !refused.is_empty() {
                return Ok(EXIT_FAILED);
            }
        }
    }
    Ok(EXIT_OK)
}

/// The passphrase from a file or an environment variable.
fn passphrase(args: &NotebookKeyArgs) -> Result<Option<String>, Failure> {
    if let Some(path) = &args.passphrase_file {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let line = text.lines().next().unwrap_or("").to_string();
        if line.is_empty() {
            return Err(usage(format!("{} holds no passphrase", path.display())));
        }
        return Ok(Some(line));
    }
    if let Some(var) = &args.passphrase_env {
        let value = std::env::var(var).map_err(|_| usage(format!("${var} is not set")))?;
        return Ok(Some(value));
    }
    Ok(None)
}

/// The `notebook` commands.
fn notebook(
    command: NotebookCommand,
    archive_dir: &std::path::Path,
    user: &str,
    open: &dyn Fn(&std::path::Path) -> Result<Archive, Failure>,
) -> Result<u8, Failure> {
    use kartoteka_ingest::NotebookKey;
    match command {
        NotebookCommand::Keygen { out } => {
            if out.exists() {
                return Err(usage(format!(
                    "{} exists; a key is never overwritten",
                    out.display()
                )));
            }
            let (identity, recipient) = kartoteka_ingest::generate_identity();
            write_private(&out, &identity).with_context(|| format!("writing {}", out.display()))?;
            say!("{recipient}");
            eprintln!(
                "Identity written to {}. The line above is its recipient: lock with --recipient.",
                out.display()
            );
        }
        NotebookCommand::Lock {
            key,
            recipient,
            keep_anchors,
        } => {
            let key = match (recipient, passphrase(&key)?) {
                (Some(r), _) => NotebookKey::Recipient(r),
                (None, Some(p)) => NotebookKey::Passphrase(p),
                (None, None) => {
                    return Err(usage(
                        "give --passphrase-file, --passphrase-env or --recipient",
                    ))
                }
            };
            let archive = open(archive_dir)?;
            let report = archive.lock_notebook(user, &key, keep_anchors)?;
            say!(
                "Locked {} note(s) of {user} in {}{}.",
                report.notes,
                report.file.display(),
                if report.anchors_kept {
                    "; stand-ins keep where they are anchored"
                } else {
                    ""
                }
            );
        }
        NotebookCommand::Unlock { key, identity } => {
            let key = match (identity, passphrase(&key)?) {
                (Some(path), _) => NotebookKey::Identity(
                    std::fs::read_to_string(&path)
                        .with_context(|| format!("reading {}", path.display()))?,
                ),
                (None, Some(p)) => NotebookKey::Passphrase(p),
                (None, None) => {
                    return Err(usage(
                        "give --passphrase-file, --passphrase-env or --identity",
                    ))
                }
            };
            let archive = open(archive_dir)?;
            let n = archive.unlock_notebook(user, &key)?;
            say!("Unlocked {n} note(s) of {user}.");
        }
    }
    Ok(EXIT_OK)
}

/// Writes a secret readable by its owner only.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    writeln!(file, "{text}")?;
    file.sync_all()
}

/// "Nothing there" gets its own exit status.
fn not_found_is_3(e: ArchiveError) -> Failure {
    match e {
        e @ ArchiveError::NotFound(_) => Failure {
            status: EXIT_NOT_FOUND,
            error: e.into(),
        },
        other => other.into(),
    }
}

/// Whether a command may change the archive, and so must hold its writer lock. Commands
/// that only read (or touch no archive) are listed; anything else writes.
fn writes(command: &Command) -> bool {
    !matches!(
        command,
        Command::Status { .. }
            | Command::Search { .. }
            | Command::Show { .. }
            | Command::History { .. }
            | Command::Claims { .. }
            | Command::Reports { .. }
            | Command::Markings { .. }
            | Command::Mentions { .. }
            | Command::ExtractText { .. }
            | Command::Persons { .. }
            | Command::Dossier { .. }
            | Command::CoverNames { .. }
            | Command::Export { .. }
            | Command::MatchNames { .. }
            | Command::ClusterNames { .. }
            | Command::Synth { .. }
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
        Command::Init
            | Command::Audit(AuditCommand::Verify { .. })
            | Command::Audit(AuditCommand::Log { .. })
            | Command::Audit(AuditCommand::Head { .. })
            | Command::Audit(AuditCommand::Key { .. })
            | Command::Audit(AuditCommand::AcceptHead { .. })
            | Command::Notebook(NotebookCommand::Keygen { .. })
            | Command::Synth { .. }
            | Command::Transfer(TransferCommand::Validate { .. })
    )
}

fn run(cli: Cli) -> Result<u8, Failure> {
    kartoteka_ingest::share_with_group(config::share_with_group(cli.share_with_group));
    let archive_dir = config::archive_dir(cli.archive.clone());
    let keys = kartoteka_ingest::HeadKeys::new(config::head_keys(cli.head_keys.clone()));
    let user = cli.user.clone();
    let writing = writes(&cli.command);
    let busy = |e: ArchiveError| match e {
        e @ ArchiveError::Busy(_) => Failure {
            status: EXIT_BUSY,
            error: e.into(),
        },
        other => other.into(),
    };
    let writer = if writing {
        Archive::lock_writer(&archive_dir, &command_name(), cli.wait).map_err(busy)?
    } else {
        None
    };
    if Archive::exists(&archive_dir) && !inspects_the_chain(&cli.command) {
        check_seal(&archive_dir, &keys)?;
    }
    let result = execute(cli, &archive_dir, &keys);
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

/// Refuses an archive whose sealed head no longer holds; notes one sealed by a key this
/// machine does not keep.
fn check_seal(
    archive_dir: &std::path::Path,
    keys: &kartoteka_ingest::HeadKeys,
) -> Result<(), Failure> {
    let archive = open(archive_dir)?;
    match archive.check_seal(keys) {
        Ok(kartoteka_ingest::SealCheck::NotHeld { public_key, .. }) => {
            eprintln!(
                "note: the audit head is sealed with key {}…, which {} does not hold: it was checked against the chain's own record of that key only",
                public_key.chars().take(12).collect::<String>(),
                keys.dir().display()
            );
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(e @ ArchiveError::Tampered(_)) => Err(Failure {
            status: EXIT_TAMPERED,
            error: e.into(),
        }),
        Err(e) => Err(e.into()),
    }
}

fn execute(
    cli: Cli,
    archive_dir: &std::path::Path,
    keys: &kartoteka_ingest::HeadKeys,
) -> Result<u8, Failure> {
    let archive_dir = archive_dir.to_path_buf();
    let user = config::user(cli.user);
    let jobs = config::jobs(cli.jobs).map_err(usage)?;
    let open = |dir: &std::path::Path| -> Result<Archive, Failure> {
        let archive = open(dir)?;
        archive.set_actor(&user);
        archive.set_jobs(jobs);
        Ok(archive)
    };
    match cli.command {
        Command::Init => {
            let existed = Archive::exists(&archive_dir);
            Archive::init(&archive_dir)
                .with_context(|| format!("creating an archive in {}", archive_dir.display()))?;
            say!(
                "{} archive in {}",
                if existed { "Existing" } else { "Created" },
                archive_dir.display()
            );
            Ok(EXIT_OK)
        }
        Command::Ingest {
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
            let archive = Archive::init(&archive_dir)
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
        Command::Status { json } => {
            let archive = open(&archive_dir)?;
            let status = archive.status()?;
            if json {
                output::print_json(&status)?;
            } else {
                output::print_status(&status);
            }
            Ok(EXIT_OK)
        }
        Command::Search {
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
        Command::Show { target, json } => {
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
        Command::Reindex => {
            let archive = open(&archive_dir)?;
            let progress = output::Bar::new("indexing");
            let n = archive.reindex(&progress)?;
            say!(
                "Reindexed {n} documents ({} pages).",
                archive.index().page_count()
            );
            Ok(EXIT_OK)
        }
        Command::Verify { json } => {
            let archive = open(&archive_dir)?;
            let progress = output::Bar::new("verifying");
            let report = archive.verify(&progress)?;
            if json {
                output::print_json(&report)?;
            } else {
                output::print_fixity(&report);
            }
            let failed = !report.corrupted.is_empty() || !report.missing.is_empty();
            Ok(if failed { EXIT_FAILED } else { EXIT_OK })
        }
        Command::Transfer(TransferCommand::Export {
            units,
            all: _,
            out,
            organization,
            to,
            with_paths,
            json,
        }) => {
            let units = units
                .iter()
                .map(|u| Reference::parse(u).map_err(|e| usage(format!("{u:?}: {e}"))))
                .collect::<Result<Vec<_>, _>>()?;
            let archive = open(&archive_dir)?;
            let progress = output::Bar::new("exporting");
            let report = archive
                .export_bag(
                    &kartoteka_ingest::ExportOptions {
                        units,
                        out,
                        organization,
                        to,
                        with_paths,
                    },
                    &progress,
                )
                .map_err(not_found_is_3)?;
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
        Command::Transfer(TransferCommand::Import { bag, to, json }) => {
            let to = to
                .map(|t| {
                    t.parse::<kartoteka_model::Location>()
                        .map_err(|e| usage(format!("--to: {e}")))
                })
                .transpose()?;
            let archive = Archive::init(&archive_dir)
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
        Command::Transfer(TransferCommand::Validate { bag, json }) => {
            let progress = output::Bar::new("validating");
            let report = Archive::validate_bag(&bag, jobs, &progress);
            if json {
                output::print_json(&report)?;
            } else {
                say!(
                    "{} {} ({} payload files, {} bytes hashed in {:.1} s)",
                    if report.is_valid() {
                        "VALID"
                    } else {
                        "INVALID"
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
            Ok(if report.is_valid() {
                EXIT_OK
            } else {
                EXIT_FAILED
            })
        }
        Command::Move { units, to } => {
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
        Command::History { reference, json } => {
            let r =
                Reference::parse(&reference).map_err(|e| usage(format!("{reference:?}: {e}")))?;
            let archive = open(&archive_dir)?;
            let history = archive.history(&r).map_err(not_found_is_3)?;
            if json {
                output::print_json(&history)?;
            } else {
                output::print_history(&history);
            }
            Ok(EXIT_OK)
        }
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
        Command::Extract { unit, json } => {
            let unit = unit
                .map(|u| Reference::parse(&u).map_err(|e| usage(format!("{u:?}: {e}"))))
                .transpose()?;
            let archive = open(&archive_dir)?;
            let progress = output::Bar::new("extracting");
            let report = archive.extract_mentions(unit.as_ref(), &progress)?;
            if json {
                output::print_json(&report)?;
            } else {
                say!(
                    "Read {} document(s) in {:.1} s ({} already up to date): {} mentions, {} relations.",
                    report.documents, report.seconds, report.up_to_date, report.mentions, report.relations
                );
                for (kind, n) in &report.by_kind {
                    say!("  {kind:<11} {n}");
                }
            }
            Ok(EXIT_OK)
        }
        Command::Mentions { target, kind, json } => {
            if let Some(k) = &kind {
                if kartoteka_extract::Kind::parse(k).is_none() {
                    return Err(usage(format!(
                        "--kind {k:?}: expected person, cover_name, role, org, place or date"
                    )));
                }
            }
            let archive = open(&archive_dir)?;
            let (mentions, relations) = archive
                .mentions(target.as_deref(), kind.as_deref())
                .map_err(|e| match e {
                    e @ ArchiveError::BadTarget(..) => usage(e),
                    other => not_found_is_3(other),
                })?;
            if json {
                output::print_json(
                    &serde_json::json!({ "mentions": mentions, "relations": relations }),
                )?;
            } else {
                for m in &mentions {
                    let sheet = m
                        .mention
                        .sheet
                        .map(|s| format!("л. {}{}", s.number, if s.verso { " об." } else { "" }))
                        .unwrap_or_else(|| format!("p. {}", m.mention.page));
                    say!(
                        "doc {:<5} {:<8} {:<10} {}  ->  {}{}",
                        m.mention.doc.0,
                        sheet,
                        m.mention.kind,
                        m.mention.text.replace('\n', " "),
                        m.mention.lemma,
                        m.mention
                            .code
                            .as_ref()
                            .map(|c| format!(" [{c}]"))
                            .unwrap_or_default()
                    );
                }
                for r in &relations {
                    say!(
                        "{}: {} -> {}  (doc {}, p. {})",
                        r.kind,
                        r.from,
                        r.to,
                        r.doc.0,
                        r.page
                    );
                }
            }
            Ok(EXIT_OK)
        }
        Command::Resolve { json } => {
            let archive = open(&archive_dir)?;
            let report = archive.resolve()?;
            if json {
                output::print_json(&report)?;
            } else {
                say!(
                    "{} person mentions -> {} persons ({} judgements applied) in {:.1} s",
                    report.mentions,
                    report.persons,
                    report.judgements,
                    report.seconds
                );
                print_id_changes(&report);
                for j in &report.stale_judgements {
                    say!("  judgement {j}: its mentions are no longer in the archive");
                }
                for c in &report.contradictions {
                    say!("  contradiction: {c}");
                }
            }
            Ok(if report.contradictions.is_empty() {
                EXIT_OK
            } else {
                EXIT_FAILED
            })
        }
        Command::Persons { query, json } => {
            let archive = open(&archive_dir)?;
            let redirect = match query.as_deref() {
                Some(q) => archive.redirect(q)?,
                None => None,
            };
            let persons = archive.persons(query.as_deref()).map_err(not_found_is_3)?;
            if json {
                let mut v = serde_json::json!({ "persons": persons });
                if let Some(r) = &redirect {
                    v["merged_into"] = serde_json::json!(r.merged_into);
                    v["redirect"] = serde_json::json!(r);
                }
                output::print_json(&v)?;
            } else {
                if let Some(r) = &redirect {
                    eprintln!(
                        "note: {} was merged into {} ({})",
                        r.from, r.merged_into, r.reason
                    );
                }
                for p in &persons {
                    let covers: Vec<&str> = p.cover_names.iter().map(|c| c.name.as_str()).collect();
                    say!(
                        "{:<16} {}  ({} mentions{}{})",
                        p.id,
                        p.name,
                        p.mentions.len(),
                        if p.names.len() > 1 {
                            format!("; also {}", p.names[1..].join(", "))
                        } else {
                            String::new()
                        },
                        if covers.is_empty() {
                            String::new()
                        } else {
                            format!("; cover names {}", covers.join(", "))
                        }
                    );
                }
            }
            Ok(if persons.is_empty() && query.is_some() {
                EXIT_NOT_FOUND
            } else {
                EXIT_OK
            })
        }
        Command::Dossier { who, json, html } => {
            let archive = open(&archive_dir)?;
            let d = archive.dossier(&who).map_err(|e| match e {
                e @ ArchiveError::BadTarget(..) => usage(e),
                other => not_found_is_3(other),
            })?;
            if let Some(r) = &d.redirect {
                eprintln!(
                    "note: {} was merged into {} ({})",
                    r.from, r.merged_into, r.reason
                );
            }
            if let Some(path) = html {
                std::fs::write(&path, kartoteka_report::dossier_html(&d))
                    .with_context(|| format!("writing {}", path.display()))?;
                say!("{}", path.display());
            } else if json {
                output::print_json(&d)?;
            } else {
                output::print_dossier(&d);
            }
            Ok(0)
        }
        Command::Judge {
            a,
            b,
            verdict,
            why,
            json,
        } => {
            let archive = open(&archive_dir)?;
            let redirects: Vec<kartoteka_ingest::Redirect> = [&a, &b]
                .into_iter()
                .map(|x| archive.redirect(x))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .flatten()
                .collect();
            for r in &redirects {
                eprintln!(
                    "note: {} was merged into {} ({}); judging {}",
                    r.from, r.merged_into, r.reason, r.merged_into
                );
            }
            let (j, report) = archive.judge(&a, &b, &verdict, &why).map_err(|e| match e {
                e @ ArchiveError::BadTarget(..) => usage(e),
                other => not_found_is_3(other),
            })?;
            if json {
                output::print_json(&serde_json::json!({
                    "judgement": j, "resolution": report, "redirects": redirects,
                }))?;
            } else {
                say!(
                    "judgement {}: {} {} {} ({}), by {}; {} persons now",
                    j.id,
                    j.a.text,
                    j.verdict,
                    j.b.text,
                    j.why,
                    j.by,
                    report.persons
                );
                print_id_changes(&report);
                for c in &report.contradictions {
                    say!("  contradiction: {c}");
                }
            }
            Ok(0)
        }
        Command::UndoJudgement { id, json } => {
            let archive = open(&archive_dir)?;
            let (j, report) = archive.undo_judgement(id).map_err(|e| match e {
                ArchiveError::Store(kartoteka_store::StoreError::Conflict(m)) => usage(m),
                other => not_found_is_3(other),
            })?;
            if json {
                output::print_json(&serde_json::json!({ "judgement": j, "resolution": report }))?;
            } else {
                say!(
                    "judgement {} undone ({} {} {}); {} persons now",
                    j.id,
                    j.a.text,
                    j.verdict,
                    j.b.text,
                    report.persons
                );
                print_id_changes(&report);
            }
            Ok(0)
        }
        Command::CoverNames { json } => {
            let archive = open(&archive_dir)?;
            let covers = archive.cover_names().map_err(not_found_is_3)?;
            if json {
                output::print_json(&serde_json::json!({ "cover_names": covers }))?;
            } else {
                for c in &covers {
                    let holders: Vec<String> = c
                        .holders
                        .iter()
                        .map(|h| {
                            format!(
                                "{} {} ({}..{})",
                                h.person_id,
                                h.name,
                                h.from.as_deref().unwrap_or("?"),
                                h.to.as_deref().unwrap_or("?")
                            )
                        })
                        .collect();
                    say!(
                        "{:<20} {} mentions; {}",
                        c.name,
                        c.mentions,
                        if holders.is_empty() {
                            "holder unknown".to_string()
                        } else {
                            holders.join("; ")
                        }
                    );
                }
            }
            Ok(0)
        }
        Command::Export { format } => {
            let archive = open(&archive_dir)?;
            debug_assert_eq!(format, "ftm");
            let entities = archive.export_ftm().map_err(not_found_is_3)?;
            let mut out = std::io::stdout().lock();
            for e in &entities {
                use std::io::Write;
                writeln!(out, "{e}")?;
            }
            Ok(0)
        }
        Command::MatchNames {
            first,
            second,
            context_a,
            context_b,
            json,
        } => {
            let context = |c: &Option<String>, which: &str| {
                kartoteka_names::Context::parse(c.as_deref().unwrap_or(""))
                    .map_err(|e| usage(format!("--context-{which}: {e}")))
            };
            let (ca, cb) = (context(&context_a, "a")?, context(&context_b, "b")?);
            let m = kartoteka_names::match_in_context(&first, &ca, &second, &cb);
            if json {
                output::print_json(&m)?;
            } else {
                say!("{} ({:.2})", m.verdict.as_str(), m.score);
                for r in &m.reasons {
                    say!("  {r}");
                }
            }
            Ok(0)
        }
        Command::ClusterNames { file, json } => {
            let bytes = if file.as_os_str() == "-" {
                let mut buf = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
                    .context("reading standard input")?;
                buf
            } else {
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?
            };
            let decoded = kartoteka_text::decode(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let records = name_records(&decoded.text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let clusters = kartoteka_names::cluster(&records);
            if json {
                let ids: Vec<Vec<&str>> = clusters
                    .iter()
                    .map(|c| c.iter().map(|&i| records[i].id.as_str()).collect())
                    .collect();
                output::print_json(&serde_json::json!({ "clusters": ids }))?;
            } else {
                for c in &clusters {
                    let line: Vec<String> = c
                        .iter()
                        .map(|&i| format!("{} {}", records[i].id, records[i].name))
                        .collect();
                    say!("{}", line.join("  |  "));
                }
            }
            Ok(0)
        }
        Command::ExtractText { file, lang, json } => {
            let language = match lang.as_str() {
                "auto" => kartoteka_extract::Language::Auto,
                "ru" => kartoteka_extract::Language::Russian,
                "en" => kartoteka_extract::Language::English,
                _ => return Err(usage(format!("--lang {lang:?}: expected ru, en or auto"))),
            };
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let decoded = kartoteka_text::decode(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let found = kartoteka_extract::extract_in(&decoded.text, language);
            if json {
                output::print_json(&found)?;
            } else {
                for m in &found.mentions {
                    say!(
                        "{:>6}-{:<6} {:<10} {}  ->  {}",
                        m.start,
                        m.end,
                        m.kind.as_str(),
                        m.text.replace('\n', " "),
                        m.lemma
                    );
                }
                for r in &found.relations {
                    say!(
                        "{:?}: {} -> {}",
                        r.kind,
                        found.mentions[r.from].lemma,
                        found.mentions[r.to].lemma
                    );
                }
            }
            Ok(EXIT_OK)
        }
        Command::Notebook(command) => notebook(command, &archive_dir, &user, &open),
        Command::Gaps {
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
                .map_err(not_found_is_3)?;
            say!(
                "Finding {} ({} at {}) is now {}.",
                finding.id,
                finding.kind.as_str(),
                finding.reference,
                finding.status.as_str()
            );
            Ok(EXIT_OK)
        }
        Command::Gaps {
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
        Command::Audit(AuditCommand::Verify {
            head,
            signed,
            key,
            json,
        }) => {
            if let Some(h) = &head {
                if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(usage(format!(
                        "--head {}: a head is the 64 hexadecimal digits `kartoteka audit head` prints",
                        kartoteka_model::excerpt(h)
                    )));
                }
            }
            let signed: Option<kartoteka_ingest::SignedHead> = signed
                .map(|path| -> Result<_, Failure> {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    serde_json::from_str(&text)
                        .map_err(|e| usage(format!("{}: not a signed head ({e})", path.display())))
                })
                .transpose()?;
            let archive = open(&archive_dir)?;
            let progress = output::Bar::new("verifying the audit chain");
            let report = match &signed {
                Some(s) => archive.verify_signed_head(s, key.as_deref(), &progress)?,
                None => archive.audit_verify(head.as_deref(), &progress)?,
            };
            let mut report = report;
            match archive.check_seal(keys) {
                Err(ArchiveError::Tampered(why)) => {
                    report.ok = false;
                    let seal = format!("sealed head: {why}");
                    report.problem = Some(match report.problem.take() {
                        Some(p) => format!("{p}; {seal}"),
                        None => seal,
                    });
                }
                Err(e) => return Err(e.into()),
                Ok(_) => {}
            }
            if json {
                output::print_json(&report)?;
            } else {
                output::print_chain(&report);
            }
            Ok(if report.ok { EXIT_OK } else { EXIT_FAILED })
        }
        Command::Audit(AuditCommand::Log {
            unit,
            actor,
            action,
            since,
            limit,
            json,
        }) => {
            if let Some(u) = &unit {
                Reference::parse(u).map_err(|e| usage(format!("--unit {u:?}: {e}")))?;
            }
            if let Some(t) = &since {
                if !is_time(t) {
                    return Err(usage(format!(
                        "--since {}: give a day (2026-11-27) or a time (2026-11-27T10:00:00Z)",
                        kartoteka_model::excerpt(t)
                    )));
                }
            }
            let archive = open(&archive_dir)?;
            let entries = archive.audit_log(&kartoteka_store::AuditFilter {
                unit,
                object: None,
                actor,
                action,
                since,
                // More than the chain can hold is all of it.
                limit: limit.map(|n| n.min(i64::MAX as usize)),
            })?;
            if json {
                output::print_json(&serde_json::json!({ "entries": entries }))?;
            } else {
                output::print_audit_log(&entries);
            }
            Ok(EXIT_OK)
        }
        Command::Audit(AuditCommand::AcceptHead { why }) => {
            let archive = open(&archive_dir)?;
            let before = archive.check_seal(keys);
            let signed = archive.accept_head(keys, &why).map_err(|e| match e {
                e @ ArchiveError::BadTarget(..) => usage(e),
                e => e.into(),
            })?;
            match before {
                Err(ArchiveError::Tampered(why)) => say!("Accepted a changed chain: {why}."),
                Err(e) => say!("Accepted the chain; its seal could not be read before: {e}."),
                Ok(_) => say!("The sealed head held; sealed again."),
            }
            say!("Sealed entry {} {}", signed.entries, signed.head);
            Ok(EXIT_OK)
        }
        Command::Audit(AuditCommand::Key { out }) => {
            if out.exists() {
                return Err(usage(format!(
                    "{} exists; a key is never overwritten",
                    out.display()
                )));
            }
            let key = kartoteka_ingest::HeadKey::generate()?;
            write_private(&out, &key.to_hex())
                .with_context(|| format!("writing {}", out.display()))?;
            say!("{}", key.public_hex());
            eprintln!(
                "Private key written to {} (keep it away from the archive). The line above is the public key.",
                out.display()
            );
            Ok(EXIT_OK)
        }
        Command::Audit(AuditCommand::Head {
            sign: Some(keyfile),
            ..
        }) => {
            let text = std::fs::read_to_string(&keyfile)
                .with_context(|| format!("reading {}", keyfile.display()))?;
            let key = kartoteka_ingest::HeadKey::from_hex(&text)
                .map_err(|e| usage(format!("{}: {e}", keyfile.display())))?;
            let archive = open(&archive_dir)?;
            let signed = archive.sign_head(&key)?;
            output::print_json(&signed)?;
            Ok(EXIT_OK)
        }
        Command::Audit(AuditCommand::Head { sign: None, json }) => {
            let archive = open(&archive_dir)?;
            let (entries, head) = archive.audit_head()?;
            if json {
                output::print_json(&serde_json::json!({ "entries": entries, "head": head }))?;
            } else {
                say!("{head}  {entries} entries  {}", archive_dir.display());
            }
            Ok(EXIT_OK)
        }
        Command::Synth { out, docs, seed } => {
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

/// The lines of a `cluster-names` list: id<TAB>name[<TAB>language[<TAB>document]]. Blank
/// lines and lines starting with # are skipped; a line without a name, or an id met twice,
/// is an error naming the line.
fn name_records(text: &str) -> Result<Vec<kartoteka_names::NameRecord>, String> {
    let mut out = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split('\t');
        let id = cols.next().unwrap_or("").trim();
        let name = cols.next().unwrap_or("").trim();
        if id.is_empty() || name.is_empty() {
            return Err(format!(
                "line {}: expected id<TAB>name[<TAB>language[<TAB>document[<TAB>context]]], got {line:?}",
                n + 1
            ));
        }
        if !ids.insert(id.to_string()) {
            return Err(format!("line {}: id {id:?} appears twice", n + 1));
        }
        let language = cols.next().map(str::trim).filter(|s| !s.is_empty());
        let document = cols.next().map(str::trim).filter(|s| !s.is_empty());
        let context = match cols.next().map(str::trim).filter(|s| !s.is_empty()) {
            Some(c) => Some(std::sync::Arc::new(
                kartoteka_names::Context::parse(c)
                    .map_err(|e| format!("line {}: context: {e}", n + 1))?,
            )),
            None => None,
        };
        out.push(kartoteka_names::NameRecord {
            id: id.to_string(),
            name: name.to_string(),
            language: language.map(String::from),
            document: document.map(String::from),
            context,
        });
    }
    Ok(out)
}
