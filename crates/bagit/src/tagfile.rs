//! Tag files: `bagit.txt`, `bag-info.txt`, manifests, `fetch.txt`, and the paths they name.

use crate::{Algorithm, Problem};

/// Splits text into lines ended by LF, CR or CRLF, as RFC 8493 allows; a final line
/// ending does not make an empty last line.
pub fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&text[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&text[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Decodes a tag file in the bag's declared encoding, refusing bytes that are not valid in
/// it rather than replacing them.
pub fn decode(
    bytes: &[u8],
    encoding: &'static encoding_rs::Encoding,
    file: &str,
    warnings: &mut Vec<Problem>,
) -> Result<String, Problem> {
    let mut bytes = bytes;
    let mut encoding = encoding;
    // UTF-16 tag files carry a byte-order mark, which says which of the two byte orders
    // they are in whatever label bagit.txt used ("UTF-16" names no order).
    if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        if let Some((found, bom)) = encoding_rs::Encoding::for_bom(bytes) {
            if found == encoding_rs::UTF_16LE || found == encoding_rs::UTF_16BE {
                encoding = found;
                bytes = &bytes[bom..];
            }
        }
    }
    if encoding == encoding_rs::UTF_8 {
        if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
            warnings.push(Problem::in_file(
                file,
                "starts with a byte-order mark; tag files should not have one",
            ));
            bytes = rest;
        }
        return std::str::from_utf8(bytes).map(str::to_string).map_err(|e| {
            Problem::in_file(
                file,
                format!(
                    "is not valid UTF-8 (the encoding bagit.txt declares): bad byte at offset {}",
                    e.valid_up_to()
                ),
            )
        });
    }
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|s| s.into_owned())
        .ok_or_else(|| {
            Problem::in_file(
                file,
                format!(
                    "is not valid {} (the encoding bagit.txt declares)",
                    encoding.name()
                ),
            )
        })
}

/// What `bagit.txt` declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declaration {
    /// BagIt-Version, major and minor.
    pub version: (u32, u32),
    /// Tag-File-Character-Encoding.
    pub encoding: &'static encoding_rs::Encoding,
}

/// Reads `bagit.txt` as RFC 8493 section 2.1.1 requires: UTF-8 with no byte-order mark,
/// exactly two lines, `BagIt-Version: M.N` then `Tag-File-Character-Encoding: ENCODING`,
/// with exactly a colon and one space (or one tab) between label and value.
pub fn parse_declaration(
    bytes: &[u8],
    warnings: &mut Vec<Problem>,
) -> Result<Declaration, Vec<Problem>> {
    let file = "bagit.txt";
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Err(vec![Problem::in_file(
            file,
            "starts with a byte-order mark, which RFC 8493 forbids",
        )]);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        vec![Problem::in_file(
            file,
            format!("is not UTF-8 (bad byte at offset {})", e.valid_up_to()),
        )]
    })?;
    let lines = split_lines(text);
    let mut errors = Vec::new();
    if lines.len() != 2 {
        errors.push(Problem::in_file(
            file,
            format!("must have exactly two lines, has {}", lines.len()),
        ));
    }
    let field = |n: usize, label: &str, errors: &mut Vec<Problem>| -> Option<String> {
        let line = lines.get(n)?;
        // One space or one tab after the colon: the tag-file form of RFC 8493 section 2.2.2.
        let value = line
            .strip_prefix(label)
            .and_then(|rest| rest.strip_prefix(':'))
            .and_then(|rest| rest.strip_prefix([' ', '\t']));
        match value {
            Some(value) if !value.is_empty() && value.trim() == value => Some(value.to_string()),
            _ => {
                errors.push(Problem::at_line(
                    file,
                    n + 1,
                    format!(
                        "must read \"{label}: VALUE\" exactly (found {})",
                        excerpt(line)
                    ),
                ));
                None
            }
        }
    };
    let version = field(0, "BagIt-Version", &mut errors).and_then(|v| {
        let parsed = v.split_once('.').and_then(|(a, b)| {
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
            if digits(a) && digits(b) {
                Some((a.parse().ok()?, b.parse().ok()?))
            } else {
                None
            }
        });
        if parsed.is_none() {
            errors.push(Problem::at_line(
                file,
                1,
                format!("version {v:?} is not of the form M.N"),
            ));
        }
        parsed
    });
    let encoding = field(1, "Tag-File-Character-Encoding", &mut errors).and_then(|name| {
        match encoding_rs::Encoding::for_label(name.as_bytes()) {
            Some(e) => {
                if e != encoding_rs::UTF_8 {
                    warnings.push(Problem::at_line(
                        file,
                        2,
                        format!("tag files are in {name}; RFC 8493 recommends UTF-8"),
                    ));
                }
                Some(e)
            }
            None => {
                errors.push(Problem::at_line(
                    file,
                    2,
                    format!("unknown character encoding {name:?}"),
                ));
                None
            }
        }
    });
    if let Some((major, minor)) = version {
        if (major, minor) > (1, 0) {
            warnings.push(Problem::in_file(
                file,
                format!(
                    "BagIt version {major}.{minor} is newer than 1.0; validated by the 1.0 rules"
                ),
            ));
        }
    }
    match (version, encoding, errors.is_empty()) {
        (Some(version), Some(encoding), true) => Ok(Declaration { version, encoding }),
        _ => Err(errors),
    }
}

