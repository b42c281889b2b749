//! The `publish` commands: the public edition, the editors' decisions on who it names,
//! and its independent leak check.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;
use kartoteka_archive::{Archive, ArchiveError};
use kartoteka_model::Disclosure;
use kartoteka_publish::leak::{marking_needles, Finding, LeakCheck, Needle};
use kartoteka_publish::write::WriteError;

use crate::{by_kind, input_error, output, usage, Failure, EXIT_FAILED, EXIT_OK};

/// `kartoteka publish`: build the edition, or one of the subcommands.
#[derive(clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Only paragraphs, quotes and excerpts marked UNCLASSIFIED with no control, from approved reports, go in. \
Agents, case officers and officials the claims name are named; everyone else is a private person, replaced everywhere by a \
pseudonym (Person A-17) that stays the same from edition to edition, unless a rule of publish.toml or an editor's decision \
(kartoteka publish decide) names them. The edition is written beside SITE_DIR, the leak check reads every byte of it for \
every form of every protected name, for classification markings and for reference codes of withheld units, and only a clean \
edition takes SITE_DIR's place: a finding leaves the previous edition as it was and exits 1, naming the file, the offset and \
the rule.\n\nExample publish.toml:\n  [persons]\n  born_more_than_years_ago = 110\n  public_figures = [\"Хрущёв Никита Сергеевич\"]\n  \
[[persons.deaths]]\n  person = \"P7\"\n  date = \"1956-02-25\"\n  source = \"death record\"\n\nExamples:\n  kartoteka publish --out site/\n  \
kartoteka publish --out site/ --rules publish.toml --json\n  kartoteka publish decide P12 --protect --why 'her family asked'\n  \
kartoteka publish check site/ --person 'Соколова Вера Андреевна'"
)]
pub(crate) struct PublishArgs {
    #[command(subcommand)]
    pub(crate) command: Option<PublishCommand>,
    /// Where the edition goes: a new or empty folder, or a previous edition (replaced only
    /// when the new one passes the leak check).
    #[arg(long, value_name = "SITE_DIR", required = true)]
    out: Option<PathBuf>,
    /// The rules the edition is built from; without it, ./publish.toml when there is one,
    /// else the defaults.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Print JSON: {"edition", "date", "changes": {"since", "added", "changed",
    /// "withdrawn"}, "summary": {...}, "files", "check": {...}}; on a leak,
    /// {"published": false, "findings": [...]}.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub(crate) enum PublishCommand {
    /// Record an editor's decision to name a person in the public edition, or to protect
    /// them behind a pseudonym, overriding the rules for them; the reason is kept in the
    /// audit chain. The latest decision on a person stands.
    Decide {
        /// The person: an id (P12) or a name that picks out one person.
        person: String,
        /// Name them.
        #[arg(long, conflicts_with = "protect", required_unless_present = "protect")]
        name: bool,
        /// Protect them (a pseudonym everywhere).
        #[arg(long)]
        protect: bool,
        /// Why (a public office, a death record, a relative's request).
        #[arg(long)]
        why: String,
        /// Print the decision as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the editors' decisions, oldest first.
    Decisions {
        /// Print JSON: {"decisions": [{"person", "name", "disclosure", "why", "by", "at"}]}.
        #[arg(long)]
        json: bool,
    },
    /// List the editions built, with their counts.
    Editions {
        /// Print JSON: {"editions": [{"number", "at", "by", "pages", "counts"}]}.
        #[arg(long)]
        json: bool,
    },
    /// Scan every byte of a folder (and every file name, and what zip and gzip files hold)
    /// for withheld strings and classification markings, after undoing character
    /// references, JSON escapes, percent-encoding, soft hyphens and case. Exit 1 and each
    /// finding with its file, byte offset and rule when anything is found.
    #[command(
        after_help = "The withheld strings come from --withheld: one a line, optionally followed by a tab and the \
rule that withholds it (lines starting with # are comments), and from --person: every form of the name. Markings (SECRET, NOFORN, REL TO, (S//...) and \
others, in capitals) are always looked for.\n\nExample:\n  printf 'Соколовой\\tprivate person P12\\nSokolova\\tprivate person P12\\n' > withheld.tsv\n  kartoteka publish check site/ --withheld withheld.tsv\n  kartoteka publish check site/ --person 'Соколова Вера Андреевна'"
    )]
    Check {
        /// The folder to check.
        site: PathBuf,
        /// The withheld strings, one a line (TEXT or TEXT<TAB>RULE).
        #[arg(long, value_name = "FILE", required_unless_present = "persons")]
        withheld: Option<PathBuf>,
        /// A private person whose name must not appear in any form (cases, initials,
        /// given name with patronymic, diminutives, romanisations). Repeatable.
        #[arg(long = "person", value_name = "NAME")]
        persons: Vec<String>,
        /// Print JSON: {"clean", "files", "bytes", "findings": [{"file", "inner", "offset",
        /// "found", "withheld", "rule"}]}.
        #[arg(long)]
        json: bool,
    },
}

