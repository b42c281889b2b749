//! The leak check: every byte of an edition, scanned for what must not be in it, by code
//! that shares nothing with the code that took it out.
//!
//! Redaction fails in known ways: a name left in an attribute, in alt text, in a file
//! name, in a compressed search index, or written with character references
//! (`&#1057;`), JSON escapes (`\u0421`) or percent-encoding (`%D0%A1`), or with a soft
//! hyphen in the middle. So every file is read as text after undoing all of those (and
//! zip and gzip are opened and read inside), folded (lower case, ё as е, invisible
//! characters dropped), and searched for every withheld string at once (Aho-Corasick).
//! A match must stand as a whole word: "Соколов" is not found inside "Соколовский".
//! Each finding names the file, the byte offset in it (inside the compressed entry when
//! it is in one) and the rule that withheld the string.

use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Serialize;

/// A string that must not appear, and the rule that withholds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Needle {
    /// The string, in any case.
    pub text: String,
    /// Why it is withheld ("private person P12", "classification banner").
    pub rule: String,
    /// Found only as written, capitals and all (markings: "SECRET" is one, "secret
    /// police" is not); otherwise in any case.
    #[serde(default)]
    pub exact_case: bool,
}

/// A withheld string found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The file, relative to the folder checked.
    pub file: PathBuf,
    /// Inside a zip or gzip in that file: which entry ("index.json" or "gzip").
    pub inner: Option<String>,
    /// The byte offset of the match in the file (or in the entry, decompressed).
    pub offset: u64,
    /// What was found, as written there.
    pub found: String,
    /// The string it matched, as withheld.
    pub withheld: String,
    /// The rule that withheld it.
    pub rule: String,
}

/// What a check of a folder found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LeakReport {
    /// Files read.
    pub files: u64,
    /// Bytes read (compressed entries counted as unpacked).
    pub bytes: u64,
    /// What was found, file by file.
    pub findings: Vec<Finding>,
}

