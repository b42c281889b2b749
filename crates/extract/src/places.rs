//! Services and organisations, places (with ISO 3166 codes, historical names included)
//! and roles.

use crate::*;
use kartoteka_model::MentionKind;

impl Finder {
    pub(crate) fn phrase_match(&self, i: usize, phrase: &str) -> Option<usize> {
        let words: Vec<&str> = phrase.split(' ').collect();
        for (k, w) in words.iter().enumerate() {
            if self.norm(i + k) != *w {
                return None;
            }
        }
        Some(i + words.len())
    }

    pub(crate) fn orgs(&mut self, chars: &[char]) {
        for i in 0..self.tokens.len() {
            if self.used[i] {
                continue;
            }
            let mut best: Option<(usize, &str)> = None;
            let candidates = self.lex.orgs.get(self.norm(i)).cloned().unwrap_or_default();
            for (form, canonical) in candidates {
                if let Some(end) = self.phrase_match(i, form) {
                    // Acronyms must be written as acronyms.
                    let acronym = !form.contains(' ') && form.chars().count() <= 5;
                    if acronym
                        && !self.tokens[i].is_all_caps()
                        && !self.text_at(i).chars().any(|c| c.is_ascii_digit())
                    {
                        continue;
                    }
                    if best.is_none_or(|(e, _)| end > e) {
                        best = Some((end, canonical));
                    }
                }
            }
            if let Some((end, canonical)) = best {
                if self.free(i, end) {
                    self.add(MentionKind::Org, i, end, canonical.to_string(), None, chars);
                }
            }
        }
    }

    pub(crate) fn place_candidates(norm: &str) -> Vec<String> {
        let mut out = vec![norm.to_string()];
        let n: Vec<char> = norm.chars().collect();
        let cut = |k: usize| -> String { n[..n.len().saturating_sub(k)].iter().collect() };
        for (ending, back) in [
            ("е", ""),
            ("а", ""),
            ("у", ""),
            ("ом", ""),
            ("ы", "а"),
            ("и", "а"),
            ("е", "а"),
            ("у", "а"),
            ("ой", "а"),
            ("ии", "ия"),
            ("я", "ь"),
            ("я", "е"),
            ("ию", "ия"),
            ("ией", "ия"),
            ("е", "ь"),
            ("и", "ь"),
            ("ов", "ы"),
            ("ам", "ы"),
            ("ах", "ы"),
            ("ах", "и"),
            ("ам", "и"),
        ] {
            if norm.ends_with(ending) && n.len() > ending.chars().count() + 2 {
                out.push(format!("{}{back}", cut(ending.chars().count())));
            }
        }
        out
    }

    pub(crate) fn places(&mut self, chars: &[char]) {
        for i in 0..self.tokens.len() {
            if self.used[i] || !self.tokens[i].is_capitalized() {
                continue;
            }
            // Two-word names first.
            let two = if self.lex.place_first_words.contains(self.norm(i)) {
                format!("{} {}", self.norm(i), self.norm(i + 1))
            } else {
                String::new()
            };
            if let Some((name, code)) = self.lex.places.get(two.as_str()) {
                if self.free(i, i + 2) {
                    self.add(
                        MentionKind::Place,
                        i,
                        i + 2,
                        name.to_string(),
                        Some(code.to_string()),
                        chars,
                    );
                    continue;
                }
            }
            let found = if self.tokens[i].is_cyrillic() {
                Self::place_candidates(self.norm(i))
                    .into_iter()
                    .find_map(|c| self.lex.places.get(c.as_str()).copied())
            } else {
                self.lex.places.get(self.norm(i)).copied()
            };
            if let Some((name, code)) = found {
                self.add(
                    MentionKind::Place,
                    i,
                    i + 1,
                    name.to_string(),
                    Some(code.to_string()),
                    chars,
                );
                continue;
            }
            // Towns, regions and rivers the country table does not hold: a place without a
            // code, when the name is no ordinary word and does not open a sentence.
            if self.is_place(i) && !self.sentence_start(i) {
                let lemma = Self::place_candidates(self.norm(i)).into_iter().find(|c| {
                    self.lex.geo.get(c) == Some(&false) && !self.lex.surnames.contains(c)
                });
                if let Some(lemma) = lemma {
                    self.add(MentionKind::Place, i, i + 1, title(&lemma), None, chars);
                }
            }
        }
    }

    pub(crate) fn roles(&mut self, chars: &[char]) {
        for i in 0..self.tokens.len() {
            if self.used[i] {
                continue;
            }
            let multi = self
                .lex
                .multi_roles
                .get(self.norm(i))
                .cloned()
                .unwrap_or_default();
            if let Some((end, role)) = multi
                .iter()
                .find_map(|(form, role)| self.phrase_match(i, form).map(|e| (e, *role)))
            {
                if self.free(i, end) {
                    self.add(MentionKind::Role, i, end, role.to_string(), None, chars);
                }
                continue;
            }
            if let Some(role) = self.lex.roles.get(self.norm(i)).copied() {
                self.add(MentionKind::Role, i, i + 1, role.to_string(), None, chars);
            }
        }
    }
}
