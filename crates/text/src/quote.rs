//! Finding a quoted passage in a page of text, as a reader would: across line breaks and
//! hyphenation, soft hyphens, letter case, ё/е, and Latin letters that OCR put into
//! Cyrillic words (and the reverse). Offsets are in characters of the original text.

/// Latin letters that look like Cyrillic ones, and the Cyrillic letter each stands for:
/// what OCR puts into Cyrillic words.
pub const HOMOGLYPHS: &[(char, char)] = &[
    ('a', 'а'),
    ('c', 'с'),
    ('e', 'е'),
    ('o', 'о'),
    ('p', 'р'),
    ('x', 'х'),
    ('y', 'у'),
    ('k', 'к'),
    ('m', 'м'),
    ('t', 'т'),
    ('b', 'в'),
    ('h', 'н'),
];

/// At `i`, a hyphen that ends a line inside a word ("вер-\nбовка"): the index of the
/// letter the word goes on with on the next line, or `None`.
pub fn line_end_hyphen(chars: &[char], i: usize) -> Option<usize> {
    let hyphen = matches!(chars.get(i), Some('-' | '\u{2010}'));
    if !hyphen || i == 0 || !chars[i - 1].is_alphabetic() {
        return None;
    }
    let mut j = i + 1;
    while j < chars.len() && (chars[j] == ' ' || chars[j] == '\t') {
        j += 1;
    }
    if j >= chars.len() || !(chars[j] == '\n' || chars[j] == '\r') {
        return None;
    }
    while j < chars.len() && chars[j].is_whitespace() {
        j += 1;
    }
    (j < chars.len() && chars[j].is_lowercase()).then_some(j)
}

/// Text prepared for matching, with the original character index of each character.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized {
    /// The normalised characters.
    pub chars: Vec<char>,
    /// For each of them, the index of the character it came from.
    pub origin: Vec<usize>,
}

use crate::is_cyrillic;

/// Normalises text for matching: lower case, ё as е, soft hyphens dropped, a hyphen at a
/// line end joined to the next line's word, runs of white space as one space, and
/// look-alike Latin letters inside a Cyrillic word (or making up a whole word) read as
/// Cyrillic.
pub fn normalize(text: &str) -> Normalized {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Normalized {
        chars: Vec::with_capacity(chars.len()),
        origin: Vec::with_capacity(chars.len()),
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\u{00AD}' {
            i += 1;
            continue;
        }
        // "вер-\nбовка": the hyphen and the line break go.
        if let Some(next) = line_end_hyphen(&chars, i) {
            i = next;
            continue;
        }
        if c.is_whitespace() {
            if out.chars.last() != Some(&' ') && !out.chars.is_empty() {
                out.chars.push(' ');
                out.origin.push(i);
            }
            i += 1;
            continue;
        }
        for lower in c.to_lowercase() {
            let lower = if lower == 'ё' { 'е' } else { lower };
            out.chars.push(lower);
            out.origin.push(i);
        }
        i += 1;
    }
    if out.chars.last() == Some(&' ') {
        out.chars.pop();
        out.origin.pop();
    }
    // Look-alikes: a word that is mostly Cyrillic reads its Latin look-alikes as Cyrillic.
    let mut start = 0;
    while start < out.chars.len() {
        let mut end = start;
        while end < out.chars.len() && out.chars[end].is_alphabetic() {
            end += 1;
        }
        if end > start {
            let word = &out.chars[start..end];
            let cyr = word.iter().filter(|c| is_cyrillic(**c)).count();
            let all_look_alike = word.iter().all(|c| HOMOGLYPHS.iter().any(|(l, _)| l == c));
            // Folding the same way in the text and the quote, a Latin word made only of
            // look-alikes ("MAPTA" pasted from OCR) matches its Cyrillic twin.
            if (cyr > 0 && cyr * 2 >= end - start) || all_look_alike {
                for c in &mut out.chars[start..end] {
                    if let Some((_, cy)) = HOMOGLYPHS.iter().find(|(l, _)| l == c) {
                        *c = *cy;
                    }
                }
            }
            start = end;
        } else {
            start += 1;
        }
    }
    out
}

/// A place a quote was found: character offsets into the original text, end exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
}