/// Reads `bag-info.txt` (`package-info.txt` before BagIt 0.96): `Label: value` elements,
/// a value continued on following lines that start with a space or tab.
///
/// RFC 8493 (BagIt 1.0) wants a label, a colon, one space or tab, then the value; the
/// drafts before it allowed optional white space on either side of the colon. So white
/// space before the colon is an error in a 1.0 bag and a warning in an older one, which is
/// stricter than bagit-python (it accepts it in any version) and as lenient as the drafts
/// the older bags were made by.
pub fn parse_info(
    text: &str,
    file: &str,
    version: (u32, u32),
    warnings: &mut Vec<Problem>,
) -> (Vec<(String, String)>, Vec<Problem>) {
    let rfc = version >= (1, 0);
    let mut elements: Vec<(String, String)> = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in split_lines(text).into_iter().enumerate() {
        if line.trim().is_empty() {
            warnings.push(Problem::at_line(file, i + 1, "a blank line; ignored"));
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match elements.last_mut() {
                Some((_, value)) => {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                None => errors.push(Problem::at_line(
                    file,
                    i + 1,
                    "a continuation line with no element before it",
                )),
            }
            continue;
        }
        let Some((label, value)) = line.split_once(':') else {
            errors.push(Problem::at_line(
                file,
                i + 1,
                format!("not a \"Label: value\" element: {}", excerpt(line)),
            ));
            continue;
        };
        let trimmed = label.trim_end_matches([' ', '\t']);
        if trimmed.is_empty() {
            errors.push(Problem::at_line(
                file,
                i + 1,
                format!("an element with no label: {}", excerpt(line)),
            ));
            continue;
        }
        if trimmed != label {
            let message = format!("label {trimmed:?} has white space before its colon");
            if rfc {
                errors.push(Problem::at_line(
                    file,
                    i + 1,
                    format!("{message}, which RFC 8493 (BagIt 1.0) does not allow"),
                ));
                continue;
            }
            warnings.push(Problem::at_line(
                file,
                i + 1,
                format!("{message} (allowed before BagIt 1.0)"),
            ));
        }
        let value = match value.strip_prefix([' ', '\t']) {
            Some(v) if rfc => v,
            Some(v) => v.trim_start_matches([' ', '\t']),
            None if value.is_empty() => value,
            None if !rfc => {
                warnings.push(Problem::at_line(
                    file,
                    i + 1,
                    format!(
                        "label {trimmed:?} has no space after its colon (allowed before BagIt 1.0)"
                    ),
                ));
                value
            }
            None => {
                errors.push(Problem::at_line(
                    file,
                    i + 1,
                    format!("label {trimmed:?} must be followed by a colon and one space or tab"),
                ));
                continue;
            }
        };
        elements.push((trimmed.to_string(), value.to_string()));
    }
    (elements, errors)
}

/// One line of a manifest: a checksum and the path it is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The path, decoded, relative to the bag's base folder, with `/` separators.
    pub path: String,
    /// The path exactly as written, when it differs from the decoded one: some tools wrote
    /// `%` in names without encoding it, so a bag may hold a file by its literal name.
    pub literal: Option<String>,
    /// The checksum, in lower-case hex.
    pub checksum: String,
    /// Line in the manifest (1-based).
    pub line: usize,
}

