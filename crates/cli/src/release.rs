//! The `partner`, `partners`, `release` and `keys` commands: the partner services an
//! archive releases to, the release plan, and a partner's own keys.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;
use kartoteka_archive::{Archive, NewPartner, PartnerKeys};
use kartoteka_model::{Partner, PartnerState};
use kartoteka_release::{Cell, Plan};

use crate::notes::write_private;
use crate::{input_error, output, usage, Failure, EXIT_OK};

#[derive(Subcommand)]
pub(crate) enum PartnerCommand {
    /// Add a partner service: its country, clearance, caveats, groups, keys and what it
    /// needs to know. Its id is the country and the service's name ("GBR-MI5").
    #[command(
        after_help = "The partner makes its keys with `kartoteka keys generate --out FILE` and sends you the two \
public keys it prints.\n\nExample:\n  kartoteka partner add GBR --service MI5 --clearance SECRET \\\n    --recipient age1... --verify-key 3b6a27bc... --group NATO \\\n    --need-to-know UKR --need-to-know topic:illegals --why 'agreement 1994/7'"
    )]
    Add {
        /// The country, ISO 3166 alpha-3 (GBR, DEU, UKR).
        country: String,
        /// The service's name.
        #[arg(long)]
        service: String,
        /// The highest classification it may receive: UNCLASSIFIED, RESTRICTED,
        /// CONFIDENTIAL, SECRET or TOP SECRET.
        #[arg(long)]
        clearance: String,
        /// Its age X25519 recipient ("age1..."): its packages are encrypted to it.
        #[arg(long)]
        recipient: String,
        /// Its Ed25519 public key (64 hex digits): its receipts are checked with it.
        #[arg(long = "verify-key")]
        verify_key: String,
        /// A group it belongs to, as markings name it (REL TO FVEY): FVEY, ACGU and NATO
        /// are their member countries; any other name is a group this archive defines.
        #[arg(long = "group", value_name = "GROUP")]
        groups: Vec<String>,
        /// A control it agreed to receive material under: ORCON (each release of ORCON
        /// material still needs the originator's consent: `release consent`).
        #[arg(long = "caveat", value_name = "CAVEAT")]
        caveats: Vec<String>,
        /// What it needs to know beyond its own country: a country (ISO 3166 alpha-3) or
        /// topic:WORD (reports containing the word).
        #[arg(long = "need-to-know", value_name = "ISO3|topic:WORD")]
        need_to_know: Vec<String>,
        /// The authority for sharing with it (the agreement).
        #[arg(long)]
        why: String,
        /// Print the partner as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change what decides a partner's releases: its clearance, caveats, groups, keys or
    /// needs. A list given replaces the whole list; --no-groups, --no-caveats and
    /// --no-need-to-know empty one.
    #[command(
        after_help = "Example (new keys after a compromise, and a lower clearance):\n  kartoteka partner change GBR-MI5 --recipient age1... --verify-key 9c1e... \\\n    --clearance CONFIDENTIAL --why 'keys replaced, letter 2026/41'"
    )]
    Change {
        /// The partner's id.
        id: String,
        /// A new clearance.
        #[arg(long)]
        clearance: Option<String>,
        /// A new age recipient.
        #[arg(long)]
        recipient: Option<String>,
        /// A new Ed25519 public key.
        #[arg(long = "verify-key")]
        verify_key: Option<String>,
        /// Its groups (repeatable; replaces them all).
        #[arg(long = "group", value_name = "GROUP")]
        groups: Vec<String>,
        /// It belongs to no group.
        #[arg(long, conflicts_with = "groups")]
        no_groups: bool,
        /// Its caveats (repeatable; replaces them all).
        #[arg(long = "caveat", value_name = "CAVEAT")]
        caveats: Vec<String>,
        /// It receives no caveated material.
        #[arg(long, conflicts_with = "caveats")]
        no_caveats: bool,
        /// What it needs to know (repeatable; replaces it all): ISO3 or topic:WORD.
        #[arg(long = "need-to-know", value_name = "ISO3|topic:WORD")]
        need_to_know: Vec<String>,
        /// It needs nothing beyond its own country.
        #[arg(long, conflicts_with = "need_to_know")]
        no_need_to_know: bool,
        /// Why (the authority for the change).
        #[arg(long)]
        why: String,
        /// Print the partner as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Stop releasing to a partner: it receives nothing until resumed.
    Suspend {
        /// The partner's id ("GBR-MI5").
        id: String,
        /// Why.
        #[arg(long)]
        why: String,
    },
    /// Release to a suspended partner again.
    Resume {
        /// The partner's id.
        id: String,
        /// Why.
        #[arg(long)]
        why: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum ReleaseCommand {
    /// Which report goes to which partner, and why each does or does not, before anything
    /// is sent: the partner by report matrix with what each partner's variant would lose.
    #[command(
        after_help = "A report goes to a partner when it is approved (its latest approved version goes), it \
concerns the partner's country or what the partner needs to know (or a release officer sent it by \
hand), no release officer held it back, the partner is active, and the partner's variant keeps a \
paragraph naming the report's subject. Each paragraph is kept only when the releasability rule allows \
it: clearance, REL TO (countries and groups), NOFORN, ORCON with the originator's consent."
    )]
    Plan {
        /// Only this partner (repeatable); every partner when left out.
        #[arg(long = "partner", value_name = "ID")]
        partners: Vec<String>,
        /// Also list the reports nothing routes to a partner, one line each.
        #[arg(long)]
        all: bool,
        /// Print JSON: {"partners": [...], "reports": [...], "cells": [{"partner", "report",
        /// "version", "send", "why": [{"reason", ...}], "loss": {"paragraphs", "dropped":
        /// [{"paragraph", "section", "marking", "withheld"}], "citations_replaced",
        /// "keeps_subject"}}]}.
        #[arg(long)]
        json: bool,
    },
    /// Send a report to a partner that routing would not send it to (--send), or hold back
    /// one it would (--hold). The latest decision on a report and partner stands.
    Route {
        /// The report's id ("R-P3").
        report: String,
        /// The partner's id.
        #[arg(long)]
        partner: String,
        /// Send it.
        #[arg(long, conflicts_with = "hold", required_unless_present = "hold")]
        send: bool,
        /// Hold it back.
        #[arg(long)]
        hold: bool,
        /// Why.
        #[arg(long)]
        why: String,
    },
    /// Make the packages the plan sends: for each partner, its variants of its reports in
    /// every format, as a BagIt bag signed with the archive's key and encrypted to the
    /// partner (OUT/PKG-...zip.age), recorded in the register.
    #[command(
        after_help = "Example:\n  kartoteka release plan\n  kartoteka release send --all --out outbox/\n\nThe partner opens its package with `kartoteka release open` and the archive's public key \
from `kartoteka keys show`."
    )]
    Send {
        /// A partner to send to (repeatable).
        #[arg(long = "partner", value_name = "ID", required_unless_present = "all")]
        partners: Vec<String>,
        /// Send to every active partner.
        #[arg(long, conflicts_with = "partners")]
        all: bool,
        /// The folder to write the packages into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Leave the PDF out of the packages (it takes the longest to write).
        #[arg(long)]
        no_pdf: bool,
        /// Print JSON: {"packages": [{"id", "partner", "path", "reports", "bytes"}]}.
        #[arg(long)]
        json: bool,
    },
    /// A partner's side: decrypt a package with your keys, check the archive's signature
    /// and the bag, write the bag to OUT and a signed receipt to send back.
    Open {
        /// The package file (PKG-...zip.age).
        package: PathBuf,
        /// Your keys file (from `kartoteka keys generate`).
        #[arg(long, value_name = "FILE")]
        identity: PathBuf,
        /// The archive's public key (from `kartoteka keys show`), 64 hex digits.
        #[arg(long = "archive-key", value_name = "PUBKEY")]
        archive_key: String,
        /// The folder to write the bag to (it must not exist).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Where to write the receipt (default: OUT.receipt.json beside the folder).
        #[arg(long, value_name = "FILE")]
        receipt: Option<PathBuf>,
        /// Print JSON: {"package", "partner", "reports", "bag", "receipt"}.
        #[arg(long)]
        json: bool,
    },
    /// Record a partner's receipt, once its signature holds under the partner's key.
    Receipt {
        /// The receipt file `release open` wrote.
        file: PathBuf,
    },
    /// The register: every package sent, with its reports, hash, time, release officer
    /// and receipt.
    Register {
        /// Only this partner's packages.
        #[arg(long, value_name = "ID")]
        partner: Option<String>,
        /// Only packages holding this report.
        #[arg(long, value_name = "ID")]
        report: Option<String>,
        /// Print JSON: {"packages": [{"id", "kind", "partner", "country", "reports": [{"id",
        /// "version"}], "sha256", "file", "sent_at", "officer", "why", "receipt"}]}.
        #[arg(long)]
        json: bool,
    },
    /// Released report versions partners hold that are no longer current (superseded,
    /// withdrawn, or a later version approved), with who holds them: what to recall.
    Outdated {
        /// Print JSON: {"outdated": [{"report", "version", "partner", "package", "why"}]}.
        #[arg(long)]
        json: bool,
    },
    /// Recall a report: list every partner that holds a version of it, and with --out make
    /// a recall notice package for each.
    Recall {
        /// The report's id.
        report: String,
        /// Why it is recalled.
        #[arg(long)]
        why: String,
        /// Where to write the notices.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Print JSON: {"report", "holders": [[partner, [packages]]], "notices": [...]}.
        #[arg(long)]
        json: bool,
    },
    /// Record the originator's consent to release a report's ORCON portions to a partner.
    Consent {
        /// The report's id.
        report: String,
        /// The partner's id.
        #[arg(long)]
        partner: String,
        /// Who consented for the originator.
        #[arg(long)]
        originator: String,
        /// Where the consent is recorded (a letter, a cable).
        #[arg(long)]
        why: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum KeysCommand {
    /// The archive's public signing key: give it to partners, who check packages with it.
    Show {
        /// Print JSON: {"verify_key": "..."}.
        #[arg(long)]
        json: bool,
    },
    /// A partner's side: make an age identity and an Ed25519 signing key in one new file
    /// (readable only by you), and print the two public keys to give the archive.
    Generate {
        /// The file to create; an existing file is never overwritten.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Print JSON: {"recipient": "age1...", "verify_key": "..."}.
        #[arg(long)]
        json: bool,
    },
}

/// The `partner` commands.
pub(crate) fn partner(command: PartnerCommand, archive: &Archive) -> Result<u8, Failure> {
    let release = archive.release();
    match command {
        PartnerCommand::Add {
            country,
            service,
            clearance,
            recipient,
            verify_key,
            groups,
            caveats,
            need_to_know,
            why,
            json,
        } => {
            let mut new = NewPartner {
                country,
                service,
                clearance,
                caveats,
                groups,
                recipient,
                verify_key,
                why,
                ..NewPartner::default()
            };
            for n in need_to_know {
                match n.strip_prefix("topic:") {
                    Some(topic) => new.need_topics.push(topic.to_string()),
                    None => new.need_countries.push(n),
                }
            }
            let p = release.add_partner(&new).map_err(input_error)?;
            if json {
                output::print_json(&p)?;
            } else {
                say!("added {}", partner_line(&p));
            }
        }
        PartnerCommand::Change {
            id,
            clearance,
            recipient,
            verify_key,
            groups,
            no_groups,
            caveats,
            no_caveats,
            need_to_know,
            no_need_to_know,
            why,
            json,
        } => {
            let list =
                |given: Vec<String>, none: bool| (none || !given.is_empty()).then_some(given);
            let (mut countries, mut topics) = (Vec::new(), Vec::new());
            for n in &need_to_know {
                match n.strip_prefix("topic:") {
                    Some(t) => topics.push(t.to_string()),
                    None => countries.push(n.clone()),
                }
            }
            let needs = no_need_to_know || !need_to_know.is_empty();
            let change = kartoteka_archive::PartnerChange {
                clearance,
                recipient,
                verify_key,
                groups: list(groups, no_groups),
                caveats: list(caveats, no_caveats),
                need_countries: needs.then_some(countries),
                need_topics: needs.then_some(topics),
            };
            let p = release
                .change_partner(&id, &change, &why)
                .map_err(input_error)?;
            if json {
                output::print_json(&p)?;
            } else {
                say!("changed {}", partner_line(&p));
            }
        }
        PartnerCommand::Suspend { id, why } => {
            let p = release
                .set_state(&id, PartnerState::Suspended, &why)
                .map_err(input_error)?;
            say!("{}: suspended ({})", p.id, p.why);
        }
        PartnerCommand::Resume { id, why } => {
            let p = release
                .set_state(&id, PartnerState::Active, &why)
                .map_err(input_error)?;
            say!("{}: active ({})", p.id, p.why);
        }
    }
    Ok(EXIT_OK)
}

/// One line on a partner: id, country, service, clearance, caveats, groups, needs, state.
fn partner_line(p: &Partner) -> String {
    let mut line = format!(
        "{:<14} {} {:<12} {:<12} {}",
        p.id,
        p.country,
        p.service,
        p.clearance.as_str(),
        p.state
    );
    if !p.caveats.is_empty() {
        let c: Vec<&str> = p.caveats.iter().map(|c| c.as_str()).collect();
        line.push_str(&format!("  caveats {}", c.join(", ")));
    }
    if !p.groups.is_empty() {
        line.push_str(&format!("  groups {}", p.groups.join(", ")));
    }
    let n = &p.need_to_know;
    if !n.countries.is_empty() || !n.topics.is_empty() {
        let mut needs = n.countries.clone();
        needs.extend(n.topics.iter().map(|t| format!("{t:?}")));
        line.push_str(&format!("  needs {}", needs.join(", ")));
    }
    line
}

/// The `partners` command.
pub(crate) fn partners(archive: &Archive, json: bool) -> Result<u8, Failure> {
    let partners = archive.release().partners()?;
    if json {
        output::print_json(&serde_json::json!({ "partners": partners }))?;
    } else if partners.is_empty() {
        say!("no partners yet: add one with `kartoteka partner add`");
    } else {
        for p in &partners {
            say!("{}", partner_line(p));
        }
    }
    Ok(EXIT_OK)
}

/// The `release` commands.
pub(crate) fn release(
    command: ReleaseCommand,
    archive: &Archive,
    keys: &kartoteka_archive::HeadKeys,
) -> Result<u8, Failure> {
    let release = archive.release();
    match command {
        ReleaseCommand::Send {
            partners,
            all,
            out,
            no_pdf,
            json,
        } => {
            let bar = output::Bar::counting("sending", "variants");
            let sent = release
                .send(&partners, all, &out, keys, !no_pdf, &bar)
                .map_err(input_error)?;
            if json {
                output::print_json(&serde_json::json!({ "packages": sent }))?;
            } else if sent.is_empty() {
                say!("nothing to send: the plan sends no report to these partners (see `kartoteka release plan`)");
            } else {
                for p in &sent {
                    say!(
                        "{} to {}: {} ({} bytes): {}",
                        p.id,
                        p.partner,
                        p.path.display(),
                        p.bytes,
                        versions(&p.reports)
                    );
                }
            }
        }
        ReleaseCommand::Open { .. } => {
            return Err(usage(
                "`release open` runs on the partner's side, with no archive",
            ));
        }
        ReleaseCommand::Receipt { file } => {
            let bytes = read_small(&file)?;
            let p = release.record_receipt(&bytes).map_err(input_error)?;
            say!("{}: receipt of {} recorded", p.id, p.partner);
        }
        ReleaseCommand::Register {
            partner,
            report,
            json,
        } => {
            let packages = release
                .register(partner.as_deref(), report.as_deref())
                .map_err(input_error)?;
            if json {
                output::print_json(&serde_json::json!({ "packages": packages }))?;
            } else if packages.is_empty() {
                say!("no packages sent");
            } else {
                for p in &packages {
                    let receipt = match &p.receipt {
                        Some(r) => format!("received {}", r.received_at),
                        None => "no receipt".to_string(),
                    };
                    say!(
                        "{:<18} {:<7} {:<12} {} by {}  {}  sha256 {}…  {}",
                        p.id,
                        p.kind.as_str(),
                        p.partner,
                        p.sent_at,
                        p.officer,
                        versions(&p.reports),
                        p.sha256.chars().take(12).collect::<String>(),
                        receipt
                    );
                }
            }
        }
        ReleaseCommand::Outdated { json } => {
            let outdated = release.outdated()?;
            if json {
                output::print_json(&serde_json::json!({ "outdated": outdated }))?;
            } else if outdated.is_empty() {
                say!("every released report is current");
            } else {
                for o in &outdated {
                    say!(
                        "{} v{} held by {} ({}): {}",
                        o.report,
                        o.version,
                        o.partner,
                        o.package,
                        o.why
                    );
                }
                say!("recall with `kartoteka release recall REPORT --why ... --out DIR`");
            }
        }
        ReleaseCommand::Recall {
            report,
            why,
            out,
            json,
        } => {
            let recall = release
                .recall(&report, &why, out.as_deref(), keys)
                .map_err(input_error)?;
            if json {
                output::print_json(&recall)?;
            } else if recall.holders.is_empty() {
                say!("{}: no partner holds it", recall.report);
            } else {
                for (partner, packages) in &recall.holders {
                    say!(
                        "{}: held by {partner} (packages {})",
                        recall.report,
                        packages.join(", ")
                    );
                }
                for n in &recall.notices {
                    say!(
                        "recall notice {} to {}: {}",
                        n.id,
                        n.partner,
                        n.path.display()
                    );
                }
                if out.is_none() {
                    say!("(give --out DIR to make a recall notice package for each)");
                }
            }
        }
        ReleaseCommand::Plan {
            partners,
            all,
            json,
        } => {
            let plan = release.plan(&partners).map_err(input_error)?;
            if json {
                output::print_json(&plan)?;
            } else {
                print_plan(&plan, all);
            }
        }
        ReleaseCommand::Route {
            report,
            partner,
            send,
            hold: _,
            why,
        } => {
            let r = release
                .route(&report, &partner, send, &why)
                .map_err(input_error)?;
            let what = if r.send { "send to" } else { "hold back from" };
            say!("{}: {what} {} ({})", r.report, r.partner, r.why);
        }
        ReleaseCommand::Consent {
            report,
            partner,
            originator,
            why,
        } => {
            let c = release
                .consent(&report, &partner, &originator, &why)
                .map_err(input_error)?;
            say!(
                "{}: ORCON portions releasable to {} with the consent of {} ({})",
                c.report,
                c.partner,
                c.originator,
                c.why
            );
        }
    }
    Ok(EXIT_OK)
}

/// The reasons of a cell and what its variant loses, in a line.
fn cell_line(c: &Cell) -> String {
    let mut parts: Vec<String> = c.why.iter().map(|w| w.to_string()).collect();
    if let Some(loss) = &c.loss {
        if !loss.dropped.is_empty() {
            // One group per reason: "¶1-11, 13: SECRET//NOFORN: NOFORN".
            let mut groups: Vec<(String, Vec<u32>)> = Vec::new();
            for l in &loss.dropped {
                let why = l.withheld.to_string();
                match groups.iter_mut().find(|(w, _)| *w == why) {
                    Some((_, ps)) => ps.push(l.paragraph as u32),
                    None => groups.push((why, vec![l.paragraph as u32])),
                }
            }
            let which: Vec<String> = groups
                .iter()
                .map(|(why, ps)| format!("¶{}: {why}", kartoteka_text::ranges(ps)))
                .collect();
            parts.push(format!(
                "drops {} of {} paragraphs ({})",
                loss.dropped.len(),
                loss.paragraphs,
                which.join("; ")
            ));
        }
        if loss.citations_replaced > 0 {
            parts.push(format!(
                "{} citation(s) replaced by a neutral reference",
                loss.citations_replaced
            ));
        }
    }
    let version = c.version.map_or(String::new(), |v| format!(" v{v}"));
    let word = if c.send { "send" } else { "hold" };
    format!("  {word} {}{version}: {}", c.report, parts.join("; "))
}

/// The plan for people: a matrix when it is small, then each partner's reports with why.
fn print_plan(plan: &Plan, all: bool) {
    if plan.partners.is_empty() {
        say!("no partners: add one with `kartoteka partner add`");
        return;
    }
    if plan.reports.is_empty() {
        say!("no reports: build them with `kartoteka report build --all`");
        return;
    }
    let at = |p: usize, r: usize| &plan.cells[p * plan.reports.len() + r];
    if plan.reports.len() <= 60 && plan.partners.len() <= 12 {
        let width = plan
            .reports
            .iter()
            .map(|r| r.chars().count())
            .max()
            .unwrap_or(0);
        let mut head = format!("{:width$}", "");
        for p in &plan.partners {
            head.push_str(&format!("  {p:<10}"));
        }
        say!("{head}");
        for (r, id) in plan.reports.iter().enumerate() {
            let mut line = format!("{id:width$}");
            for p in 0..plan.partners.len() {
                let mark = if at(p, r).send { "send" } else { "-" };
                let w = plan.partners[p].chars().count().max(10);
                line.push_str(&format!("  {mark:<w$}"));
            }
            say!("{line}");
        }
        say!();
    }
    for (p, partner) in plan.partners.iter().enumerate() {
        let cells: Vec<&Cell> = (0..plan.reports.len()).map(|r| at(p, r)).collect();
        let sent = cells.iter().filter(|c| c.send).count();
        say!("{partner}: {sent} of {} reports", cells.len());
        let mut unrouted = 0;
        for c in &cells {
            let routed = !c
                .why
                .iter()
                .any(|w| matches!(w, kartoteka_release::Reason::NotRouted { .. }));
            if c.send || routed || all {
                say!("{}", cell_line(c));
            } else {
                unrouted += 1;
            }
        }
        if unrouted > 0 {
            say!("  ({unrouted} more not routed to {partner}: --all lists them)");
        }
    }
}

/// Report versions as "R-P3 v4, R-P8 v2"; a long list as its count and first few
/// (`release register --json` lists them all).
fn versions(reports: &[kartoteka_model::PackagedReport]) -> String {
    let shown: Vec<String> = reports
        .iter()
        .take(4)
        .map(|r| format!("{} v{}", r.id, r.version))
        .collect();
    if reports.len() > shown.len() {
        format!("{} reports ({}, …)", reports.len(), shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// A small file (a receipt), read whole; anything over 1 MB is not one.
fn read_small(path: &std::path::Path) -> Result<Vec<u8>, Failure> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if meta.len() > 1 << 20 {
        return Err(usage(format!(
            "{} is {} bytes: not a receipt",
            path.display(),
            meta.len()
        )));
    }
    Ok(std::fs::read(path).with_context(|| format!("reading {}", path.display()))?)
}

/// `release open`: the partner's side, with no archive.
pub(crate) fn open(command: ReleaseCommand) -> Result<u8, Failure> {
    let ReleaseCommand::Open {
        package,
        identity,
        archive_key,
        out,
        receipt,
        json,
    } = command
    else {
        return Err(usage("not `release open`"));
    };
    let keys = PartnerKeys::read(&identity).map_err(input_error)?;
    let archive_key = kartoteka_archive::check_verify_key(&archive_key).map_err(input_error)?;
    let opened = kartoteka_archive::open_package(&package, &keys, &archive_key, &out)
        .map_err(input_error)?;
    let receipt_path = receipt.unwrap_or_else(|| {
        let mut name = out.file_name().unwrap_or_default().to_os_string();
        name.push(".receipt.json");
        out.with_file_name(name)
    });
    let text = serde_json::to_string_pretty(&opened.receipt).context("writing the receipt")?;
    write_private(&receipt_path, &text)
        .with_context(|| format!("writing the receipt {}", receipt_path.display()))?;
    if json {
        output::print_json(&serde_json::json!({
            "package": opened.manifest.id,
            "partner": opened.manifest.partner,
            "kind": opened.manifest.kind,
            "reports": opened.manifest.reports,
            "bag": opened.bag,
            "receipt": receipt_path,
        }))?;
    } else {
        say!(
            "{} ({} for {}): signature and bag hold; {} written to {}",
            opened.manifest.id,
            opened.manifest.kind.as_str(),
            opened.manifest.partner,
            versions(&opened.manifest.reports),
            opened.bag.display()
        );
        say!(
            "receipt: {} (send it to the archive: kartoteka release receipt FILE)",
            receipt_path.display()
        );
    }
    Ok(EXIT_OK)
}

/// The `keys` commands.
pub(crate) fn keys(
    command: KeysCommand,
    archive: &dyn Fn() -> Result<Archive, Failure>,
) -> Result<u8, Failure> {
    match command {
        KeysCommand::Show { json } => {
            let key = archive()?.verify_key()?.ok_or_else(|| {
                usage("the archive has no signing key yet: it is made by the first command that writes")
            })?;
            if json {
                output::print_json(&serde_json::json!({ "verify_key": key }))?;
            } else {
                say!("{key}");
            }
        }
        KeysCommand::Generate { out, json } => {
            if out.exists() {
                return Err(usage(format!(
                    "{} exists; keys are never overwritten",
                    out.display()
                )));
            }
            let keys = PartnerKeys::generate()?;
            write_private(&out, &keys.to_text())
                .with_context(|| format!("writing {}", out.display()))?;
            if json {
                output::print_json(&serde_json::json!({
                    "recipient": keys.recipient(),
                    "verify_key": keys.verify_key(),
                }))?;
            } else {
                say!("recipient:  {}", keys.recipient());
                say!("verify key: {}", keys.verify_key());
                eprintln!(
                    "Keys written to {} (keep it secret). Give the archive the two lines above: \
                     kartoteka partner add ISO3 --recipient ... --verify-key ...",
                    out.display()
                );
            }
        }
    }
    Ok(EXIT_OK)
}
