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
}

impl Token {
    /// Letters or digits (not punctuation).
    pub fn is_word(&self) -> bool {
        self.text
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric())
    }

    /// Starts with a capital letter.
    pub fn is_capitalized(&self) -> bool {
        self.text.chars().next().is_some_and(|c| c.is_uppercase())
    }

    /// Every letter is a capital (and there are at least two letters).
    pub fn is_all_caps(&self) -> bool {
        let letters: Vec<char> = self.text.chars().filter(|c| c.is_alphabetic()).collect();
        letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())
    }

    /// Cyrillic letters make up most of it.
    pub fn is_cyrillic(&self) -> bool {
        let letters: Vec<char> = self.text.chars().filter(|c| c.is_alphabetic()).collect();
        !letters.is_empty()
            && letters.iter().filter(|c| is_cyrillic(**c)).count() * 2 >= letters.len()
    }
}

/// True for Cyrillic letters.
pub fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

fn normalize_word(text: &str) -> String {
    let lower: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect();
    let letters: Vec<char> = lower.chars().filter(|c| c.is_alphabetic()).collect();
    let cyr = letters.iter().filter(|c| is_cyrillic(**c)).count();
    if cyr > 0 && cyr * 2 >= letters.len() {
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
    c.is_alphanumeric() || c == '\u{00AD}' || c == '\u{0301}'
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
            out.push(Token {
                norm: normalize_word(&word),
                text: word,
                start,
                end: i,
                after_newline: newline,
            });
        } else {
            out.push(Token {
                text: c.to_string(),
                norm: c.to_string(),
                start: i,
                end: i + 1,
                after_newline: newline,
            });
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
