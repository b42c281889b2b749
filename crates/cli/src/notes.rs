//! The `note` commands (the reading-room notebook: notes anchored to exact passages) and
//! the `notebook` commands (locking an author's notes into an encrypted file).

use crate::*;

#[derive(Subcommand)]
pub(crate) enum NoteCommand {
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
pub(crate) struct NotebookKeyArgs {
    /// A file holding the passphrase (its first line).
    #[arg(long, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    /// Read the passphrase from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "passphrase_file")]
    passphrase_env: Option<String>,
}

#[derive(Subcommand)]
pub(crate) enum NotebookCommand {
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

/// The `note` commands.
pub(crate) fn notes(
    command: NoteCommand,
    archive_dir: &std::path::Path,
    open: &dyn Fn(&std::path::Path) -> Result<Archive, Failure>,
) -> Result<u8, Failure> {
    let archive = open(archive_dir)?;
    let not_found = by_kind;
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
                .add_note(&kartoteka_archive::NewNote {
                    target,
                    quote,
                    sheet,
                    comment,
                    tags,
                    selector: None,
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
pub(crate) fn passphrase(args: &NotebookKeyArgs) -> Result<Option<String>, Failure> {
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
pub(crate) fn notebook(
    command: NotebookCommand,
    archive_dir: &std::path::Path,
    user: &str,
    open: &dyn Fn(&std::path::Path) -> Result<Archive, Failure>,
) -> Result<u8, Failure> {
    use kartoteka_archive::NotebookKey;
    match command {
        NotebookCommand::Keygen { out } => {
            if out.exists() {
                return Err(usage(format!(
                    "{} exists; a key is never overwritten",
                    out.display()
                )));
            }
            let (identity, recipient) = kartoteka_archive::generate_identity();
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
pub(crate) fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    writeln!(file, "{text}")?;
    file.sync_all()
}