impl LeakReport {
    /// Whether nothing withheld was found.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Why a check could not be made.
#[derive(Debug, thiserror::Error)]
pub enum LeakError {
    /// Nothing to look for.
    #[error("no withheld strings to look for")]
    NoNeedles,
    /// A withheld string folds to nothing (only spaces or invisible characters).
    #[error("withheld string {0:?} is empty once folded")]
    EmptyNeedle(String),
    /// The matcher could not be built.
    #[error("the withheld strings do not make a matcher: {0}")]
    Matcher(String),
    /// A file could not be read.
    #[error("{path}: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// The largest entry unpacked from a zip or gzip, in bytes: more is itself a finding.
const LARGEST_ENTRY: u64 = 1 << 30;
/// How deep archives inside archives are opened.
const DEEPEST: usize = 3;

/// The check, built once for a set of withheld strings.
pub struct LeakCheck {
    needles: Vec<Needle>,
    folded: Vec<String>,
    matcher: AhoCorasick,
}

/// A character as the check compares it: lower case, ё as е; `None` for characters that
/// hide a word's letters (soft hyphen, zero-width spaces and joiners, byte-order marks).
fn fold_char(c: char, out: &mut String) {
    match c {
        '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' => {}
        'ё' | 'Ё' => out.push('е'),
        c => out.extend(c.to_lowercase()),
    }
}

/// Text folded as the check compares it.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut out);
    }
    // Runs of white space are one space: a name broken across lines is still found.
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl LeakCheck {
    /// A check for `needles` (each folded as the text will be).
    pub fn new(needles: Vec<Needle>) -> Result<LeakCheck, LeakError> {
        if needles.is_empty() {
            return Err(LeakError::NoNeedles);
        }
        let mut folded = Vec::with_capacity(needles.len());
        for n in &needles {
            let f = fold(&n.text);
            if f.is_empty() {
                return Err(LeakError::EmptyNeedle(n.text.clone()));
            }
            folded.push(f);
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&folded)
            .map_err(|e| LeakError::Matcher(e.to_string()))?;
        Ok(LeakCheck {
            needles,
            folded,
            matcher,
        })
    }

    /// Checks every file under `dir`, and every file's name.
    pub fn check_dir(&self, dir: &Path) -> Result<LeakReport, LeakError> {
        let mut report = LeakReport::default();
        let read_error = |path: &Path, message: String| LeakError::Read {
            path: path.to_path_buf(),
            message,
        };
        let mut paths: Vec<PathBuf> = Vec::new();
        for entry in walkdir::WalkDir::new(dir).follow_links(false) {
            let entry = entry.map_err(|e| read_error(dir, e.to_string()))?;
            if entry.file_type().is_file() || entry.file_type().is_symlink() {
                paths.push(entry.into_path());
            }
        }
        paths.sort();
        // Files on every core, in chunks of the sorted list: the findings keep the order
        // of the files whatever the number of threads.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = paths.len().div_ceil(threads).max(1);
        let parts: Vec<Result<LeakReport, LeakError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = paths
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        let mut report = LeakReport::default();
                        for path in part {
                            self.check_file(dir, path, &mut report)?;
                        }
                        Ok(report)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(LeakError::Read {
                            path: dir.to_path_buf(),
                            message: "a checking thread failed".into(),
                        })
                    })
                })
                .collect()
        });
        for part in parts {
            let part = part?;
            report.files += part.files;
            report.bytes += part.bytes;
            report.findings.extend(part.findings);
        }
        Ok(report)
    }

    /// One file of the folder: its name, its link target or its bytes.
    fn check_file(
        &self,
        dir: &Path,
        path: &Path,
        report: &mut LeakReport,
    ) -> Result<(), LeakError> {
        let read_error = |message: String| LeakError::Read {
            path: path.to_path_buf(),
            message,
        };
        let rel = path.strip_prefix(dir).unwrap_or(path).to_path_buf();
        // The name itself: a withheld name in a file name is a leak too.
        let name = rel.to_string_lossy().into_owned();
        for mut f in self.scan_text(&name) {
            f.file = rel.clone();
            f.inner = Some("file name".into());
            report.findings.push(f);
        }
        let meta = std::fs::symlink_metadata(path).map_err(|e| read_error(e.to_string()))?;
        if meta.file_type().is_symlink() {
            // A link is read as what it says, never followed out of the edition.
            let target = std::fs::read_link(path).map_err(|e| read_error(e.to_string()))?;
            for mut f in self.scan_text(&target.to_string_lossy()) {
                f.file = rel.clone();
                f.inner = Some("link target".into());
                report.findings.push(f);
            }
            return Ok(());
        }
        let bytes = std::fs::read(path).map_err(|e| read_error(e.to_string()))?;
        report.files += 1;
        report.bytes += bytes.len() as u64;
        let mut found = Vec::new();
        self.scan_bytes(&bytes, None, 0, &mut found, &mut report.bytes);
        for mut f in found {
            f.file = rel.clone();
            report.findings.push(f);
        }
        Ok(())
    }

    /// Findings in one file's bytes (the file left empty for the caller to fill).
    pub fn check_bytes(&self, bytes: &[u8]) -> Vec<Finding> {
        let mut found = Vec::new();
        let mut unpacked = 0;
        self.scan_bytes(bytes, None, 0, &mut found, &mut unpacked);
        found
    }

    fn scan_bytes(
        &self,
        bytes: &[u8],
        inner: Option<&str>,
        depth: usize,
        found: &mut Vec<Finding>,
        unpacked: &mut u64,
    ) {
        if depth < DEEPEST && bytes.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            let reader = flate2::read::MultiGzDecoder::new(bytes);
            match std::io::Read::read_to_end(
                &mut std::io::Read::take(reader, LARGEST_ENTRY + 1),
                &mut out,
            ) {
                Ok(_) if out.len() as u64 <= LARGEST_ENTRY => {
                    *unpacked += out.len() as u64;
                    let label = join(inner, "gzip");
                    self.scan_bytes(&out, Some(&label), depth + 1, found, unpacked);
                    return;
                }
                _ => found.push(self.unreadable(inner, "gzip that does not unpack")),
            }
            return;
        }
        if depth < DEEPEST && bytes.starts_with(b"PK\x03\x04") {
            match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
                Ok(mut zip) => {
                    for i in 0..zip.len() {
                        let Ok(mut entry) = zip.by_index(i) else {
                            found.push(self.unreadable(inner, "zip entry that does not read"));
                            continue;
                        };
                        let name = entry
                            .name()
                            .map(|n| n.into_owned())
                            .unwrap_or_else(|_| format!("entry {i}"));
                        let label = join(inner, &name);
                        for mut f in self.scan_text(&name) {
                            f.inner = Some(format!("{label} (its name)"));
                            found.push(f);
                        }
                        let mut out = Vec::new();
                        let read = std::io::Read::read_to_end(
                            &mut std::io::Read::take(&mut entry, LARGEST_ENTRY + 1),
                            &mut out,
                        );
                        if read.is_err() || out.len() as u64 > LARGEST_ENTRY {
                            found.push(
                                self.unreadable(Some(&label), "zip entry that does not unpack"),
                            );
                            continue;
                        }
                        *unpacked += out.len() as u64;
                        self.scan_bytes(&out, Some(&label), depth + 1, found, unpacked);
                    }
                    return;
                }
                Err(_) => found.push(self.unreadable(inner, "zip that does not read")),
            }
        }
        let text = decode_bytes(bytes);
        let (view, offsets) = decoded_view(&text.0, &text.1);
        let matches = self.matches(&view);
        if matches.is_empty() {
            return;
        }
        let starts: Vec<usize> = text.0.char_indices().map(|(i, _)| i).collect();
        for (start, end, index) in matches {
            let seen = original(
                &text.0,
                &text.1,
                &starts,
                offsets[start],
                end_offset(&offsets, end),
            );
            if !self.as_written(index, &seen) {
                continue;
            }
            found.push(Finding {
                file: PathBuf::new(),
                inner: inner.map(str::to_string),
                offset: offsets[start] as u64,
                found: seen,
                withheld: self.needles[index].text.clone(),
                rule: self.needles[index].rule.clone(),
            });
        }
    }

    /// Whether what was seen counts for the needle: any case, or, for an exact-case
    /// needle, no letter in lower case where the needle has capitals.
    fn as_written(&self, index: usize, seen: &str) -> bool {
        let needle = &self.needles[index];
        !needle.exact_case || !seen.chars().any(char::is_lowercase)
    }

    /// A compressed part that cannot be opened: it cannot be shown clean, so it is a
    /// finding of its own.
    fn unreadable(&self, inner: Option<&str>, what: &str) -> Finding {
        Finding {
            file: PathBuf::new(),
            inner: inner.map(str::to_string),
            offset: 0,
            found: String::new(),
            withheld: String::new(),
            rule: format!("a {what}: it cannot be checked"),
        }
    }

    /// Findings in a short text (a file name), offsets into it.
    fn scan_text(&self, text: &str) -> Vec<Finding> {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let (view, offsets) =
            decoded_view(text, &chars.iter().map(|(i, _)| *i).collect::<Vec<_>>());
        self.matches(&view)
            .into_iter()
            .map(|(start, end, index)| {
                let seen = text
                    .get(offsets[start]..end_offset(&offsets, end).min(text.len()))
                    .unwrap_or_default()
                    .to_string();
                (index, offsets[start], seen)
            })
            .filter(|(index, _, seen)| self.as_written(*index, seen))
            .map(|(index, at, seen)| Finding {
                file: PathBuf::new(),
                inner: None,
                offset: at as u64,
                found: seen,
                withheld: self.needles[index].text.clone(),
                rule: self.needles[index].rule.clone(),
            })
            .collect()
    }

    /// Whole-word matches in a folded view: (start, end, needle).
    fn matches(&self, view: &str) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        for m in self.matcher.find_overlapping_iter(view) {
            let (s, e) = (m.start(), m.end());
            let before = view[..s].chars().next_back();
            let after = view[e..].chars().next();
            let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
            let needle = &self.folded[m.pattern().as_usize()];
            let starts_word = needle.chars().next().is_some_and(char::is_alphanumeric);
            let ends_word = needle
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
            if (starts_word && word(before)) || (ends_word && word(after)) {
                continue;
            }
            out.push((s, e, m.pattern().as_usize()));
        }
        out
    }
}

