//! Snippets: the part of a page where a query matched, with the matching words marked.
//!
//! Tantivy's snippet generator only sees the terms of one field as the query names them;
//! a page here matches through other forms of a word and through transliteration keys.
//! [`snippet_at`] marks the words at the positions the index reports for the hit;
//! [`snippet`] matches the words again with the same analysis (exact mode, where the
//! spelling decides). Either way "Khrushchev" is marked in a page found by "Хрущёв".

use std::ops::Range;

use kartoteka_text::{fold, lemma, translit_keys, words, words_from};

use crate::{Query, WordMarks};

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

/// [`snippet_at`] with the page's word marks: each position is looked for from the mark
/// before it, so a match deep in a long page costs a few words' reading, not every word
/// before it. Marks that do not fit the text (an index older than the page) only cost the
/// walk from the top.
pub fn snippet_marked(text: &str, positions: &[u32], marks: &WordMarks) -> Snippet {
    if marks.is_empty() {
        return snippet_at(text, positions);
    }
    let mut matches = Vec::with_capacity(positions.len());
    // The word the walk stands at, and its position.
    let mut walk = words(text);
    let mut at: u32 = 0;
    let mut current = walk.next();
    for &p in positions {
        let (start, base) = marks.before(p);
        if base > at || current.is_none() {
            // Jump ahead to the mark.
            walk = words_from(text, start);
            at = base;
            current = walk.next();
            if current.as_ref().is_some_and(|w| w.start != start) {
                return snippet_at(text, positions);
            }
        }
        while at < p {
            current = walk.next();
            at += 1;
            if current.is_none() {
                break;
            }
        }
        match &current {
            Some(w) if at == p => matches.push(w.start..w.end),
            Some(_) => {}
            None => break,
        }
    }
    fragment_around(text, &matches)
}

/// [`snippet_marked`] over the page's bytes as the index keeps them: only the stretches
/// the matched words and the fragment lie in are checked as UTF-8, not the whole page
/// (on long pages, checking every byte cost more than the rest of a search). The answer
/// is [`snippet_marked`]'s; `None` when the bytes read are not UTF-8.
pub fn snippet_marked_bytes(bytes: &[u8], positions: &[u32], marks: &WordMarks) -> Option<Snippet> {
    let whole = || {
        std::str::from_utf8(bytes)
            .ok()
            .map(|text| snippet_marked(text, positions, marks))
    };
    if marks.is_empty() {
        return whole();
    }
    let len = bytes.len();
    let boundary = |i: usize| i == 0 || i >= len || bytes[i] & 0xC0 != 0x80;
    let mut matches = Vec::with_capacity(positions.len());
    for &p in positions {
        // The words counted from the mark before `p` up to the next mark.
        let (start, base, end) = marks.region(p, len);
        if start > end || end > len || !boundary(start) {
            return whole();
        }
        let mut end = end;
        while !boundary(end) {
            end += 1;
        }
        let Ok(stretch) = std::str::from_utf8(&bytes[start..end]) else {
            return whole();
        };
        let mut walk = words(stretch);
        let mut current = walk.next();
        if current.as_ref().is_some_and(|w| w.start != 0) {
            // The marks do not fit the text: read it from the top.
            return whole();
        }
        let mut at = base;
        while at < p && current.is_some() {
            current = walk.next();
            at += 1;
        }
        match current {
            Some(w) => matches.push(start + w.start..start + w.end),
            // Past the last word of the page: so is every later position.
            None if end == len => break,
            None => return whole(),
        }
    }
    let best = best_match(&matches);
    let (lo, hi) = window(best, len, boundary);
    let text = std::str::from_utf8(&bytes[lo..hi]).ok()?;
    Some(cut(text, lo, len, best, &matches))
}

