//! Romanisation by a named scheme: the 28 official and de-facto tables Russian names are
//! written in (GOST 7.79, ISO 9, BGN/PCGN, ALA-LC, ICAO 9303 passports, the MVD rules,
//! Wikipedia, Yandex, Telegram...), so that a name can be given as it would appear in a
//! passport, a library catalogue or a Western file.
//!
//! The tables come from the iuliia project (data/generate_schemes.py, MIT licence). A
//! scheme maps a letter by itself, or by the letter before it (or the start of a word), or
//! by the letter after it, and a word's last two letters as a whole ("ий" -> "y"); the
//! capitals follow the Cyrillic.

use std::collections::HashMap;
use std::sync::OnceLock;

const SCHEMES_TSV: &str = include_str!("../data/schemes.tsv");

/// A romanisation scheme.
#[derive(Debug, Default)]
pub struct Scheme {
    name: String,
    letters: HashMap<String, String>,
    after: HashMap<String, String>,
    before: HashMap<String, String>,
    endings: HashMap<String, String>,
}

/// Python's `str.capitalize`, which the tables' case rules are written in terms of: the
/// first letter in capitals, the rest in lower case.
fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f
            .to_uppercase()
            .chain(c.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

impl Scheme {
    /// The scheme's name, as iuliia spells it ("wikipedia", "gost_779", "icao_doc_9303").
    pub fn name(&self) -> &str {
        &self.name
    }

    fn add(&mut self, table: &str, cyrillic: &str, latin: &str) {
        let (c, l) = (cyrillic.to_string(), latin.to_string());
        match table {
            "map" => {
                self.letters.insert(capitalize(&c), capitalize(&l));
                self.letters.insert(c, l);
            }
            "prev" => {
                // Later rules win, as in the reference implementation: a capital pair gives
                // a capitalised value.
                self.after.insert(c.clone(), l.clone());
                self.after.insert(capitalize(&c), l.clone());
                self.after.insert(c.to_uppercase(), capitalize(&l));
            }
            "next" => {
                self.before.insert(c.clone(), l.clone());
                self.before.insert(capitalize(&c), capitalize(&l));
                self.before.insert(c.to_uppercase(), capitalize(&l));
            }
            "end" => {
                self.endings.insert(c.to_uppercase(), l.to_uppercase());
                self.endings.insert(c, l);
            }
            _ => {}
        }
    }

    /// Romanises a text, word by word; what is not Cyrillic passes through.
    pub fn romanise(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + text.len() / 2);
        let chars: Vec<char> = text.chars().collect();
        let word_char = |c: char| c.is_alphanumeric() || c == '_';
        let mut start = 0;
        while start < chars.len() {
            let kind = word_char(chars[start]);
            let mut end = start + 1;
            while end < chars.len() && word_char(chars[end]) == kind {
                end += 1;
            }
            self.word(&chars[start..end], &mut out);
            start = end;
        }
        out
    }

    fn word(&self, word: &[char], out: &mut String) {
        if word.len() > 2 {
            let ending: String = word[word.len() - 2..].iter().collect();
            if let Some(latin) = self.endings.get(&ending) {
                self.letters_of(&word[..word.len() - 2], out);
                out.push_str(latin);
                return;
            }
        }
        self.letters_of(word, out);
    }

    fn letters_of(&self, word: &[char], out: &mut String) {
        let mut key = String::with_capacity(8);
        for (i, &c) in word.iter().enumerate() {
            key.clear();
            if i > 0 {
                key.push(word[i - 1]);
            }
            key.push(c);
            if let Some(l) = self.after.get(&key) {
                out.push_str(l);
                continue;
            }
            key.clear();
            key.push(c);
            if let Some(&next) = word.get(i + 1) {
                key.push(next);
                if let Some(l) = self.before.get(&key) {
                    out.push_str(l);
                    continue;
                }
                key.pop();
            }
            match self.letters.get(&key) {
                Some(l) => out.push_str(l),
                None => out.push(c),
            }
        }
    }
}

/// Every scheme, by name.
pub fn schemes() -> &'static [Scheme] {
    static SCHEMES: OnceLock<Vec<Scheme>> = OnceLock::new();
    SCHEMES.get_or_init(|| {
        let mut out: Vec<Scheme> = Vec::new();
        for line in SCHEMES_TSV.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.splitn(4, '\t');
            let (Some(name), Some(table), Some(cyr), Some(lat)) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            if out.last().is_none_or(|s| s.name != name) {
                out.push(Scheme {
                    name: name.to_string(),
                    ..Scheme::default()
                });
            }
            if let Some(s) = out.last_mut() {
                s.add(table, cyr, lat);
            }
        }
        out
    })
}

/// The scheme of that name ("wikipedia", "gost_779", "bgn_pcgn", "icao_doc_9303", ...).
pub fn scheme(name: &str) -> Option<&'static Scheme> {
    schemes().iter().find(|s| s.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_romanise_as_each_scheme_writes_them() {
        let wikipedia = scheme("wikipedia").unwrap();
        assert_eq!(wikipedia.romanise("Хрущёв"), "Khrushchyov");
        assert_eq!(wikipedia.romanise("Ельцин, Юрий"), "Yeltsin, Yury");
        assert_eq!(
            scheme("icao_doc_9303").unwrap().romanise("Хрущёв"),
            "Khrushchev"
        );
        assert_eq!(scheme("gost_779").unwrap().romanise("Щукина"), "Ŝukina");
        assert!(scheme("klingon").is_none());
        assert!(schemes().len() >= 28);
    }
}