fn join(outer: Option<&str>, inner: &str) -> String {
    match outer {
        Some(o) => format!("{o} / {inner}"),
        None => inner.to_string(),
    }
}

/// Bytes as text: UTF-16 by its byte-order mark, else UTF-8 with invalid bytes as
/// U+FFFD. With each character's byte offset in `bytes`.
fn decode_bytes(bytes: &[u8]) -> (String, Vec<usize>) {
    let utf16 = |le: bool| -> (String, Vec<usize>) {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        let mut text = String::new();
        let mut offsets = Vec::new();
        let mut at = 2;
        for c in char::decode_utf16(units.iter().copied()) {
            let c = c.unwrap_or('\u{fffd}');
            offsets.push(at);
            at += c.len_utf16() * 2;
            text.push(c);
        }
        (text, offsets)
    };
    if bytes.starts_with(&[0xff, 0xfe]) {
        return utf16(true);
    }
    if bytes.starts_with(&[0xfe, 0xff]) {
        return utf16(false);
    }
    let mut offsets = Vec::with_capacity(bytes.len());
    // Map each character of the lossy text back to its byte in the input.
    let mut at = 0;
    let mut rest = bytes;
    let mut out = String::with_capacity(bytes.len());
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                for (i, c) in s.char_indices() {
                    offsets.push(at + i);
                    out.push(c);
                }
                break;
            }
            Err(e) => {
                let good = e.valid_up_to();
                let s = std::str::from_utf8(&rest[..good]).unwrap_or_default();
                for (i, c) in s.char_indices() {
                    offsets.push(at + i);
                    out.push(c);
                }
                let bad = e.error_len().unwrap_or(rest.len() - good).max(1);
                offsets.push(at + good);
                out.push('\u{fffd}');
                at += good + bad;
                rest = &rest[(good + bad).min(rest.len())..];
            }
        }
    }
    (out, offsets)
}