/// Cuts the fragment with the most of `matches` (byte ranges, in order) and marks them.
fn fragment_around(text: &str, matches: &[Range<usize>]) -> Snippet {
    let best = best_match(matches);
    let (lo, hi) = window(best, text.len(), |i| text.is_char_boundary(i));
    cut(&text[lo..hi], lo, text.len(), best, matches)
}

/// Where the fragment starts its search for a good cut: the match followed by the most
/// matches within one fragment's width (0 without matches).
fn best_match(matches: &[Range<usize>]) -> usize {
    (0..matches.len())
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
        .unwrap_or(0)
}

/// The bytes a fragment around `best` can take from a text of `len` bytes: from
/// [`BEFORE`] before it to [`WIDTH`] after it, widened to whole characters.
fn window(best: usize, len: usize, boundary: impl Fn(usize) -> bool) -> (usize, usize) {
    let mut lo = best.saturating_sub(BEFORE);
    while !boundary(lo) {
        lo -= 1;
    }
    let mut hi = (best + WIDTH).min(len);
    while !boundary(hi) {
        hi += 1;
    }
    (lo, hi)
}

/// Cuts the fragment from `window`, the text's bytes from `lo` as [`window`] gave them
/// (`len` is the whole text's length); offsets in `best` and `matches` are the whole
/// text's.
fn cut(window: &str, lo: usize, len: usize, best: usize, matches: &[Range<usize>]) -> Snippet {
    let local = |i: usize| i - lo;
    let mut start = lo;
    // Begin at a word boundary.
    if start > 0 {
        if let Some(space) = window[..local(best)].find(char::is_whitespace) {
            start += space + 1;
        }
    }
    let mut end = (start + WIDTH).min(len);
    while !window.is_char_boundary(local(end)) {
        end += 1;
    }
    if end < len {
        if let Some(space) = window[local(best.min(end))..local(end)].rfind(char::is_whitespace) {
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
    for (offset, c) in window[local(start)..local(end)].char_indices() {
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
    if end < len {
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

    proptest::proptest! {
        /// The marks are a shortcut, never another answer: a snippet cut from the marks an
        /// analysed page keeps is the snippet cut by reading the page from its top.
        #[test]
        fn marked_snippets_are_the_snippets_read_from_the_top(
            words in proptest::collection::vec("[a-zа-я]{1,8}|[.,;'’ \n]{1,3}", 0..400),
            picks in proptest::collection::vec(0u32..300, 0..12),
        ) {
            let text: String = words.concat();
            let count = kartoteka_text::words(&text).count() as u32;
            let mut positions: Vec<u32> = picks.into_iter().filter(|p| *p < count.max(1)).collect();
            positions.sort_unstable();
            positions.dedup();
            let analysed = crate::AnalyzedPage::new(&text);
            let marks = crate::WordMarks::decode(&analysed.marks).expect("marks decode");
            proptest::prop_assert_eq!(
                snippet_marked(&text, &positions, &marks),
                snippet_at(&text, &positions)
            );
            // Nor is reading only the stretches the matches are in.
            proptest::prop_assert_eq!(
                snippet_marked_bytes(text.as_bytes(), &positions, &marks),
                Some(snippet_at(&text, &positions))
            );
        }

        /// Marks read from bytes that are not marks (a damaged index) never panic, and a
        /// snippet cut from them stays inside the text.
        #[test]
        fn damaged_marks_do_not_panic(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            positions in proptest::collection::vec(0u32..200, 0..6),
        ) {
            let text = "Встреча с Хрущёвым. Later Khrushchev said nothing. ".repeat(20);
            if let Some(marks) = crate::WordMarks::decode(&bytes) {
                let mut positions = positions;
                positions.sort_unstable();
                let s = snippet_marked(&text, &positions, &marks);
                proptest::prop_assert!(s.fragment.len() <= text.len() + 8);
                let from_bytes = snippet_marked_bytes(text.as_bytes(), &positions, &marks);
                proptest::prop_assert!(from_bytes.is_some_and(|s| s.fragment.len() <= text.len() + 8));
            }
        }
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
