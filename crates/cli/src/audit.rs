//! The `audit` commands: verify the chain (and the sealed head), read the log, accept a
//! changed head, make a key, print or sign the head.

use crate::*;

#[derive(Subcommand)]
pub(crate) enum AuditCommand {
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
        /// Only entries at or before this time (a day takes in the whole day).
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
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

/// Runs one of these commands.
pub(crate) fn run(command: AuditCommand, session: &Session) -> Result<u8, Failure> {
    let archive_dir = session.archive_dir.clone();
    let keys = session.keys;
    let open = |dir: &std::path::Path| session.open_at(dir);
    match command {
        AuditCommand::Verify {
            head,
            signed,
            key,
            json,
        } => {
            if let Some(h) = &head {
                if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(usage(format!(
                        "--head {}: a head is the 64 hexadecimal digits `kartoteka audit head` prints",
                        kartoteka_model::excerpt(h)
                    )));
                }
            }
            let signed: Option<kartoteka_archive::SignedHead> = signed
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
        AuditCommand::Log {
            unit,
            actor,
            action,
            since,
            until,
            limit,
            json,
        } => {
            if let Some(u) = &unit {
                Reference::parse(u).map_err(|e| usage(format!("--unit {u:?}: {e}")))?;
            }
            for (flag, t) in [("--since", &since), ("--until", &until)] {
                if let Some(t) = t {
                    if !kartoteka_model::is_audit_time(t) {
                        return Err(usage(format!(
                            "{flag} {}: give a day (2026-11-27) or a time (2026-11-27T10:00:00Z)",
                            kartoteka_model::excerpt(t)
                        )));
                    }
                }
            }
            let archive = open(&archive_dir)?;
            let entries = archive.audit_log(&kartoteka_store::AuditFilter {
                unit,
                object: None,
                actor,
                action,
                since,
                until,
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
        AuditCommand::AcceptHead { why } => {
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
        AuditCommand::Key { out } => {
            if out.exists() {
                return Err(usage(format!(
                    "{} exists; a key is never overwritten",
                    out.display()
                )));
            }
            let key = kartoteka_archive::HeadKey::generate()?;
            write_private(&out, &key.to_hex())
                .with_context(|| format!("writing {}", out.display()))?;
            say!("{}", key.public_hex());
            eprintln!(
                "Private key written to {} (keep it away from the archive). The line above is the public key.",
                out.display()
            );
            Ok(EXIT_OK)
        }
        AuditCommand::Head {
            sign: Some(keyfile),
            ..
        } => {
            let text = std::fs::read_to_string(&keyfile)
                .with_context(|| format!("reading {}", keyfile.display()))?;
            let key = kartoteka_archive::HeadKey::from_hex(&text)
                .map_err(|e| usage(format!("{}: {e}", keyfile.display())))?;
            let archive = open(&archive_dir)?;
            let signed = archive.sign_head(&key)?;
            output::print_json(&signed)?;
            Ok(EXIT_OK)
        }
        AuditCommand::Head { sign: None, json } => {
            let archive = open(&archive_dir)?;
            let (entries, head) = archive.audit_head()?;
            if json {
                output::print_json(&serde_json::json!({ "entries": entries, "head": head }))?;
            } else {
                say!("{head}  {entries} entries  {}", archive_dir.display());
            }
            Ok(EXIT_OK)
        }
    }
}
