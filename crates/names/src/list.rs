//! A list of names to group, as people keep one: a tab-separated file of
//! `id<TAB>name[<TAB>language[<TAB>document[<TAB>context]]]` lines.

use std::collections::HashSet;
use std::sync::Arc;

use crate::{Context, NameRecord};

/// A line of a name list that cannot be read: its number (from 1) and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct NameListError {
    /// The line, counted from 1.
    pub line: usize,
    /// What is wrong with it.
    pub problem: String,
}

/// Reads a name list. Blank lines and lines starting with `#` are skipped; a line without
/// an id or a name, an id met twice, or a context that does not read is an error naming
/// the line. Empty optional columns count as absent.
pub fn read_name_list(text: &str) -> Result<Vec<NameRecord>, NameListError> {
    let mut out = Vec::new();
    let mut ids = HashSet::new();
    for (n, line) in text.lines().enumerate() {
        let error = |problem: String| NameListError {
            line: n + 1,
            problem,
        };
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split('\t');
        let id = cols.next().unwrap_or("").trim();
        let name = cols.next().unwrap_or("").trim();
        if id.is_empty() || name.is_empty() {
            return Err(error(format!(
                "expected id<TAB>name[<TAB>language[<TAB>document[<TAB>context]]], got {line:?}"
            )));
        }
        if !ids.insert(id.to_string()) {
            return Err(error(format!("id {id:?} appears twice")));
        }
        let mut optional = || cols.next().map(str::trim).filter(|s| !s.is_empty());
        let language = optional().map(String::from);
        let document = optional().map(String::from);
        let context = match optional() {
            Some(c) => Some(Arc::new(
                Context::parse(c).map_err(|e| error(format!("context: {e}")))?,
            )),
            None => None,
        };
        out.push(NameRecord {
            id: id.to_string(),
            name: name.to_string(),
            language,
            document,
            context,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_with_their_optional_columns() {
        let list = "# a comment\n1\tИван Орлов\tru\tdoc-1\n\n2\tIvan Orlov\r\n3\tОрлов\t\tdoc-1\n";
        let records = read_name_list(list).expect("a good list");
        let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["1", "2", "3"]);
        assert_eq!(records[0].language.as_deref(), Some("ru"));
        assert_eq!(records[0].document.as_deref(), Some("doc-1"));
        assert_eq!(records[1].name, "Ivan Orlov");
        assert_eq!(records[2].language, None);
        assert_eq!(records[2].document.as_deref(), Some("doc-1"));
    }

    #[test]
    fn a_bad_line_is_named_by_its_number() {
        let err = read_name_list("1\tИван\n2\n").unwrap_err();
        assert_eq!(err.line, 2);
        let err = read_name_list("1\tИван\n\n1\tПётр\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.problem.contains("twice"), "{err}");
    }
}
