//! Snippets: the part of a page where a query matched, with the matching words marked.
//!
//! Tantivy's snippet generator only sees the terms of one field as the query names them;
//! a page here matches through other forms of a word and through transliteration keys.
//! [`snippet_at`] marks the words at the positions the index reports for the hit;
//! [`snippet`] matches the words again with the same analysis (exact mode, where the
//! spelling decides). Either way "Khrushchev" is marked in a page found by "Хрущёв".

use std::ops::Range;

use kartoteka_text::{fold, lemma, translit_keys, words};

use crate::Query;

/// A fragment of a page with the byte ranges of the words that matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// The fragment, whitespace collapsed.
    pub fragment: String,
    /// Byte ranges within `fragment` of the matching words.
    pub highlights: Vec<Range<usize>>,
}

impl Snippet {
    /// The fragment with each match wrapped in `open` and `close`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(
            self.fragment.len() + self.highlights.len() * (open.len() + close.len()),
        );
        let mut last = 0;
        for r in &self.highlights {
            out.push_str(&self.fragment[last..r.start]);
            out.push_str(open);
            out.push_str(&self.fragment[r.clone()]);
            out.push_str(close);
            last = r.end;
        }
        out.push_str(&self.fragment[last..]);
        out
    }
}

struct Wanted {
    exact: String,
    folded: String,
    lemma: String,
    keys: Vec<String>,
}

const WIDTH: usize = 240;
const BEFORE: usize = 60;

/// The best fragment of `text` for `query`: the stretch with the most matching words.
pub fn snippet(text: &str, query: &Query, exact: bool) -> Snippet {
    let wanted: Vec<Wanted> = query
        .positive_words()
        .into_iter()
        .map(|w| {
            let folded = fold(w).into_owned();
            Wanted {
                exact: w.to_string(),
                lemma: lemma(&folded).into_owned(),
                folded,
                keys: translit_keys(w),
            }
        })
        .collect();
    let mut matches: Vec<Range<usize>> = Vec::new();
    for w in words(text) {
        let hit = if exact {
            wanted.iter().any(|q| q.exact == w.text)
        } else {
            // The same forms, from the same cache, as the index used for this word.
            crate::analyzer::with_forms(w.text, |forms| {
                wanted.iter().any(|q| {
                    q.folded == forms.folded
                        || q.lemma == lemma(&forms.folded)
                        || forms.key_list().any(|k| q.keys.iter().any(|qk| qk == k))
                })
            })
        };
        if hit {
            matches.push(w.start..w.end);
        }
    }
    fragment_around(text, &matches)
}

/// The best fragment of `text` with the words at these positions (word numbers, as the
/// index counts them) marked: the fast path, when the index says where the matches are.
pub fn snippet_at(text: &str, positions: &[u32]) -> Snippet {
    let mut matches = Vec::with_capacity(positions.len());
    let mut wanted = positions.iter().peekable();
    for (i, w) in words(text).enumerate() {
        let Some(&&next) = wanted.peek() else { break };
        if i as u32 == next {
            matches.push(w.start..w.end);
            wanted.next();
        }
    }
    fragment_around(text, &matches)
}

/// Cuts the fragment with the most of `matches` (byte ranges, in order) and marks them.
fn fragment_around(text: &str, matches: &[Range<usize>]) -> Snippet {
    // The match followed by the most matches within one fragment's width.
    let best = (0..matches.len())
        .max_by_key(|&i| {
            (
                matches[i..]
                    .iter()
                    .take_while(|m| m.end <= matches[i].start + WIDTH)
                    .count(),
                usize::MAX - i,
            )
        })
        .map(|i| matches[i].start)
        .unwrap_or(0);
    let mut start = best.saturating_sub(BEFORE);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    // Begin at a word boundary.
    if start > 0 {
        if let Some(space) = text[start..best].find(char::is_whitespace) {
            start += space + 1;
        }
    }
    let mut end = (start + WIDTH).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    if end < text.len() {
        if let Some(space) = text[best.min(end)..end].rfind(char::is_whitespace) {
            end = best.min(end) + space;
        }
    }
    let mut fragment = String::with_capacity(end - start + 8);
    let mut highlights = Vec::new();
    if start > 0 {
        fragment.push('…');
    }
    let mut pending_space = false;
    let mut i = start;
    let mut open: Option<usize> = None;
    for (offset, c) in text[start..end].char_indices() {
        let at = start + offset;
        if let Some(m) = matches.iter().find(|m| m.start == at) {
            if pending_space {
                fragment.push(' ');
                pending_space = false;
            }
            open = Some(fragment.len());
            i = m.end;
        }
        if c.is_whitespace() {
            pending_space = !fragment.is_empty() && !fragment.ends_with('…');
        } else {
            if pending_space {
                fragment.push(' ');
                pending_space = false;
            }
            fragment.push(c);
        }
        if let Some(s) = open {
            if at + c.len_utf8() == i {
                highlights.push(s..fragment.len());
                open = None;
            }
        }
    }
    if end < text.len() {
        fragment.push('…');
    }
    Snippet {
        fragment,
        highlights,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_inflected_and_transliterated_forms() {
        let q = Query::parse("Хрущёв").unwrap();
        let s = snippet(
            "Встреча с Хрущёвым. Later Khrushchev said nothing.",
            &q,
            false,
        );
        assert_eq!(
            s.marked("[", "]"),
            "Встреча с [Хрущёвым]. Later [Khrushchev] said nothing."
        );
    }

    #[test]
    fn positions_mark_the_words_at_them() {
        let s = snippet_at(
            "Встреча с Хрущёвым. Later Khrushchev said nothing.",
            &[2, 4],
        );
        assert_eq!(
            s.marked("[", "]"),
            "Встреча с [Хрущёвым]. Later [Khrushchev] said nothing."
        );
    }

    #[test]
    fn exact_mode_marks_only_the_spelling() {
        let q = Query::parse("Хрущёв").unwrap();
        let s = snippet("Хрущёв и Хрущев", &q, true);
        assert_eq!(s.marked("[", "]"), "[Хрущёв] и Хрущев");
    }

    #[test]
    fn long_pages_are_cut_around_the_matches() {
        let text = format!(
            "{} агент ХОЛА передала {}",
            "слово ".repeat(100),
            "конец ".repeat(100)
        );
        let s = snippet(&text, &Query::parse("ХОЛА").unwrap(), false);
        assert!(
            s.fragment.starts_with('…') && s.fragment.ends_with('…'),
            "{}",
            s.fragment
        );
        assert!(s.marked("[", "]").contains("агент [ХОЛА] передала"));
        assert!(s.fragment.len() <= WIDTH + 8);
    }
}
