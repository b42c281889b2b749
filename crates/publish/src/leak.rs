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
//!
//! A file is read a block at a time (about a mebibyte, [`LeakCheck::block_size`]), so
//! that checking an edition of a million documents, whose data files run to gigabytes,
//! takes the memory of a block and not of the largest file. A block ends just after a
//! white-space byte, where no character, character reference, escape or percent-encoded
//! run can be cut in two, so the blocks decode to exactly what the whole file would; and
//! the end of each block's folded text is carried into the next, so a name across two
//! blocks is found once. What is compressed, and text in UTF-16, is read whole (the
//! former up to [`LARGEST_ENTRY`] unpacked).

use std::io::Read;
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
pub const LARGEST_ENTRY: u64 = 1 << 30;
/// How deep archives inside archives are opened.
const DEEPEST: usize = 3;
/// How many bytes of a file are decoded at once, unless told otherwise.
const BLOCK: usize = 1 << 20;

/// The check, built once for a set of withheld strings.
pub struct LeakCheck {
    needles: Vec<Needle>,
    folded: Vec<String>,
    matcher: AhoCorasick,
    /// The longest folded needle, in bytes: how much of a block's end is carried over.
    longest: usize,
    /// Bytes decoded at once.
    block: usize,
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
        let longest = folded.iter().map(String::len).max().unwrap_or(0);
        Ok(LeakCheck {
            needles,
            folded,
            matcher,
            longest,
            block: BLOCK,
        })
    }

    /// The same check reading `bytes` of a file at a time (at least 16; a block with no
    /// white space in it grows until one comes). What it finds never depends on this:
    /// only its memory does.
    pub fn block_size(mut self, bytes: usize) -> LeakCheck {
        self.block = bytes.max(16);
        self
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
        let mut file = std::fs::File::open(path).map_err(|e| read_error(e.to_string()))?;
        let mut first = Vec::new();
        (&mut file)
            .take(self.block as u64)
            .read_to_end(&mut first)
            .map_err(|e| read_error(e.to_string()))?;
        report.files += 1;
        let mut found = Vec::new();
        if is_packed_or_utf16(&first) {
            // Read whole: a compressed stream or UTF-16 is not cut at white space.
            file.read_to_end(&mut first)
                .map_err(|e| read_error(e.to_string()))?;
            report.bytes += first.len() as u64;
            self.scan_bytes(&first, None, 0, &mut found, &mut report.bytes);
        } else {
            report.bytes += self
                .scan_plain(file, first, None, &mut found)
                .map_err(|e| read_error(e.to_string()))?;
        }
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
        if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
            let (text, offsets) = decode_utf16(bytes);
            let mut scan = Scan::new(self, inner, found);
            scan.block(text, offsets, bytes.len());
            return;
        }
        // Reading from memory does not fail.
        let _ = self.scan_plain(bytes, Vec::new(), inner, found);
    }

    /// Scans UTF-8 text from `read`, of which `first` was already read, block by block
    /// (see the module's doc); returns how many bytes it read.
    fn scan_plain(
        &self,
        mut read: impl Read,
        mut buf: Vec<u8>,
        inner: Option<&str>,
        found: &mut Vec<Finding>,
    ) -> std::io::Result<u64> {
        let mut scan = Scan::new(self, inner, found);
        // The file offset of `buf[0]`.
        let mut at = 0;
        let mut want = self.block;
        let mut eof = false;
        loop {
            if !eof && buf.len() < want {
                let need = want - buf.len();
                let got = (&mut read).take(need as u64).read_to_end(&mut buf)?;
                eof = got < need;
                continue;
            }
            let cut = match buf.iter().rposition(u8::is_ascii_whitespace) {
                _ if eof => buf.len(),
                Some(p) => p + 1,
                None => {
                    want = buf.len() + self.block;
                    continue;
                }
            };
            let (text, offsets) = decode_utf8(&buf[..cut], at);
            scan.block(text, offsets, at + cut);
            buf.drain(..cut);
            at += cut;
            want = self.block;
            if eof {
                return Ok(at as u64);
            }
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
        let offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        let mut found = Vec::new();
        Scan::new(self, None, &mut found).block(text.to_string(), offsets, text.len());
        found
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

/// Whether a file must be read whole: gzip, zip, or UTF-16 by its byte-order mark.
fn is_packed_or_utf16(first: &[u8]) -> bool {
    first.starts_with(&[0x1f, 0x8b])
        || first.starts_with(b"PK\x03\x04")
        || first.starts_with(&[0xff, 0xfe])
        || first.starts_with(&[0xfe, 0xff])
}

/// UTF-16 bytes (after their byte-order mark) as text, with each character's byte
/// offset in `bytes`.
fn decode_utf16(bytes: &[u8]) -> (String, Vec<usize>) {
    let le = bytes.starts_with(&[0xff, 0xfe]);
    let units = bytes[2..].chunks_exact(2).map(|c| {
        if le {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    let mut text = String::new();
    let mut offsets = Vec::new();
    let mut at = 2;
    for c in char::decode_utf16(units) {
        let c = c.unwrap_or('\u{fffd}');
        offsets.push(at);
        at += c.len_utf16() * 2;
        text.push(c);
    }
    (text, offsets)
}

/// Bytes as UTF-8 text, invalid bytes as U+FFFD, with each character's offset in the
/// file (`bytes` begin at offset `base`).
fn decode_utf8(bytes: &[u8], base: usize) -> (String, Vec<usize>) {
    let mut offsets = Vec::with_capacity(bytes.len());
    let mut at = base;
    let mut rest = bytes;
    let mut out = String::with_capacity(bytes.len());
    while !rest.is_empty() {
        let (good, bad) = match std::str::from_utf8(rest) {
            Ok(_) => (rest.len(), 0),
            Err(e) => (
                e.valid_up_to(),
                e.error_len().unwrap_or(rest.len() - e.valid_up_to()).max(1),
            ),
        };
        let s = std::str::from_utf8(&rest[..good]).unwrap_or_default();
        for (i, c) in s.char_indices() {
            offsets.push(at + i);
            out.push(c);
        }
        if bad > 0 {
            offsets.push(at + good);
            out.push('\u{fffd}');
        }
        at += good + bad;
        rest = &rest[(good + bad).min(rest.len())..];
    }
    (out, offsets)
}

/// One text scanned block by block: the folded view of the blocks so far, of which only
/// the end is kept (enough for the longest needle and the character before it), each of
/// its bytes with the file offset it came from; and the blocks that end is drawn from,
/// for quoting a finding as written (one or two, unless white space runs longer than a
/// block).
struct Scan<'a> {
    check: &'a LeakCheck,
    inner: Option<&'a str>,
    found: &'a mut Vec<Finding>,
    view: String,
    map: Vec<usize>,
    last_space: bool,
    /// Blocks as decoded: text, each character's offset, the offset where it ends.
    blocks: std::collections::VecDeque<(String, Vec<usize>, usize)>,
}

impl<'a> Scan<'a> {
    fn new(check: &'a LeakCheck, inner: Option<&'a str>, found: &'a mut Vec<Finding>) -> Self {
        Scan {
            check,
            inner,
            found,
            view: String::new(),
            map: Vec::new(),
            last_space: true,
            blocks: std::collections::VecDeque::new(),
        }
    }

    /// The next block: its text, each character's offset in the file, and the offset
    /// where it ends. Reports the matches that end in it.
    fn block(&mut self, text: String, offsets: Vec<usize>, end: usize) {
        let carried = self.view.len();
        decoded_view(
            &text,
            &offsets,
            &mut self.last_space,
            &mut self.view,
            &mut self.map,
        );
        self.map.push(end);
        self.blocks.push_back((text, offsets, end));
        for (start, stop, index) in self.check.matches(&self.view) {
            // What ends in the carried part was reported with the block before.
            if stop <= carried {
                continue;
            }
            let (from, to) = (self.map[start], end_offset(&self.map, stop));
            let seen: String = self
                .blocks
                .iter()
                .filter(|(_, _, block_end)| *block_end > from)
                .map(|(text, offsets, _)| between(text, offsets, from, to))
                .collect::<String>()
                .chars()
                .take(200)
                .collect();
            if !self.check.as_written(index, &seen) {
                continue;
            }
            self.found.push(Finding {
                file: PathBuf::new(),
                inner: self.inner.map(str::to_string),
                offset: from as u64,
                found: seen,
                withheld: self.check.needles[index].text.clone(),
                rule: self.check.needles[index].rule.clone(),
            });
        }
        self.map.pop();
        let mut cut = self.view.len().saturating_sub(self.check.longest + 8);
        while !self.view.is_char_boundary(cut) {
            cut -= 1;
        }
        self.view.drain(..cut);
        self.map.drain(..cut);
        let kept_from = self.map.first().copied().unwrap_or(end);
        while self.blocks.front().is_some_and(|b| b.2 <= kept_from) {
            self.blocks.pop_front();
        }
    }
}

/// Appends to `view` the text with character references, JSON escapes and
/// percent-encoding undone and folded, and to `map`, for each byte added, the byte offset
/// in the file of the character it came from. `offsets[i]` is the file offset of
/// `text`'s i-th character; `last_space` says whether the view so far ends in a space
/// (runs of white space fold to one).
fn decoded_view(
    text: &str,
    offsets: &[usize],
    last_space: &mut bool,
    view: &mut String,
    map: &mut Vec<usize>,
) {
    view.reserve(text.len());
    map.reserve(text.len());
    let mut folded = String::with_capacity(8);
    let mut push = |c: char, at: usize, view: &mut String, map: &mut Vec<usize>| {
        // Plain ASCII, most of most pages, goes straight in.
        if c.is_ascii() && !c.is_ascii_whitespace() {
            *last_space = false;
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
            *last_space = false;
            view.push(f);
            map.push(at);
            map.push(at);
            return;
        }
        folded.clear();
        fold_char(c, &mut folded);
        for f in folded.chars() {
            if f.is_whitespace() {
                if *last_space {
                    continue;
                }
                *last_space = true;
                view.push(' ');
                map.push(at);
                continue;
            }
            *last_space = false;
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
            push(c, at, view, map);
            i += 1;
            b += c.len_utf8();
            continue;
        }
        if let Some((c, used)) = escape_at(&text[b..]) {
            push(c, at, view, map);
            i += used;
            b += used;
            continue;
        }
        if let Some((decoded, used)) = percent_at(&text[b..]) {
            for c in decoded.chars() {
                push(c, at, view, map);
            }
            i += used;
            b += used;
            continue;
        }
        push(c, at, view, map);
        i += 1;
        b += 1;
    }
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

/// What a decoded block says between two byte offsets of its file, as text (for a
/// finding): the characters whose offsets fall in the range (`offsets` rise with the
/// text, so found by binary search). Empty when the block holds none of them.
fn between(text: &str, offsets: &[usize], from: usize, to: usize) -> String {
    let first = offsets.partition_point(|&o| o < from);
    let last = offsets.partition_point(|&o| o < to.max(from + 1));
    let mut chars = text.char_indices().map(|(i, _)| i).chain([text.len()]);
    let begin = chars.nth(first).unwrap_or(text.len());
    let end = if last > first {
        chars.nth(last - first - 1).unwrap_or(text.len())
    } else {
        begin
    };
    text.get(begin..end).unwrap_or_default().to_string()
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
