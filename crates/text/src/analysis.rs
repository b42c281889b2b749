//! Words and their normal forms, as the search index and the query parser both see them.
//!
//! A word has three forms besides its spelling:
//!
//! * [`fold`]: lower case, ё as е, Latin diacritics removed ("Хрущёв" -> "хрущев").
//! * [`lemma`]: the folded word with its case ending removed, such that every form of
//!   a Russian name shares one lemma ("Хрущёвым", "Хрущеве" -> "хрущев"; "Кузьмина" ->
//!   "кузьмин"; "Лаврентием" -> "лаврент"). A Snowball stemmer is not used for Russian
//!   because it treats the possessive suffix of surnames (-ов, -ин) as an ending, giving
//!   Хрущёв and Хрущёва different stems. Latin words use the English Snowball stemmer.
//! * [`translit_keys`]: a coarse sound key that every romanisation of a Russian name
//!   shares with the Cyrillic original (see the `translit` module).

use std::borrow::Cow;
use std::sync::OnceLock;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::translit;

/// One word of a text, with its byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word<'a> {
    /// The word as written.
    pub text: &'a str,
    /// Byte offset of its first byte.
    pub start: usize,
    /// Byte offset just past its last byte.
    pub end: usize,
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`' | '"' | '”' | '·')
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if ('\u{0400}'..='\u{04FF}').contains(&c) {
        // The Cyrillic block is letters and combining marks but for one sign (҂, the
        // thousands sign); answering here skips the slow Unicode table lookup.
        c != '\u{0482}'
    } else {
        c.is_alphanumeric() || is_combining_mark(c)
    }
}

/// Splits text into words: runs of letters, digits and combining marks, keeping an
/// apostrophe between letters ("Kuz'min", "O’Neil") but not a possessive "'s".
pub fn words(text: &str) -> Words<'_> {
    Words { text, pos: 0 }
}

/// The words of `text` from byte `start` on, which must be where a word of `words(text)`
/// starts (or 0): the same words `words` gives from there, with their offsets in the whole
/// text. A snippet begins at a mark the index kept instead of at the top of the page.
pub fn words_from(text: &str, start: usize) -> Words<'_> {
    let pos = if start <= text.len() && text.is_char_boundary(start) {
        start
    } else {
        0
    };
    Words { text, pos }
}

/// Iterator returned by [`words`].
pub struct Words<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for Words<'a> {
    type Item = Word<'a>;

    fn next(&mut self) -> Option<Word<'a>> {
        let bytes = self.text;
        let mut iter = bytes[self.pos..].char_indices();
        let start = loop {
            let (i, c) = iter.next()?;
            if is_word_char(c) {
                break self.pos + i;
            }
        };
        let mut end = start;
        let chars = bytes[start..].char_indices().peekable();
        for (i, c) in chars {
            if is_word_char(c) {
                end = start + i + c.len_utf8();
            } else if is_apostrophe(c) {
                let rest = bytes[start + i..].trim_start_matches(is_apostrophe);
                let mut after = rest.chars();
                let next = after.next();
                let possessive =
                    matches!(next, Some('s' | 'S')) && !after.next().is_some_and(is_word_char);
                if next.is_some_and(char::is_alphabetic) && !possessive {
                    continue;
                }
                break;
            } else {
                break;
            }
        }
        self.pos = end;
        Some(Word {
            text: &bytes[start..end],
            start,
            end,
        })
    }
}

/// True for letters of the Cyrillic blocks.
pub fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}' | '\u{0500}'..='\u{052F}')
}

/// Lower case, ё as е, Latin diacritics and apostrophes removed. Cyrillic letters keep
/// their marks (й stays й).
pub fn fold(word: &str) -> Cow<'_, str> {
    let simple = word.chars().all(|c| {
        (c.is_ascii_alphanumeric() && !c.is_ascii_uppercase())
            || (is_cyrillic(c) && c.is_lowercase() && c != 'ё')
    });
    if simple {
        return Cow::Borrowed(word);
    }
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if is_apostrophe(c) {
            continue;
        }
        if is_cyrillic(c) {
            for l in c.to_lowercase() {
                out.push(if l == 'ё' { 'е' } else { l });
            }
        } else if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            for l in c.to_lowercase() {
                for d in std::iter::once(l).nfd() {
                    if !is_combining_mark(d) {
                        out.push(d);
                    }
                }
            }
        }
    }
    Cow::Owned(out)
}

/// Case endings of Russian nouns, adjectives and names, longest first.
const ENDINGS: &[&str] = &[
    "иями", "ями", "ами", "ией", "ием", "иям", "иях", "ого", "его", "ому", "ему", "ыми", "ими",
    "ой", "ей", "ем", "ом", "ам", "ям", "ах", "ях", "ию", "ия", "ии", "ий", "ый", "ью", "ые", "ие",
    "ых", "их", "ым", "им", "ую", "юю", "ая", "яя", "ое", "ее", "а", "я", "у", "ю", "е", "о", "ы",
    "и", "ь", "й",
];

/// Endings that follow the possessive suffix of surnames (-ов, -ев, -ин, -ын).
const POSSESSIVE_ENDINGS: &[&str] = &["ыми", "ым", "ом", "ой", "ою", "ых", "а", "у", "е", "ы"];

/// Endings of adjectival surnames and adjectives in -ский / -цкий.
const ADJECTIVAL_ENDINGS: &[&str] = &[
    "ими", "ого", "ому", "ий", "им", "ом", "ая", "ой", "ую", "ие", "их", "ое", "ей", "ый",
];

/// The lemma of a folded word: see the module documentation.
pub fn lemma(folded: &str) -> Cow<'_, str> {
    if folded.chars().any(is_cyrillic) {
        Cow::Borrowed(russian_lemma(folded))
    } else if folded.chars().all(|c| c.is_ascii_alphabetic()) && folded.len() > 3 {
        static STEMMER: OnceLock<rust_stemmers::Stemmer> = OnceLock::new();
        let stemmer = STEMMER
            .get_or_init(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English));
        stemmer.stem(folded)
    } else {
        Cow::Borrowed(folded)
    }
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

fn russian_lemma(word: &str) -> &str {
    let len = char_len(word);
    if len <= 3 {
        return word;
    }
    // -ский / -цкий: keep the -ск / -цк.
    for ending in ADJECTIVAL_ENDINGS {
        if let Some(base) = word.strip_suffix(ending) {
            if (base.ends_with("ск") || base.ends_with("цк")) && char_len(base) >= 3 {
                return base;
            }
        }
    }
    // Possessive surnames keep their -ов / -ин: Хрущёв, Хрущёва, Хрущёвым -> хрущев.
    let possessive = |base: &str| {
        char_len(base) >= 4 && ["ов", "ев", "ин", "ын"].iter().any(|s| base.ends_with(s))
    };
    if possessive(word) {
        return word;
    }
    for ending in POSSESSIVE_ENDINGS {
        if let Some(base) = word.strip_suffix(ending) {
            if possessive(base) {
                return base;
            }
        }
    }
    let mut stem = word;
    for ending in ENDINGS {
        if let Some(base) = word.strip_suffix(ending) {
            if char_len(base) >= 2 {
                stem = base;
                break;
            }
        }
    }
    // A stem ends in a consonant, so that Николай (никола-й) and Николая (никол-ая) agree.
    while char_len(stem) > 2 {
        match stem.chars().last() {
            Some('а' | 'е' | 'и' | 'о' | 'у' | 'ы' | 'э' | 'ю' | 'я' | 'й' | 'ь') => {
                stem = &stem[..stem.len() - 2];
            }
            _ => break,
        }
    }
    stem
}

/// The transliteration keys of a word as written: one per romanisation convention that
/// reads it differently (a Cyrillic word has one reading; a Latin one may have several:
/// English, scholarly/ISO, German, French, Polish), each also without a Russian case
/// ending, so that "Хрущёвым" and "Khrushchev" meet.
pub fn translit_keys(word: &str) -> Vec<String> {
    let lower: String = word.chars().flat_map(char::to_lowercase).collect();
    let latin = lower.chars().any(|c| c.is_alphabetic() && !is_cyrillic(c));
    let mut keys = if latin {
        translit::keys_latin(&lower)
    } else {
        vec![translit::key_cyrillic(&lower)]
    };
    keys.retain(|k| !k.is_empty());
    for i in 0..keys.len() {
        if let Some(stripped) = translit::without_case_ending(&keys[i]) {
            if !keys.iter().any(|k| k == stripped) {
                let stripped = stripped.to_string();
                keys.push(stripped);
            }
        }
    }
    keys
}

/// Language of a text by its script: "ru" when Cyrillic letters dominate, "en" when Latin
/// ones do, "mixed" when both are common, "und" when there are too few letters to say.
pub fn language(text: &str) -> &'static str {
    let (mut cyr, mut lat) = (0usize, 0usize);
    for c in text.chars() {
        if is_cyrillic(c) {
            cyr += 1;
        } else if c.is_alphabetic() && (c.is_ascii() || ('\u{00C0}'..='\u{024F}').contains(&c)) {
            lat += 1;
        }
    }
    let total = cyr + lat;
    if total < 20 {
        "und"
    } else if cyr * 10 >= total * 7 {
        "ru"
    } else if lat * 10 >= total * 7 {
        "en"
    } else {
        "mixed"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        words(s).map(|w| w.text).collect()
    }

    #[test]
    fn words_keep_inner_apostrophes_but_not_possessives() {
        assert_eq!(
            texts("Kuz'min met O’Neil, Khrushchev's aide."),
            ["Kuz'min", "met", "O’Neil", "Khrushchev", "s", "aide"]
        );
        assert_eq!(
            texts("ф. 17, оп. 171 — «ХОЛА»"),
            ["ф", "17", "оп", "171", "ХОЛА"]
        );
        let w: Vec<_> = words("  Хрущёв").collect();
        assert_eq!((w[0].start, w[0].end), (2, 2 + "Хрущёв".len()));
    }

    #[test]
    fn folding_merges_yo_and_case_but_keeps_short_i() {
        assert_eq!(fold("Хрущёв"), "хрущев");
        assert_eq!(fold("ЙОШКАР"), "йошкар");
        assert_eq!(fold("Hruŝëv"), "hrusev");
        assert_eq!(fold("Khrushchev"), "khrushchev");
    }

    fn lemma_of(w: &str) -> String {
        lemma(&fold(w)).into_owned()
    }

    #[test]
    fn every_case_of_a_surname_shares_the_lemma() {
        let base = lemma_of("Хрущёв");
        for form in [
            "Хрущёва",
            "Хрущёву",
            "Хрущёвым",
            "Хрущеве",
            "Хрущёвой",
            "Хрущёвых",
            "Хрущевыми",
        ] {
            assert_eq!(lemma_of(form), base, "{form}");
        }
        assert_eq!(lemma_of("Кузьмина"), lemma_of("Кузьмин"));
        assert_eq!(lemma_of("Достоевского"), lemma_of("Достоевский"));
        assert_eq!(lemma_of("Троцкому"), lemma_of("Троцкий"));
        assert_ne!(lemma_of("Иван"), lemma_of("Иванов"));
    }

    #[test]
    fn every_case_of_a_given_name_shares_the_lemma() {
        for forms in [
            &["Лаврентий", "Лаврентием", "Лаврентия", "Лаврентию"][..],
            &["Берия", "Берией", "Берии", "Берию"],
            &["Николай", "Николая", "Николаем", "Николаю"],
            &["Иван", "Ивана", "Иваном", "Ивану", "Иване"],
            &["Анна", "Анны", "Анной", "Анну"],
            &["Игорь", "Игоря", "Игорем"],
        ] {
            let base = lemma_of(forms[0]);
            for f in &forms[1..] {
                assert_eq!(lemma_of(f), base, "{f}");
            }
        }
    }

    #[test]
    fn english_words_are_stemmed() {
        assert_eq!(lemma_of("agents"), lemma_of("agent"));
        assert_eq!(lemma_of("recruited"), lemma_of("recruiting"));
    }

    #[test]
    fn language_by_script() {
        assert_eq!(
            language("Справка по делу агента, завербованного в Лондоне"),
            "ru"
        );
        assert_eq!(
            language("Memorandum for the record concerning the defector"),
            "en"
        );
        assert_eq!(
            language("Agent ХОЛА met Mr Smith in London, встреча прошла спокойно"),
            "mixed"
        );
        assert_eq!(language("12 34"), "und");
    }
}