/// Reads a withheld list: TEXT or TEXT<TAB>RULE a line.
fn read_withheld(path: &std::path::Path) -> Result<Vec<Needle>, Failure> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the withheld strings {}", path.display()))?;
    let mut needles = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (text, rule) = match line.split_once('\t') {
            Some((t, r)) => (t.trim(), r.trim()),
            None => (line.trim(), ""),
        };
        needles.push(Needle {
            text: text.to_string(),
            rule: if rule.is_empty() {
                format!("withheld ({}, line {})", path.display(), n + 1)
            } else {
                rule.to_string()
            },
            exact_case: false,
        });
    }
    Ok(needles)
}

fn print_findings(findings: &[Finding]) {
    for f in findings {
        let inner = f
            .inner
            .as_ref()
            .map_or(String::new(), |i| format!(" [{i}]"));
        say!(
            "{}{inner} at byte {}: {:?} ({}: {:?})",
            f.file.display(),
            f.offset,
            f.found,
            f.rule,
            f.withheld
        );
    }
}

/// The rules' text: the file given, else ./publish.toml, else none (the defaults).
fn rules_text(rules: Option<&PathBuf>) -> Result<String, Failure> {
    match rules {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("reading the rules {}", path.display()))
            .map_err(|e| Failure {
                status: crate::EXIT_USAGE,
                error: e,
            }),
        None => {
            let here = std::path::Path::new("publish.toml");
            if here.is_file() {
                Ok(std::fs::read_to_string(here).context("reading ./publish.toml")?)
            } else {
                Ok(String::new())
            }
        }
    }
}

/// `kartoteka publish ...`.
pub(crate) fn run(
    args: PublishArgs,
    open: &dyn Fn() -> Result<Archive, Failure>,
) -> Result<u8, Failure> {
    let command = match args.command {
        Some(c) => c,
        None => {
            let out = args.out.ok_or_else(|| usage("--out SITE_DIR is needed"))?;
            return build(&open()?, &out, args.rules.as_ref(), args.json);
        }
    };
    match command {
        PublishCommand::Decide {
            person,
            name,
            protect: _,
            why,
            json,
        } => {
            let disclosure = if name {
                Disclosure::Name
            } else {
                Disclosure::Protect
            };
            let d = open()?
                .publish()
                .decide(&person, disclosure, &why)
                .map_err(input_error)?;
            if json {
                output::print_json(&d)?;
            } else {
                say!(
                    "{} ({}) will be {} in the public edition: {}",
                    d.person,
                    d.name,
                    match d.disclosure {
                        Disclosure::Name => "named",
                        Disclosure::Protect => "protected by a pseudonym",
                    },
                    d.why
                );
            }
            Ok(EXIT_OK)
        }
        PublishCommand::Decisions { json } => {
            let list = open()?.publish().decisions().map_err(by_kind)?;
            if json {
                output::print_json(&serde_json::json!({ "decisions": list }))?;
            } else if list.is_empty() {
                say!("no editor's decisions");
            } else {
                for d in &list {
                    say!(
                        "{}  {:<8} {} ({}): {} [{}]",
                        d.at,
                        d.disclosure,
                        d.person,
                        d.name,
                        d.why,
                        d.by
                    );
                }
            }
            Ok(EXIT_OK)
        }
        PublishCommand::Editions { json } => {
            let list = open()?.publish().editions().map_err(by_kind)?;
            if json {
                let shown: Vec<serde_json::Value> = list
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "number": e.number, "at": e.at, "by": e.by,
                            "pages": e.pages.len(), "counts": e.counts,
                        })
                    })
                    .collect();
                output::print_json(&serde_json::json!({ "editions": shown }))?;
            } else if list.is_empty() {
                say!("no editions yet: kartoteka publish --out SITE_DIR makes the first");
            } else {
                for e in &list {
                    let counts: Vec<String> =
                        e.counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
                    say!(
                        "edition {}  {}  {} files  {}",
                        e.number,
                        e.at,
                        e.pages.len(),
                        counts.join(", ")
                    );
                }
            }
            Ok(EXIT_OK)
        }
        PublishCommand::Check {
            site,
            withheld,
            persons,
            json,
        } => {
            if !site.is_dir() {
                return Err(usage(format!("{} is not a folder", site.display())));
            }
            let mut needles = match &withheld {
                Some(file) => {
                    let listed = read_withheld(file)?;
                    if listed.is_empty() {
                        return Err(usage(format!(
                            "{} lists no withheld strings",
                            file.display()
                        )));
                    }
                    listed
                }
                None => Vec::new(),
            };
            for person in &persons {
                let forms = kartoteka_publish::forms::name_forms(person);
                if forms.is_empty() {
                    return Err(usage(format!("{person:?} is not a name")));
                }
                needles.extend(forms.into_iter().map(|text| Needle {
                    text,
                    rule: format!("private person {person}"),
                    exact_case: false,
                }));
            }
            needles.extend(marking_needles());
            let check = LeakCheck::new(needles).map_err(|e| usage(e.to_string()))?;
            let report = check
                .check_dir(&site)
                .with_context(|| format!("checking {}", site.display()))?;
            if json {
                output::print_json(&serde_json::json!({
                    "clean": report.is_clean(),
                    "files": report.files,
                    "bytes": report.bytes,
                    "findings": report.findings,
                }))?;
            } else {
                print_findings(&report.findings);
                if report.is_clean() {
                    say!(
                        "clean: {} files, {:.1} MB, no withheld string or marking found",
                        report.files,
                        report.bytes as f64 / 1e6
                    );
                } else {
                    say!(
                        "NOT CLEAN: {} findings in {} files checked; nothing may be published",
                        report.findings.len(),
                        report.files
                    );
                }
            }
            Ok(if report.is_clean() {
                EXIT_OK
            } else {
                EXIT_FAILED
            })
        }
    }
}

