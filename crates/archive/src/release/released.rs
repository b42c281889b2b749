//! What a partner was sent, as it was sent: the report variants kept from its packages,
//! read back file by file and searched paragraph by paragraph. A partner's liaison reads
//! and searches these and nothing else. Every answer here is worked out from the one
//! partner's packages only, so what another partner holds can change neither an answer
//! nor the work done to reach it.

use std::collections::HashSet;

use kartoteka_model::{ContentHash, KeptFile, Package, PackageKind, Report};
use kartoteka_text::{escape_html, fold, lemma, translit_keys, words};
use serde::Serialize;

use super::package::failed;
use super::Release;
use crate::ArchiveError;

/// The most characters of a paragraph a search hit shows.
const SNIPPET_CHARS: usize = 240;

/// A paragraph of a released variant that matches a search.
#[derive(Clone, Debug, Serialize)]
pub struct ReleasedHit {
    /// The package that carried the variant.
    pub package: String,
    /// The report.
    pub report: String,
    /// Its version.
    pub version: u32,
    /// The report's title, as packaged.
    pub title: String,
    /// The paragraph, counted from 1 in the variant (not in the report: the variant may
    /// have fewer).
    pub paragraph: usize,
    /// The paragraph's portion mark, as packaged ("(C//REL TO GBR)").
    pub mark: String,
    /// The matching stretch of the paragraph, HTML-escaped, matches wrapped in `<b>`.
    pub snippet: String,
    /// Whether a later recall notice withdrew this version.
    pub recalled: bool,
}

/// A search's answer over what was released to one partner.
#[derive(Clone, Debug, Serialize)]
pub struct ReleasedSearch {
    /// Paragraphs matching in all.
    pub total: usize,
    /// The hits asked for: newest package first, then in the variant's order.
    pub hits: Vec<ReleasedHit>,
}

impl Release<'_> {
    /// The packages of `partner`, or of every partner when `None` (a release officer's
    /// view). Whether such a partner exists is not asked.
    fn packages_seen_by(&self, partner: Option<&str>) -> Result<Vec<Package>, ArchiveError> {
        match partner {
            Some(p) => self.packages_for(p),
            None => Ok(self.archive.store().packages()?),
        }
    }

    /// A file of a report variant as it went into a package: found among the packages of
    /// `partner` (of every partner when `None`), its bytes read back from the blob store
    /// and checked against the hash the register keeps. `None` when that partner was sent
    /// no such package, report or file; the same answer whether or not the package exists
    /// for another partner.
    pub fn kept_file(
        &self,
        partner: Option<&str>,
        package: &str,
        report: &str,
        name: &str,
    ) -> Result<Option<(KeptFile, Vec<u8>)>, ArchiveError> {
        let packages = self.packages_seen_by(partner)?;
        let Some(file) = packages
            .iter()
            .find(|p| p.id == package)
            .and_then(|p| p.variants.iter().find(|v| v.report == report))
            .and_then(|v| v.file(name))
        else {
            return Ok(None);
        };
        Ok(Some((file.clone(), self.read_kept(package, file)?)))
    }

    /// A kept file's bytes, checked against its hash.
    fn read_kept(&self, package: &str, file: &KeptFile) -> Result<Vec<u8>, ArchiveError> {
        let hash = ContentHash::from_hex(&file.sha256)
            .map_err(|e| failed(format!("package {package}, {}: {e}", file.name)))?;
        let bytes = self
            .archive
            .blobs()
            .get(&hash)
            .map_err(|e| failed(format!("package {package}, {}: {e}", file.name)))?;
        if kartoteka_store::hash_bytes(&bytes) != hash {
            return Err(failed(format!(
                "package {package}, {}: the kept file no longer matches its hash",
                file.name
            )));
        }
        Ok(bytes)
    }

    /// A report variant as packaged, read from its kept JSON file: the report exactly as
    /// the partner has it. `None` as for [`Release::kept_file`].
    pub fn kept_report(
        &self,
        partner: Option<&str>,
        package: &str,
        report: &str,
    ) -> Result<Option<Report>, ArchiveError> {
        let name = format!("{report}.json");
        let Some((_, bytes)) = self.kept_file(partner, package, report, &name)? else {
            return Ok(None);
        };
        parse_variant(package, &name, &bytes).map(Some)
    }

    /// Searches the paragraphs of every variant released to `partner`: a paragraph
    /// matches when it has every word of `query`, each compared as the index compares
    /// words (case, ё and Latin accents folded, Russian and English endings taken off).
    /// `limit` hits from `offset` on, and how many there are in all.
    pub fn search_released(
        &self,
        partner: &str,
        query: &str,
        limit: usize,
        offset: usize,
    ) -> Result<ReleasedSearch, ArchiveError> {
        let terms = terms_of(query);
        if terms.is_empty() {
            return Err(ArchiveError::BadTarget(
                query.to_string(),
                "say what to search for: one word or more".into(),
            ));
        }
        let packages = self.packages_for(partner)?;
        let recalled: HashSet<(&str, u32)> = packages
            .iter()
            .filter(|p| p.kind == PackageKind::Recall)
            .flat_map(|p| p.reports.iter().map(|r| (r.id.as_str(), r.version)))
            .collect();
        let mut total = 0;
        let mut hits = Vec::new();
        for package in packages.iter().rev() {
            for variant in &package.variants {
                let Some(file) = variant.json() else { continue };
                let bytes = self.read_kept(&package.id, file)?;
                let report = parse_variant(&package.id, &file.name, &bytes)?;
                for (i, p) in report.paragraphs.iter().enumerate() {
                    let Some(snippet) = matched(&p.text, &terms) else {
                        continue;
                    };
                    total += 1;
                    if total <= offset || hits.len() >= limit {
                        continue;
                    }
                    hits.push(ReleasedHit {
                        package: package.id.clone(),
                        report: report.id.clone(),
                        version: report.version,
                        title: report.title.clone(),
                        paragraph: i + 1,
                        mark: kartoteka_report::portion_mark(p.effective_marking()),
                        snippet,
                        recalled: recalled.contains(&(variant.report.as_str(), variant.version)),
                    });
                }
            }
        }
        Ok(ReleasedSearch { total, hits })
    }
}

