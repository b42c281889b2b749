//! Redaction: every form of a protected person's name replaced by their pseudonym.
//!
//! Text is compared folded (lower case, ё as е, runs of white space as one space, soft
//! hyphens and zero-width characters dropped), so "Соколовой", "СОКОЛОВОЙ" and
//! "Соколо\u{ad}вой" across a line break are all found; a form must stand as a whole word
//! ("Соколов" is not taken out of "Соколовский"); where forms overlap the longest one
//! starting first wins, so "Вера Андреевна Соколова" goes as one.
//!
//! This is the code that takes names out. The leak check ([`crate::leak`]) is separate
//! on purpose and shares none of it.

use aho_corasick::{AhoCorasick, MatchKind};

/// Takes every form of every protected name out of a text.
pub struct Redactor {
    matcher: Option<AhoCorasick>,
    replacements: Vec<String>,
}

/// A folded text with, for each of its bytes, the span of the original character it came
/// from.
struct Folded {
    text: String,
    origin: Vec<(usize, usize)>,
}

fn fold_with_origin(text: &str) -> Folded {
    let mut out = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len());
    let mut last_space = true;
    for (at, c) in text.char_indices() {
        let end = at + c.len_utf8();
        if matches!(
            c,
            '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}'
        ) {
            continue;
        }
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                origin.push((at, end));
                last_space = true;
            }
            continue;
        }
        last_space = false;
        let mut push = |f: char| {
            let before = out.len();
            out.push(f);
            for _ in before..out.len() {
                origin.push((at, end));
            }
        };
        match c {
            'ё' | 'Ё' => push('е'),
            c => c.to_lowercase().for_each(&mut push),
        }
    }
    Folded { text: out, origin }
}

/// A form as it is compared.
fn fold(form: &str) -> String {
    fold_with_origin(form).text.trim().to_string()
}

impl Redactor {
    /// A redactor for `(form, replacement)` pairs. A form that folds to the same as an
    /// earlier one keeps the earlier replacement; empty forms are skipped.
    pub fn new<I>(pairs: I) -> Redactor
    where
        I: IntoIterator<Item = (String, String)>,
    {
        let mut seen = std::collections::HashMap::new();
        let mut patterns = Vec::new();
        let mut replacements = Vec::new();
        for (form, replacement) in pairs {
            let f = fold(&form);
            if f.is_empty() || seen.contains_key(&f) {
                continue;
            }
            seen.insert(f.clone(), replacements.len());
            patterns.push(f);
            replacements.push(replacement);
        }
        let matcher = if patterns.is_empty() {
            None
        } else {
            // The patterns are folded strings of bounded number: building cannot fail short
            // of memory, and a redactor that matches nothing would publish names.
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .expect("folded name forms make an automaton"),
            )
        };
        Redactor {
            matcher,
            replacements,
        }
    }

    /// How many forms it takes out.
    pub fn len(&self) -> usize {
        self.replacements.len()
    }

    /// Whether it takes nothing out.
    pub fn is_empty(&self) -> bool {
        self.replacements.is_empty()
    }

    /// The text with every form replaced, and how many replacements were made.
    pub fn redact(&self, text: &str) -> (String, usize) {
        let Some(matcher) = &self.matcher else {
            return (text.to_string(), 0);
        };
        let folded = fold_with_origin(text);
        let t = folded.text.as_str();
        let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
        let mut found: Vec<(usize, usize, usize)> = matcher
            .find_overlapping_iter(t)
            .filter(|m| {
                !is_word(t[..m.start()].chars().next_back())
                    && !is_word(t[m.end()..].chars().next())
            })
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        if found.is_empty() {
            return (text.to_string(), 0);
        }
        // Leftmost first, longest first among those starting together; then no overlaps.
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut count = 0;
        let mut reach = 0;
        for (start, end, pattern) in found {
            if start < reach {
                continue;
            }
            reach = end;
            let (from, _) = folded.origin[start];
            let (_, to) = folded.origin[end - 1];
            out.push_str(&text[copied..from]);
            out.push_str(&self.replacements[pattern]);
            copied = to;
            count += 1;
        }
        out.push_str(&text[copied..]);
        (out, count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor() -> &'static Redactor {
        static ONE: std::sync::OnceLock<Redactor> = std::sync::OnceLock::new();
        ONE.get_or_init(|| {
            Redactor::new(
                crate::forms::withheld_forms("Соколова Вера Андреевна")
                    .into_iter()
                    .map(|f| (f, "Person A-1".to_string())),
            )
        })
    }

    #[test]
    fn every_form_goes_whole_and_words_that_contain_one_stay() {
        let r = redactor();
        let (out, n) = r.redact(
            "Встреча с Соколовой В. А. и с Верой Андреевной; Vera SOKOLOVA; Верочка; Соколовский остался.",
        );
        assert_eq!(n, 4, "{out}");
        assert_eq!(
            out,
            "Встреча с Person A-1 и с Person A-1; Person A-1; Person A-1; Соколовский остался."
        );
    }

    #[test]
    fn hidden_and_broken_forms_are_found_and_the_rest_is_kept_byte_for_byte() {
        let r = redactor();
        let (out, n) = r.redact("«Соко\u{ad}ловой\nВере» — ёлка");
        assert_eq!(n, 1, "{out}");
        assert_eq!(out, "«Person A-1» — ёлка");
        let plain = "Кузьмин А. П. — ничего личного: вера и надежда.";
        assert_eq!(r.redact(plain), (plain.to_string(), 0));
    }

    proptest::proptest! {
        // Whatever the text, redaction never panics, and a protected surname put anywhere
        // between spaces does not survive it.
        #[test]
        fn any_text_is_redacted_without_a_trace(
            before in "[a-zа-я ,.\u{ad}]{0,40}", after in "[a-zа-я ,.]{0,40}"
        ) {
            let r = redactor();
            let text = format!("{before} Соколовой {after}");
            let (out, _) = r.redact(&text);
            proptest::prop_assert!(!out.to_lowercase().contains("соколовой"), "{}", out);
        }
    }
}