/// Every place `quote` occurs in `text`, in order.
pub fn find_all(text: &str, quote: &str) -> Vec<Span> {
    let hay = normalize(text);
    let needle = normalize(quote).chars;
    if needle.is_empty() || needle.len() > hay.chars.len() {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut i = 0;
    while i + needle.len() <= hay.chars.len() {
        if hay.chars[i..i + needle.len()] == needle[..] {
            let start = hay.origin[i];
            let last = hay.origin[i + needle.len() - 1];
            let end = last + 1;
            found.push(Span { start, end });
            i += 1;
        } else {
            i += 1;
        }
    }
    found
}

/// How many characters two strings share at their ends: `a`'s end against `b`'s end when
/// `from_end`, else their starts. Compared after normalisation.
fn shared(a: &str, b: &str, from_end: bool) -> usize {
    let a = normalize(a).chars;
    let b = normalize(b).chars;
    if from_end {
        a.iter()
            .rev()
            .zip(b.iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
    } else {
        a.iter().zip(b.iter()).take_while(|(x, y)| x == y).count()
    }
}

/// The best place for a quote with its context (as the W3C TextQuoteSelector gives it):
/// among the places the quote occurs, the one whose surroundings match `prefix` and
/// `suffix` best, then the one nearest `near` (the old start).
pub fn locate(
    text: &str,
    quote: &str,
    prefix: &str,
    suffix: &str,
    near: Option<usize>,
) -> Option<Span> {
    let places = find_all(text, quote);
    let chars: Vec<char> = text.chars().collect();
    places.into_iter().max_by_key(|s| {
        let before: String = chars[s.start.saturating_sub(prefix.chars().count() + 8)..s.start]
            .iter()
            .collect();
        let after: String = chars[s.end..(s.end + suffix.chars().count() + 8).min(chars.len())]
            .iter()
            .collect();
        let context = shared(&before, prefix, true) + shared(&after, suffix, false);
        let distance = near.map(|n| n.abs_diff(s.start)).unwrap_or(0);
        (context, std::cmp::Reverse(distance))
    })
}

/// The passage of `text` most like `quote`, for telling someone what they may have meant:
/// the window of the quote's length (at word starts) with the smallest edit distance, and
/// its similarity from 0 to 1.
pub fn closest(text: &str, quote: &str) -> Option<(String, f64)> {
    let q = normalize(quote).chars;
    let hay = normalize(text);
    if q.is_empty() || hay.chars.is_empty() {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut best: Option<(usize, usize, usize)> = None;
    for i in 0..hay.chars.len() {
        if i > 0 && hay.chars[i - 1] != ' ' {
            continue;
        }
        let end = (i + q.len()).min(hay.chars.len());
        let d = edit_distance(&q, &hay.chars[i..end]);
        if best.is_none_or(|(_, _, bd)| d < bd) {
            best = Some((i, end, d));
        }
    }
    let (i, end, d) = best?;
    let start = hay.origin[i];
    let stop = hay.origin[end - 1] + 1;
    let passage: String = chars[start..stop].iter().collect();
    Some((passage, 1.0 - d as f64 / q.len().max(1) as f64))
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, s: Span) -> String {
        text.chars().skip(s.start).take(s.end - s.start).collect()
    }

    #[test]
    fn quotes_are_found_across_line_breaks_hyphens_case_and_look_alikes() {
        let text = "Докладываю, что 14 мая 1937 г. мною завер-\nбована Соколова\nВера Андреевна (псевдоним «ХОЛА»).";
        let s = find_all(text, "завербована соколова вера")[0];
        assert_eq!(slice(text, s), "завер-\nбована Соколова\nВера");
        // Latin "o" and "a" inside Cyrillic words, as OCR writes them.
        let ocr = "Coкoлoва Вера";
        assert_eq!(find_all(ocr, "Соколова").len(), 1);
        let soft = "Со\u{ad}колова";
        assert_eq!(slice(soft, find_all(soft, "Соколова")[0]), soft);
        assert_eq!(find_all("Ёлкин и Елкин", "елкин").len(), 2);
    }

    #[test]
    fn context_and_position_choose_between_repeats() {
        let text = "агент ХОЛА прибыл. Позже агент ХОЛА убыл.";
        let second = locate(text, "агент ХОЛА", "Позже ", " убыл", None).unwrap();
        assert_eq!(second.start, 25);
        let first = locate(text, "агент ХОЛА", "", "", Some(0)).unwrap();
        assert_eq!(first.start, 0);
        assert_eq!(locate(text, "агент ЛИРА", "", "", None), None);
    }

    #[test]
    fn the_closest_passage_is_offered() {
        let (passage, score) = closest(
            "Связь с «ХОЛОЙ» будет поддерживаться через нелегала",
            "связь с холой будет поддерживатся",
        )
        .unwrap();
        assert!(passage.starts_with("Связь с «ХОЛОЙ» будет"), "{passage}");
        assert!(score > 0.8);
    }

    proptest::proptest! {
        #[test]
        fn spans_always_fall_on_the_original_text(text in "\\PC{0,200}", from in 0usize..50, len in 1usize..20) {
            let quote: String = text.chars().skip(from).take(len).collect();
            for s in find_all(&text, &quote) {
                proptest::prop_assert!(s.start < s.end && s.end <= text.chars().count());
            }
            let _ = closest(&text, &quote);
        }
    }
}