/// The text with character references, JSON escapes and percent-encoding undone and
/// folded, with, for each byte of the view, the byte offset in the file of the character
/// it came from. `offsets[i]` is the file offset of `text`'s i-th character.
fn decoded_view(text: &str, offsets: &[usize]) -> (String, Vec<usize>) {
    let mut view = String::with_capacity(text.len());
    let mut map: Vec<usize> = Vec::with_capacity(text.len());
    let mut last_space = true;
    let mut folded = String::with_capacity(8);
    let mut push = |c: char, at: usize, view: &mut String, map: &mut Vec<usize>| {
        // Plain ASCII, most of most pages, goes straight in.
        if c.is_ascii() && !c.is_ascii_whitespace() {
            last_space = false;
            view.push(c.to_ascii_lowercase());
            map.push(at);
            return;
        }
        // Russian letters, most of the rest: lower case is a fixed step, ё is е.
        let cyrillic = match c {
            'а'..='я' => Some(c),
            'А'..='Я' => char::from_u32(c as u32 + 0x20),
            'ё' | 'Ё' => Some('е'),
            _ => None,
        };
        if let Some(f) = cyrillic {
            last_space = false;
            view.push(f);
            map.push(at);
            map.push(at);
            return;
        }
        folded.clear();
        fold_char(c, &mut folded);
        for f in folded.chars() {
            if f.is_whitespace() {
                if last_space {
                    continue;
                }
                last_space = true;
                view.push(' ');
                map.push(at);
                continue;
            }
            last_space = false;
            let mut buf = [0u8; 4];
            for _ in f.encode_utf8(&mut buf).bytes() {
                map.push(at);
            }
            view.push(f);
        }
    };
    // `i` counts characters (for `offsets`), `b` is the byte in `text`; escapes are
    // ASCII, so a run of them is as many bytes as characters.
    let mut i = 0;
    let mut b = 0;
    while let Some(c) = text[b..].chars().next() {
        let at = offsets.get(i).copied().unwrap_or(0);
        if c != '&' && c != '\\' && c != '%' {
            push(c, at, &mut view, &mut map);
            i += 1;
            b += c.len_utf8();
            continue;
        }
        if let Some((c, used)) = escape_at(&text[b..]) {
            push(c, at, &mut view, &mut map);
            i += used;
            b += used;
            continue;
        }
        if let Some((decoded, used)) = percent_at(&text[b..]) {
            for c in decoded.chars() {
                push(c, at, &mut view, &mut map);
            }
            i += used;
            b += used;
            continue;
        }
        push(c, at, &mut view, &mut map);
        i += 1;
        b += 1;
    }
    map.push(offsets.last().map_or(0, |o| o + 1));
    (view, map)
}