/// A path as a manifest or fetch list writes it, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedPath {
    /// The path with `%25`, `%0A` and `%0D` (in either case) decoded.
    pub path: String,
    /// True when a `%` begins none of those three: RFC 8493 wants a literal `%` written
    /// `%25`, but bagit-python and older tools write it bare, so it is read as itself.
    pub bare_percent: bool,
}

/// Undoes the percent-encoding RFC 8493 prescribes for CR, LF and `%` in paths. Any other
/// `%` stands for itself (see [`DecodedPath::bare_percent`]).
pub fn decode_path(raw: &str) -> DecodedPath {
    let mut out = String::with_capacity(raw.len());
    let mut bare_percent = false;
    let mut rest = raw;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let code = rest.get(at + 1..at + 3).unwrap_or("");
        let decoded = match code.to_ascii_uppercase().as_str() {
            "0A" => Some('\n'),
            "0D" => Some('\r'),
            "25" => Some('%'),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[at + 3..];
            }
            None => {
                bare_percent = true;
                out.push('%');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    DecodedPath {
        path: out,
        bare_percent,
    }
}

/// Percent-encodes CR, LF and `%` in a path for a manifest line.
pub fn encode_path(path: &str) -> String {
    path.replace('%', "%25")
        .replace('\n', "%0A")
        .replace('\r', "%0D")
}

/// Lines of one tag file that share a harmless oddity, reported once with a count rather
/// than once per line (a manifest made by md5sum has a million such lines).
struct Oddity {
    what: &'static str,
    lines: usize,
    first: usize,
}

impl Oddity {
    fn new(what: &'static str) -> Oddity {
        Oddity {
            what,
            lines: 0,
            first: 0,
        }
    }

    fn saw(&mut self, line: usize) {
        if self.lines == 0 {
            self.first = line;
        }
        self.lines += 1;
    }

    fn report(&self, file: &str, warnings: &mut Vec<Problem>) {
        if self.lines > 0 {
            warnings.push(Problem::at_line(
                file,
                self.first,
                format!("{} ({} line(s), the first here)", self.what, self.lines),
            ));
        }
    }
}

/// Refuses paths that could leave the bag: absolute paths, drive letters, `..`, `.` and
/// empty parts.
pub fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("an empty path".into());
    }
    if path.starts_with('/') || path.starts_with('\\') {
        return Err(format!(
            "{path:?} is an absolute path; paths must be relative to the bag"
        ));
    }
    let b = path.as_bytes();
    if b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic() {
        return Err(format!(
            "{path:?} names a drive; paths must be relative to the bag"
        ));
    }
    for part in path.split(['/', '\\']) {
        match part {
            ".." => {
                return Err(format!(
                    "{path:?} climbs out with \"..\"; paths must stay inside the bag"
                ))
            }
            "." | "" => return Err(format!("{path:?} has an empty or \".\" part")),
            _ => {}
        }
    }
    if path.contains('\0') {
        return Err(format!("{path:?} contains a NUL character"));
    }
    Ok(())
}

