//! The `publish` commands: the public edition's independent leak check.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;
use kartoteka_publish::leak::{marking_needles, LeakCheck, Needle};

use crate::{output, usage, Failure, EXIT_FAILED, EXIT_OK};

#[derive(Subcommand)]
pub(crate) enum PublishCommand {
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

/// The `publish` commands.
pub(crate) fn run(command: PublishCommand) -> Result<u8, Failure> {
    match command {
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
                for f in &report.findings {
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