/// A character reference (`&#1057;`, `&#x421;`, `&amp;` and a few named ones) or a
/// JSON / JavaScript escape (`\u0421`, with surrogate pairs) at `i`: the character and
/// how many characters it took.
fn escape_at(text: &str) -> Option<(char, usize)> {
    let bytes = text.as_bytes();
    let hex4 = |from: usize| -> Option<u32> {
        let h = text.get(from..from + 4)?;
        h.bytes()
            .all(|b| b.is_ascii_hexdigit())
            .then(|| u32::from_str_radix(h, 16).ok())?
    };
    match bytes.first()? {
        b'&' => {
            let end = (1..bytes.len().min(12)).find(|&j| bytes[j] == b';')?;
            let body = text.get(1..end)?;
            let c = if let Some(hex) = body.strip_prefix("#x").or_else(|| body.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)?
            } else if let Some(dec) = body.strip_prefix('#') {
                dec.parse::<u32>().ok().and_then(char::from_u32)?
            } else {
                match body {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    "nbsp" => ' ',
                    "shy" => '\u{ad}',
                    _ => return None,
                }
            };
            Some((c, end + 1))
        }
        b'\\' if bytes.get(1) == Some(&b'u') => {
            let unit = hex4(2)?;
            if (0xd800..0xdc00).contains(&unit)
                && bytes.get(6) == Some(&b'\\')
                && bytes.get(7) == Some(&b'u')
            {
                let low = hex4(8)?;
                let c = char::decode_utf16([unit as u16, low as u16]).next()?.ok()?;
                return Some((c, 12));
            }
            Some((char::from_u32(unit)?, 6))
        }
        _ => None,
    }
}

/// A run of percent-encoded bytes at `i` that decodes as UTF-8: the text and how many
/// characters it took.
fn percent_at(text: &str) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::new();
    let mut j = 0;
    while j + 2 < bytes.len() && bytes[j] == b'%' {
        let Some(b) = text
            .get(j + 1..j + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
        else {
            break;
        };
        decoded.push(b);
        j += 3;
    }
    if decoded.is_empty() {
        return None;
    }
    let text = String::from_utf8(decoded).ok()?;
    Some((text, j))
}

/// The file offset where a match ending at view byte `end` stops.
fn end_offset(map: &[usize], end: usize) -> usize {
    map.get(end)
        .copied()
        .unwrap_or_else(|| map.last().copied().unwrap_or(0))
}

/// What the file says between two of its byte offsets, as text (for the finding), at
/// most 200 characters: the characters whose offsets fall in the range, found by binary
/// search (`offsets` rise with the text; `starts` is each character's byte in `text`).
fn original(text: &str, offsets: &[usize], starts: &[usize], from: usize, to: usize) -> String {
    let first = offsets.partition_point(|&o| o < from);
    let last = offsets.partition_point(|&o| o < to.max(from + 1));
    let begin = starts.get(first).copied().unwrap_or(text.len());
    let end = starts.get(last).copied().unwrap_or(text.len());
    text.get(begin..end)
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}

/// The words a classified document is marked with, which nothing public carries: the
/// levels above UNCLASSIFIED and the dissemination controls, in capitals as markings
/// write them (Russian ones too), and portion marks.
pub fn marking_needles() -> Vec<Needle> {
    [
        "TOP SECRET",
        "SECRET",
        "CONFIDENTIAL",
        "RESTRICTED",
        "NOFORN",
        "ORCON",
        "REL TO",
        "(TS)",
        "(S)",
        "(C)",
        "(R)",
        "(TS//",
        "(S//",
        "(C//",
        "(R//",
        "СЕКРЕТНО",
        "СОВ. СЕКРЕТНО",
        "ОСОБОЙ ВАЖНОСТИ",
    ]
    .into_iter()
    .map(|t| Needle {
        text: t.to_string(),
        rule: "classification marking".to_string(),
        exact_case: true,
    })
    .collect()
}
