//! A collection of reports laid out as files: each report in every format, and the
//! collection's index in Markdown and JSON. The layout is decided here, once, for every
//! face that writes or serves a collection; the face only stores the bytes.

use kartoteka_model::{CollectionIndex, Fate, Report, ReportFate};

use crate::PdfError;

/// What became of a report, in a line: "R-P2 v1 superseded by R-P1 (why)" or "R-P1-LIRA
/// v3 withdrawn (why)".
pub fn fate_line(f: &ReportFate) -> String {
    match f.fate {
        Fate::Superseded => format!(
            "{} v{} superseded by {} ({})",
            f.report,
            f.version,
            f.by.join(", "),
            f.reason
        ),
        Fate::Withdrawn => format!("{} v{} withdrawn ({})", f.report, f.version, f.reason),
    }
}

/// A report in every format, each file by its name: `ID.md`, `ID.html`, `ID.json`,
/// `ID.stix.json`, and `ID.pdf` when `pdf`. The same report gives the same paragraphs in
/// each.
pub fn report_files(r: &Report, pdf: bool) -> Result<Vec<(String, Vec<u8>)>, PdfError> {
    let id = &r.id;
    let mut files = vec![
        (format!("{id}.md"), crate::markdown(r).into_bytes()),
        (format!("{id}.html"), crate::html(r).into_bytes()),
        (
            format!("{id}.json"),
            crate::json(r).to_string().into_bytes(),
        ),
        (
            format!("{id}.stix.json"),
            crate::stix_bundle(r).to_string().into_bytes(),
        ),
    ];
    if pdf {
        files.push((format!("{id}.pdf"), crate::pdf(r)?));
    }
    Ok(files)
}

/// Hands each file of a collection to `write`, by its name inside the collection's
/// folder: `ID.md`, `ID.html`, `ID.json`, `ID.stix.json` (and `ID.pdf` when `pdf`) for
/// each report in the order given, then `index.md` (a line per report, the counts, and
/// the reports no longer current with what became of them) and `index.json` (the counts).
/// Files are made one at a time, so a large collection is never held whole in memory.
pub fn write_collection<E: From<PdfError>>(
    reports: &[&Report],
    index: &CollectionIndex,
    gone: &[ReportFate],
    pdf: bool,
    mut write: impl FnMut(&str, &[u8]) -> Result<(), E>,
) -> Result<(), E> {
    let mut listing = String::from("# Reports\n\n");
    for r in reports {
        let id = &r.id;
        for (name, bytes) in report_files(r, pdf)? {
            write(&name, &bytes)?;
        }
        listing.push_str(&format!(
            "* [{}]({id}.md) · {} · v{} · {} · {}\n",
            r.title,
            r.marking(),
            r.version,
            r.status,
            r.countries.join(", ")
        ));
    }
    listing.push_str(&format!(
        "\n{} reports on {} agents in {} countries.\n",
        index.reports, index.agents, index.countries
    ));
    if !gone.is_empty() {
        listing.push_str("\n## No longer current (this build)\n\n");
        for f in gone {
            listing.push_str(&format!("* {}\n", fate_line(f)));
        }
    }
    write("index.md", listing.as_bytes())?;
    // Counts under string keys: nothing in them can fail to serialise.
    let counts = serde_json::to_string_pretty(index).unwrap_or_default();
    write("index.json", counts.as_bytes())
}
