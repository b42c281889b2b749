//! Words with their character spans, robust to what OCR and typewriters do to text: a word
//! hyphenated across a line end is one word, soft hyphens vanish, and Latin look-alike
//! letters inside a Cyrillic word are read as Cyrillic for matching (spans stay on the
//! original text).

/// A token: a word, a number, or one punctuation character.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The text as written, without soft hyphens or a line-end hyphenation.
    pub text: String,
    /// Lower case, ё as е, look-alikes read as Cyrillic: for dictionary lookups.
    pub norm: String,
    /// First character (index into the text's characters).
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// Whether a line break precedes it.
    pub after_newline: bool,
    /// Starts with a letter or digit (see `is_word`).
    word: bool,
    /// Starts with a capital (see `is_capitalized`).
    capitalized: bool,
    /// Letters, hyphens and apostrophes only (see `is_name_shaped`).
    name_shaped: bool,
    /// Every letter a capital, at least two letters (see `is_all_caps`).
    all_caps: bool,
    /// Cyrillic letters make up at least half of its letters (see `is_cyrillic`).
    cyrillic: bool,
}

impl Token {
    /// Letters or digits (not punctuation).
    pub fn is_word(&self) -> bool {
        self.word
    }

    /// Starts with a capital letter.
    pub fn is_capitalized(&self) -> bool {
        self.capitalized
    }

    /// Made of letters, with perhaps a hyphen or an apostrophe: the shape of a name.
    pub fn is_name_shaped(&self) -> bool {
        self.name_shaped
    }

    /// Every letter is a capital (and there are at least two letters).
    pub fn is_all_caps(&self) -> bool {
        self.all_caps
    }

    /// Cyrillic letters make up most of it.
    pub fn is_cyrillic(&self) -> bool {
        self.cyrillic
    }

    fn new(text: String, norm: String, start: usize, end: usize, after_newline: bool) -> Self {
        let (mut letters, mut capitals, mut cyrillic) = (0usize, 0usize, 0usize);
        for c in text.chars().filter(|&c| is_letter(c)) {
            letters += 1;
            capitals += usize::from(c.is_uppercase());
            cyrillic += usize::from(is_cyrillic(c));
        }
        let first = text.chars().next();
        Token {
            word: first.is_some_and(|c| is_letter(c) || c.is_numeric()),
            capitalized: first.is_some_and(char::is_uppercase),
            name_shaped: text.chars().all(|c| is_letter(c) || c == '-' || c == '\''),
            text,
            norm,
            start,
            end,
            after_newline,
            all_caps: letters >= 2 && capitals == letters,
            cyrillic: letters > 0 && cyrillic * 2 >= letters,
        }
    }
}

pub use kartoteka_text::is_cyrillic;

/// `char::is_alphabetic` with the common scripts first: the general lookup is slow, and
/// extraction asks it of every character.
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else if is_cyrillic(c) {
        // U+0482..U+0489 are a sign and combining marks; the rest of the block is letters.
        !matches!(c, '\u{0482}'..='\u{0489}')
    } else {
        c.is_alphabetic()
    }
}

fn normalize_word(text: &str) -> String {
    let lower: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect();
    let (mut letters, mut cyr) = (0usize, 0usize);
    for c in lower.chars().filter(|&c| is_letter(c)) {
        letters += 1;
        cyr += usize::from(is_cyrillic(c));
    }
    if cyr > 0 && cyr * 2 >= letters && cyr < letters {
        lower
            .chars()
            .map(|c| {
                kartoteka_text::quote::HOMOGLYPHS
                    .iter()
                    .find(|(l, _)| *l == c)
                    .map(|(_, r)| *r)
                    .unwrap_or(c)
            })
            .collect()
    } else {
        lower
    }
}

fn is_word_char(c: char) -> bool {
    is_letter(c) || c.is_numeric() || c == '\u{00AD}' || c == '\u{0301}'
}

/// Splits text into tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut newline = true;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            if c == '\n' || c == '\r' {
                newline = true;
            }
            i += 1;
            continue;
        }
        if is_word_char(c) {
            let start = i;
            let mut word = String::new();
            loop {
                while i < chars.len() && is_word_char(chars[i]) {
                    if chars[i] != '\u{00AD}' && chars[i] != '\u{0301}' {
                        word.push(chars[i]);
                    }
                    i += 1;
                }
                // An inner hyphen or apostrophe joins ("Нью-Йорк", "O'Brien", "AMLASH/1").
                if i + 1 < chars.len()
                    && matches!(chars[i], '-' | '\'' | '’' | '/')
                    && chars[i + 1].is_alphanumeric()
                {
                    word.push(chars[i]);
                    i += 1;
                    continue;
                }
                // "вер-\nбовка": a hyphen at a line end before a lower-case letter.
                if let Some(next) = kartoteka_text::quote::line_end_hyphen(&chars, i) {
                    i = next;
                    continue;
                }
                break;
            }
            let norm = normalize_word(&word);
            out.push(Token::new(word, norm, start, i, newline));
        } else {
            out.push(Token::new(c.to_string(), c.to_string(), i, i + 1, newline));
            i += 1;
        }
        newline = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocr_damage_does_not_break_words_or_spans() {
        let text = "завер-\nбована Coкoлoва Нью-Йорк Со\u{ad}колов";
        let t = tokenize(text);
        assert_eq!(t[0].text, "завербована");
        assert_eq!((t[0].start, t[0].end), (0, 13));
        assert_eq!(t[1].norm, "соколова");
        assert_eq!(t[2].text, "Нью-Йорк");
        assert_eq!(t[3].text, "Соколов");
        let chars: Vec<char> = text.chars().collect();
        let span: String = chars[t[3].start..t[3].end].iter().collect();
        assert_eq!(span, "Со\u{ad}колов");
    }
}
