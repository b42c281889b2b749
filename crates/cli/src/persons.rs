//! The commands on persons: extract, mentions, extract-text, resolve, persons, dossier,
//! judge, undo-judgement, cover-names, export, match-names and cluster-names.

use crate::*;

#[derive(Subcommand)]
pub(crate) enum PersonsCommand {
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
        kind: Option<kartoteka_model::MentionKind>,
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
}

/// Runs one of these commands.
pub(crate) fn run(command: PersonsCommand, session: &Session) -> Result<u8, Failure> {
    let archive_dir = session.archive_dir.clone();
    let open = |dir: &std::path::Path| session.open_at(dir);
    match command {
        PersonsCommand::Extract { unit, json } => {
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
        PersonsCommand::Mentions { target, kind, json } => {
            let archive = open(&archive_dir)?;
            let (mentions, relations) = archive
                .mentions(target.as_deref(), kind)
                .map_err(input_error)?;
            if json {
                output::print_json(
                    &serde_json::json!({ "mentions": mentions, "relations": relations }),
                )?;
            } else {
                for m in &mentions {
                    let sheet = m
                        .mention
                        .sheet
                        .map(|s| s.label())
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
        PersonsCommand::Resolve { json } => {
            let archive = open(&archive_dir)?;
            let report = archive.identities().resolve()?;
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
        PersonsCommand::Persons { query, json } => {
            let archive = open(&archive_dir)?;
            let redirect = match query.as_deref() {
                Some(q) => archive.identities().redirect(q)?,
                None => None,
            };
            let persons = archive
                .identities()
                .persons(query.as_deref())
                .map_err(by_kind)?;
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
        PersonsCommand::Dossier { who, json, html } => {
            let archive = open(&archive_dir)?;
            let d = archive.identities().dossier(&who).map_err(input_error)?;
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
        PersonsCommand::Judge {
            a,
            b,
            verdict,
            why,
            json,
        } => {
            let archive = open(&archive_dir)?;
            let redirects: Vec<kartoteka_archive::Redirect> = [&a, &b]
                .into_iter()
                .map(|x| archive.identities().redirect(x))
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
            let verdict: kartoteka_model::Verdict = verdict.parse().map_err(usage)?;
            let (j, report) = archive
                .identities()
                .judge(&a, &b, verdict, &why)
                .map_err(input_error)?;
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
        PersonsCommand::UndoJudgement { id, json } => {
            let archive = open(&archive_dir)?;
            let (j, report) = archive
                .identities()
                .undo_judgement(id)
                .map_err(|e| match e {
                    ArchiveError::Store(kartoteka_store::StoreError::Conflict(m)) => usage(m),
                    other => by_kind(other),
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
        PersonsCommand::CoverNames { json } => {
            let archive = open(&archive_dir)?;
            let covers = archive.identities().cover_names().map_err(by_kind)?;
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
        PersonsCommand::Export { format } => {
            let archive = open(&archive_dir)?;
            debug_assert_eq!(format, "ftm");
            let entities = archive.identities().export_ftm().map_err(by_kind)?;
            let mut out = std::io::stdout().lock();
            for e in &entities {
                use std::io::Write;
                writeln!(out, "{e}")?;
            }
            Ok(0)
        }
        PersonsCommand::MatchNames {
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
        PersonsCommand::ClusterNames { file, json } => {
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
            let records = kartoteka_names::read_name_list(&decoded.text)
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
        PersonsCommand::ExtractText { file, lang, json } => {
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
    }
}