/// A kept variant's JSON as a report.
fn parse_variant(package: &str, name: &str, bytes: &[u8]) -> Result<Report, ArchiveError> {
    serde_json::from_slice(bytes).map_err(|e| {
        failed(format!(
            "package {package}, {name}: not a report as packaged: {e}"
        ))
    })
}

/// A word of a query: its lemma, and its transliteration keys, so that "Sokolova" finds
/// "Соколова" as the index finds it.
struct Term {
    lemma: String,
    keys: Vec<String>,
}

/// Words this short are matched by their lemma only: their transliteration keys are too
/// common to mean the same word.
const SHORTEST_TRANSLITERATED: usize = 4;

/// The terms of a query, each word once.
fn terms_of(query: &str) -> Vec<Term> {
    let mut terms: Vec<Term> = Vec::new();
    for w in words(query) {
        let lemma = lemma(&fold(w.text)).into_owned();
        if terms.iter().any(|t| t.lemma == lemma) {
            continue;
        }
        let keys = if w.text.chars().count() >= SHORTEST_TRANSLITERATED {
            translit_keys(w.text)
        } else {
            Vec::new()
        };
        terms.push(Term { lemma, keys });
    }
    terms
}

/// The snippet of `text` with every word that matches one of `terms` in `<b>`, when the
/// text has them all; `None` when it lacks one.
fn matched(text: &str, terms: &[Term]) -> Option<String> {
    let mut found = vec![false; terms.len()];
    let mut spans = Vec::new();
    for w in words(text) {
        let folded = fold(w.text);
        let l = lemma(&folded);
        let mut keys: Option<Vec<String>> = None;
        let mut hit = false;
        for (i, t) in terms.iter().enumerate() {
            let same = t.lemma == l || {
                !t.keys.is_empty()
                    && w.text.chars().count() >= SHORTEST_TRANSLITERATED
                    && keys
                        .get_or_insert_with(|| translit_keys(w.text))
                        .iter()
                        .any(|k| t.keys.contains(k))
            };
            if same {
                found[i] = true;
                hit = true;
            }
        }
        if hit {
            spans.push((w.start, w.end));
        }
    }
    if found.contains(&false) {
        return None;
    }
    // A window of the paragraph that starts a little before the first match.
    let first = spans.first().map_or(0, |s| s.0);
    let mut start = text[..first]
        .char_indices()
        .rev()
        .nth(SNIPPET_CHARS / 4)
        .map_or(0, |(i, _)| i);
    // Begin at a word, not inside one.
    if start > 0 {
        start = words(&text[start..])
            .next()
            .map_or(start, |w| start + w.start);
    }
    let end = text[start..]
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(text.len(), |(i, _)| start + i);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut at = start;
    for &(s, e) in spans.iter().filter(|(s, e)| *s >= start && *e <= end) {
        out.push_str(&escape_html(&text[at..s]));
        out.push_str("<b>");
        out.push_str(&escape_html(&text[s..e]));
        out.push_str("</b>");
        at = e;
    }
    out.push_str(&escape_html(&text[at..end]));
    if end < text.len() {
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &str) -> Vec<Term> {
        terms_of(q)
    }

    #[test]
    fn a_paragraph_matches_only_with_every_word_in_any_case_and_ending() {
        let text = "Агент КЛИМ встретился с Соколовым в Берлине.";
        let hit = matched(text, &terms("клим соколов")).expect("both words are there");
        assert!(hit.contains("<b>КЛИМ</b>"), "{hit}");
        assert!(hit.contains("<b>Соколовым</b>"), "{hit}");
        assert!(matched(text, &terms("клим вена")).is_none());
        // A name in Latin letters finds it in Cyrillic, as the index would.
        let hit = matched(text, &terms("Sokolov")).expect("transliterated");
        assert!(hit.contains("<b>Соколовым</b>"), "{hit}");
        assert!(matched(text, &terms("Sokolnikov")).is_none());
    }

    #[test]
    fn a_snippet_escapes_the_text_and_keeps_to_its_window() {
        let text = format!(
            "{} <script> KLIM met him {}",
            "a ".repeat(300),
            "b ".repeat(300)
        );
        let hit = matched(&text, &terms("klim")).unwrap();
        assert!(
            hit.contains("&lt;script&gt;") && !hit.contains("<script>"),
            "{hit}"
        );
        assert!(hit.starts_with('…') && hit.ends_with('…'), "{hit}");
        assert!(hit.chars().count() < SNIPPET_CHARS + 20, "{hit}");
    }

    proptest::proptest! {
        #[test]
        fn a_snippet_never_panics_and_marks_a_match_when_it_finds_one(
            text in "\\PC{0,400}",
            q in "[a-zа-яё]{1,8}",
        ) {
            if let Some(s) = matched(&text, &terms(&q)) {
                proptest::prop_assert!(s.contains("<b>"));
            }
        }
    }
}