/// `kartoteka publish --out SITE_DIR`.
fn build(
    archive: &Archive,
    out: &std::path::Path,
    rules: Option<&PathBuf>,
    json: bool,
) -> Result<u8, Failure> {
    let text = rules_text(rules)?;
    let spinner = output::Bar::spinner("building the public edition and checking it for leaks");
    let result = archive.publish().publish(&text, out);
    kartoteka_archive::Progress::finish(&spinner);
    let published = match result {
        Ok(p) => p,
        Err(ArchiveError::Edition(WriteError::Leak(report))) => {
            if json {
                output::print_json(&serde_json::json!({
                    "published": false,
                    "files": report.files,
                    "bytes": report.bytes,
                    "findings": report.findings,
                }))?;
            } else {
                print_findings(&report.findings);
                say!(
                    "NOT PUBLISHED: the leak check found {} withheld strings in the new edition; {} is as it was",
                    report.findings.len(),
                    out.display()
                );
            }
            return Ok(EXIT_FAILED);
        }
        Err(e) => return Err(input_error(e)),
    };
    if json {
        output::print_json(&published)?;
        return Ok(EXIT_OK);
    }
    let s = &published.summary;
    say!(
        "Edition {} ({}) written to {}: {} files, {:.1} MB.",
        published.edition,
        published.date,
        out.display(),
        published.files,
        published.check.bytes as f64 / 1e6
    );
    say!(
        "Reports: {} approved, {} published ({} paragraphs), {} left out with nothing public; {} paragraphs left out as not public.",
        s.reports_approved,
        s.reports_published,
        s.paragraphs_published,
        s.reports_left_out,
        s.paragraphs_left_out
    );
    say!("Persons, by the rule that decided:");
    for (rule, (named, protected)) in &s.rules {
        say!("  {rule:<42} {named:>6} named  {protected:>6} protected");
    }
    say!(
        "{} names replaced by pseudonyms. Leak check: clean ({} files, {:.1} MB, {} withheld strings and markings looked for).",
        s.replacements,
        published.check.files,
        published.check.bytes as f64 / 1e6,
        s.withheld_strings
    );
    let c = &published.changes;
    if c.since == 0 {
        say!("This is the first edition.");
    } else {
        say!(
            "Since edition {}: {} files added, {} changed, {} withdrawn (their addresses stay, saying so).",
            c.since,
            c.added.len(),
            c.changed.len(),
            c.withdrawn.len()
        );
    }
    say!("Open {} in a browser.", out.join("index.html").display());
    Ok(EXIT_OK)
}