/// Parses a manifest: one `CHECKSUM PATH` per line, separated by spaces or tabs.
///
/// What other tools write and RFC 8493 does not forbid is read and warned about, once per
/// manifest: a `*` before the path (md5sum's binary-mode mark, which GNU md5sum and
/// sha256sum write), a `./` before it, and a bare `%`.
pub fn parse_manifest(
    text: &str,
    algorithm: Algorithm,
    file: &str,
    warnings: &mut Vec<Problem>,
) -> (Vec<Entry>, Vec<Problem>) {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let mut star = Oddity::new(
        "a `*` before the path, as md5sum writes in binary mode; read as the path after it",
    );
    let mut dot = Oddity::new("a path that begins with \"./\"; read as the path after it");
    let mut percent = Oddity::new(
        "a % in a path that is not %25, %0A or %0D; read as a literal % (RFC 8493 wants it written %25)",
    );
    for (i, line) in split_lines(text).into_iter().enumerate() {
        let n = i + 1;
        let Some(split) = line.find([' ', '\t']) else {
            errors.push(Problem::at_line(
                file,
                n,
                format!("not \"CHECKSUM PATH\": {}", excerpt(line)),
            ));
            continue;
        };
        let checksum = &line[..split];
        let mut raw = line[split..].trim_start_matches([' ', '\t']);
        if checksum.len() != algorithm.hex_len() || !checksum.bytes().all(|c| c.is_ascii_hexdigit())
        {
            errors.push(Problem::at_line(
                file,
                n,
                format!(
                    "{checksum:?} is not a {} checksum ({} hex digits)",
                    algorithm.name(),
                    algorithm.hex_len()
                ),
            ));
            continue;
        }
        if let Some(rest) = raw.strip_prefix('*') {
            star.saw(n);
            raw = rest;
        }
        if raw.starts_with("./") {
            dot.saw(n);
            while let Some(rest) = raw.strip_prefix("./") {
                raw = rest;
            }
        }
        let decoded = decode_path(raw);
        if decoded.bare_percent {
            percent.saw(n);
        }
        if let Err(e) = check_path(&decoded.path) {
            errors.push(Problem::at_line(file, n, e));
            continue;
        }
        let literal = (decoded.path != raw && check_path(raw).is_ok()).then(|| raw.to_string());
        entries.push(Entry {
            path: decoded.path,
            literal,
            checksum: checksum.to_ascii_lowercase(),
            line: n,
        });
    }
    for oddity in [star, dot, percent] {
        oddity.report(file, warnings);
    }
    (entries, errors)
}

/// One line of `fetch.txt`: where to get a file the bag does not carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchItem {
    /// The URL.
    pub url: String,
    /// The length, or "-" when unknown.
    pub length: String,
    /// The path it must be stored at.
    pub path: String,
    /// Line in fetch.txt (1-based).
    pub line: usize,
}

/// Parses `fetch.txt`: `URL LENGTH PATH` per line.
pub fn parse_fetch(text: &str, file: &str) -> (Vec<FetchItem>, Vec<Problem>) {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in split_lines(text).into_iter().enumerate() {
        let mut parts = line.splitn(3, [' ', '\t']);
        let (Some(url), Some(length), Some(raw)) = (parts.next(), parts.next(), parts.next())
        else {
            errors.push(Problem::at_line(
                file,
                i + 1,
                format!("not \"URL LENGTH PATH\": {}", excerpt(line)),
            ));
            continue;
        };
        let decoded = decode_path(raw.trim_start_matches([' ', '\t']));
        match check_path(&decoded.path) {
            Ok(()) => items.push(FetchItem {
                url: url.to_string(),
                length: length.to_string(),
                path: decoded.path,
                line: i + 1,
            }),
            Err(e) => errors.push(Problem::at_line(file, i + 1, e)),
        }
    }
    (items, errors)
}

