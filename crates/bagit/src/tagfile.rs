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
/// with exactly a colon and one space between label and value.
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
        let prefix = format!("{label}: ");
        match line.strip_prefix(&prefix) {
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

/// Reads `bag-info.txt`: `Label: value` elements, a value continued on following lines
/// that start with a space or tab.
pub fn parse_info(text: &str, file: &str) -> (Vec<(String, String)>, Vec<Problem>) {
    let mut elements: Vec<(String, String)> = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in split_lines(text).into_iter().enumerate() {
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
        if label.is_empty() || label.trim() != label {
            errors.push(Problem::at_line(
                file,
                i + 1,
                format!("label {label:?} is empty or starts or ends with white space"),
            ));
            continue;
        }
        let value = match value.strip_prefix([' ', '\t']) {
            Some(v) => v,
            None if value.is_empty() => value,
            None => {
                errors.push(Problem::at_line(
                    file,
                    i + 1,
                    format!("label {label:?} must be followed by a colon and one space"),
                ));
                continue;
            }
        };
        elements.push((label.to_string(), value.to_string()));
    }
    (elements, errors)
}

/// One line of a manifest: a checksum and the path it is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The path, decoded, relative to the bag's base folder, with `/` separators.
    pub path: String,
    /// The checksum, in lower-case hex.
    pub checksum: String,
    /// Line in the manifest (1-based).
    pub line: usize,
}

/// Undoes the percent-encoding RFC 8493 prescribes for CR, LF and `%` in paths; any other
/// `%` is an error, since a literal one must have been encoded.
pub fn decode_path(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let code = rest.get(at + 1..at + 3).unwrap_or("");
        out.push(match code.to_ascii_uppercase().as_str() {
            "0A" => '\n',
            "0D" => '\r',
            "25" => '%',
            _ => {
                return Err(format!(
                    "path {} has a % that is not %25, %0A or %0D (a literal % must be written %25)",
                    excerpt(raw)
                ))
            }
        });
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Percent-encodes CR, LF and `%` in a path for a manifest line.
pub fn encode_path(path: &str) -> String {
    path.replace('%', "%25")
        .replace('\n', "%0A")
        .replace('\r', "%0D")
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
pub fn parse_manifest(text: &str, algorithm: Algorithm, file: &str) -> (Vec<Entry>, Vec<Problem>) {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
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
        let raw = line[split..].trim_start_matches([' ', '\t']);
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
        let path = match decode_path(raw).and_then(|p| check_path(&p).map(|()| p)) {
            Ok(p) => p,
            Err(e) => {
                errors.push(Problem::at_line(file, n, e));
                continue;
            }
        };
        entries.push(Entry {
            path,
            checksum: checksum.to_ascii_lowercase(),
            line: n,
        });
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
        match decode_path(raw.trim_start()).and_then(|p| check_path(&p).map(|()| p)) {
            Ok(path) => items.push(FetchItem {
                url: url.to_string(),
                length: length.to_string(),
                path,
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
    fn percent_encoding_round_trips_and_stray_percents_are_refused() {
        let odd = "data/100%\nsure\r.txt";
        assert_eq!(decode_path(&encode_path(odd)).unwrap(), odd);
        assert!(decode_path("data/50%off.txt").is_err());
    }

    #[test]
    fn info_elements_and_continuations() {
        let (els, errs) = parse_info("Source-Organization: ГАРФ\nExternal-Description: one\n  two\nBagging-Date: 2026-11-27\n", "bag-info.txt");
        assert!(errs.is_empty());
        assert_eq!(els[1], ("External-Description".into(), "one two".into()));
        let (_, errs) = parse_info("Source-Organization : ГАРФ\n", "bag-info.txt");
        assert_eq!(errs.len(), 1);
    }

    proptest::proptest! {
        #[test]
        fn manifest_parsing_never_panics(text in "\\PC*") {
            let _ = parse_manifest(&text, Algorithm::Sha256, "manifest-sha256.txt");
            let _ = parse_info(&text, "bag-info.txt");
            let _ = parse_fetch(&text, "fetch.txt");
            let mut w = Vec::new();
            let _ = parse_declaration(text.as_bytes(), &mut w);
        }
    }
}