/// At most 60 characters of a line of a bag's file, quoted with control characters
/// escaped: enough to find the line, never a file's content in bulk nor a terminal escape.
/// (The same rule as `kartoteka_model::excerpt`; this crate knows nothing of the archive's
/// model and depends on none of its crates.)
pub fn excerpt(line: &str) -> String {
    const MAX: usize = 60;
    let mut cut: String = line.chars().take(MAX).collect();
    if line.chars().nth(MAX).is_some() {
        cut.push('…');
    }
    format!("{cut:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_end_in_any_of_the_three_ways() {
        assert_eq!(split_lines("a\nb\r\nc\rd"), ["a", "b", "c", "d"]);
        assert_eq!(split_lines("a\n"), ["a"]);
        assert_eq!(split_lines("a\n\nb"), ["a", "", "b"]);
    }

    #[test]
    fn the_declaration_is_strict() {
        let mut w = Vec::new();
        let ok = parse_declaration(
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
            &mut w,
        )
        .unwrap();
        assert_eq!(ok.version, (1, 0));
        for bad in [
            &b"BagIt-Version : 1.0\nTag-File-Character-Encoding: UTF-8\n"[..],
            b"BagIt-Version:1.0\nTag-File-Character-Encoding: UTF-8\n",
            b"BagIt-Version: 1.0 \nTag-File-Character-Encoding: UTF-8\n",
            b"\xEF\xBB\xBFBagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
            b"BagIt-Version: 1.0\n",
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\nExtra: line\n",
            b"Tag-File-Character-Encoding: UTF-8\nBagIt-Version: 1.0\n",
            b"BagIt-Version: one\nTag-File-Character-Encoding: UTF-8\n",
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding: KLINGON\n",
        ] {
            assert!(
                parse_declaration(bad, &mut w).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn paths_cannot_leave_the_bag() {
        for bad in [
            "../../etc/passwd",
            "/etc/passwd",
            "data/../../x",
            "C:\\x",
            "data//x",
            "data/./x",
            "data\\..\\x",
            "",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        check_path("data/ф. 17/оп. 1/д. 2/л. 1.txt").unwrap();
    }

    #[test]
    fn percent_encoding_round_trips_and_bare_percents_stand_for_themselves() {
        let odd = "data/100%\nsure\r.txt";
        let decoded = decode_path(&encode_path(odd));
        assert_eq!(decoded.path, odd);
        assert!(!decoded.bare_percent);
        assert_eq!(decode_path("data/%25test2.txt").path, "data/%test2.txt");
        assert_eq!(decode_path("data/a%0ab%0dc").path, "data/a\nb\rc");
        let bare = decode_path("data/50%off%2.txt");
        assert_eq!(bare.path, "data/50%off%2.txt");
        assert!(bare.bare_percent);
    }

    #[test]
    fn manifests_from_md5sum_and_with_dot_slash_are_read_with_a_warning() {
        let mut w = Vec::new();
        let text = format!(
            "{0} *data/a.txt\n{0}  ./data/b.txt\n{0}  data/c.txt\n",
            "d41d8cd98f00b204e9800998ecf8427e"
        );
        let (entries, errors) = parse_manifest(&text, Algorithm::Md5, "manifest-md5.txt", &mut w);
        assert!(errors.is_empty(), "{errors:?}");
        let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["data/a.txt", "data/b.txt", "data/c.txt"]);
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(w[0].line, Some(1));
        assert_eq!(w[1].line, Some(2));
    }

    #[test]
    fn info_elements_and_continuations() {
        let mut w = Vec::new();
        let (els, errs) = parse_info("Source-Organization: ГАРФ\nExternal-Description: one\n  two\nBagging-Date:\t2026-11-27\n", "bag-info.txt", (1, 0), &mut w);
        assert!(errs.is_empty() && w.is_empty());
        assert_eq!(els[1], ("External-Description".into(), "one two".into()));
        assert_eq!(els[2], ("Bagging-Date".into(), "2026-11-27".into()));
        // White space before the colon: wrong in a 1.0 bag, allowed by the drafts before.
        let (_, errs) = parse_info(
            "Source-Organization : ГАРФ\n",
            "bag-info.txt",
            (1, 0),
            &mut w,
        );
        assert_eq!(errs.len(), 1);
        let (els, errs) = parse_info(
            "Source-Organization :\t ГАРФ\n",
            "bag-info.txt",
            (0, 97),
            &mut w,
        );
        assert!(errs.is_empty());
        assert_eq!(els[0], ("Source-Organization".into(), "ГАРФ".into()));
        assert_eq!(w.len(), 1);
    }

    proptest::proptest! {
        #[test]
        fn manifest_parsing_never_panics(text in "\\PC*") {
            let mut w = Vec::new();
            let _ = parse_manifest(&text, Algorithm::Sha256, "manifest-sha256.txt", &mut w);
            let _ = parse_info(&text, "bag-info.txt", (0, 97), &mut w);
            let _ = parse_info(&text, "bag-info.txt", (1, 0), &mut w);
            let _ = parse_fetch(&text, "fetch.txt");
            let _ = parse_declaration(text.as_bytes(), &mut w);
        }
    }
}
