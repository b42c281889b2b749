//! Cover names: KGB style in guillemets or quotes after a cue word, in capitals after
//! one, with the holder in brackets, and Western cryptonyms in capitals.

use crate::*;
use kartoteka_model::MentionKind;

impl Finder {
    /// A word that introduces a cover name: "псевдоним", "кличка", "code-named",
    /// "cryptonym", "known as".
    pub(crate) fn code_name_cue(&self, i: usize) -> bool {
        let n = self.norm(i);
        [
            "псевдоним",
            "кличк",
            "code-named",
            "codename",
            "cryptonym",
            "alias",
            "pseudonym",
            "deckname",
            "kryptonim",
            "pseudonim",
        ]
        .iter()
        .any(|st| n.starts_with(st))
            || (n == "as"
                && i > 0
                && matches!(self.norm(i - 1), "known" | "renamed" | "designated"))
            || (matches!(n, "named" | "called") && i > 0 && self.norm(i - 1) == "code")
    }

    pub(crate) fn quoted_cover_names(&mut self, chars: &[char]) {
        let opens = ["«", "„", "\"", "“"];
        let mut i = 0;
        while i < self.tokens.len() {
            if !opens.contains(&self.text_at(i)) {
                i += 1;
                continue;
            }
            let close = (i + 1..(i + 6).min(self.tokens.len()))
                .find(|&j| matches!(self.text_at(j), "»" | "“" | "”" | "\""));
            let Some(close) = close else {
                i += 1;
                continue;
            };
            let inner = i + 1..close;
            if inner.is_empty()
                || !inner
                    .clone()
                    .all(|j| self.tokens[j].is_word() || self.text_at(j) == "-")
                || !self.tokens[i + 1].is_capitalized()
            {
                i = close + 1;
                continue;
            }
            let before: Vec<usize> = (i.saturating_sub(4)..i)
                .rev()
                .filter(|&j| self.tokens[j].is_word())
                .take(3)
                .collect();
            // "газета «Правда»" is a newspaper; but "дело на «КАРЛА»" is a file on a person.
            let on_person = i > 0 && matches!(self.norm(i - 1), "на" | "on");
            let trapped = !on_person
                && before
                    .iter()
                    .take(2)
                    .any(|&j| self.stem_matches(j, dict::COVER_TRAPS));
            // "«ТУ-104»", "«Москвич-412»": a name with a number is a model, not a person.
            let numbered = inner
                .clone()
                .any(|j| self.text_at(j).chars().any(|c| c.is_ascii_digit()));
            let triggered = before.iter().any(|&j| {
                self.stem_matches(j, dict::COVER_TRIGGERS) && !self.stem_matches(j, &["агентств"])
            });
            let caps = inner.clone().all(|j| {
                !self.tokens[j].is_word()
                    || self.tokens[j].is_all_caps()
                    || self.text_at(j).chars().count() == 1
            });
            if !trapped && (triggered || (caps && !numbered)) && self.free(i + 1, close) {
                let name: String =
                    span_text(chars, self.tokens[i + 1].start, self.tokens[close - 1].end);
                self.add(MentionKind::CoverName, i + 1, close, name, None, chars);
            }
            i = close + 1;
        }
    }

    /// A Cyrillic cover name in a Western text, unquoted, after a cue word ("Source ДУНАЙ
    /// (Dmitrij Gorskev)"): four letters at least and no service's name. Found before
    /// places, since cover names are often rivers and cities ("ДУНАЙ").
    pub(crate) fn cued_cyrillic_cover_names(&mut self, chars: &[char]) {
        for i in 1..self.tokens.len() {
            let t = &self.tokens[i];
            if self.used[i] || !t.is_cyrillic() || !t.is_all_caps() {
                continue;
            }
            let letters: String = t.text.chars().take_while(|c| c.is_alphabetic()).collect();
            let lower = letters.to_lowercase();
            if letters.chars().count() < 4 || dict::ORGS.iter().any(|(o, _)| *o == lower) {
                continue;
            }
            if self.stem_matches(i - 1, dict::CRYPTONYM_CUES) {
                let lemma = t.text.clone();
                self.add(MentionKind::CoverName, i, i + 1, lemma, None, chars);
                self.bracketed_holder(i + 1, chars);
            }
        }
    }

    /// The true name in brackets right after a cover name in a Western text: two or three
    /// capitalised Latin words, "(Dmitrij Gorskev)", a romanised name the lexicons need
    /// not know.
    pub(crate) fn bracketed_holder(&mut self, open: usize, chars: &[char]) {
        if self.text_at(open) != "(" {
            return;
        }
        let words = (open + 1..self.tokens.len().min(open + 5))
            .take_while(|&j| {
                let t = &self.tokens[j];
                t.is_name_shaped() && t.is_capitalized() && !t.is_all_caps() && !t.is_cyrillic()
            })
            .count();
        let close = open + 1 + words;
        if (2..=3).contains(&words) && self.text_at(close) == ")" && self.free(open + 1, close) {
            let lemma: Vec<&str> = (open + 1..close).map(|j| self.text_at(j)).collect();
            self.add(
                MentionKind::Person,
                open + 1,
                close,
                lemma.join(" "),
                None,
                chars,
            );
        }
    }

    pub(crate) fn cryptonyms(&mut self, chars: &[char]) {
        // Lines set wholly in capitals are headings, not prose with cryptonyms in it.
        let mut line_caps: HashMap<usize, (usize, usize)> = HashMap::new();
        let mut line = 0;
        let mut line_of = vec![0; self.tokens.len()];
        for (i, t) in self.tokens.iter().enumerate() {
            if t.after_newline && i > 0 {
                line += 1;
            }
            line_of[i] = line;
            if t.is_word() && t.text.chars().any(|c| c.is_alphabetic()) {
                let e = line_caps.entry(line).or_default();
                e.1 += 1;
                if t.is_all_caps() {
                    e.0 += 1;
                }
            }
        }
        for (i, &line) in line_of.iter().enumerate() {
            let t = &self.tokens[i];
            if self.used[i] || !t.is_all_caps() || t.is_cyrillic() {
                continue;
            }
            let letters: String = t.text.chars().take_while(|c| c.is_alphabetic()).collect();
            if letters.chars().count() < 3 || dict::NOT_CRYPTONYMS.contains(&letters.as_str()) {
                continue;
            }
            let triggered = i > 0
                && (self.stem_matches(i - 1, dict::CRYPTONYM_CUES) || self.code_name_cue(i - 1));
            let (caps, words) = line_caps.get(&line).copied().unwrap_or((0, 1));
            let prose = caps * 2 < words;
            // CIA cryptonyms begin with a two-letter digraph (AMLASH, LIENVOY, ZRRIFLE) and
            // often carry a number (AMLASH/1); any other word in capitals needs a cue word
            // before it ("source HOMER"), since OCR'd files are full of codes and acronyms.
            let numbered =
                t.text.contains('/') && t.text.chars().last().is_some_and(|c| c.is_ascii_digit());
            let digraph = letters.chars().count() >= 5
                && dict::CIA_DIGRAPHS.iter().any(|d| letters.starts_with(d));
            // "Arnold KUZMIN", "Pyotr ZHDANOV": a surname in capitals after a given name,
            // whatever its first letters.
            let after_given_name = i > 0 && {
                let before = &self.tokens[i - 1];
                before.is_name_shaped() && before.is_capitalized() && !before.is_all_caps()
            };
            if triggered || (prose && !after_given_name && (numbered || digraph)) {
                let lemma = t.text.clone();
                self.add(MentionKind::CoverName, i, i + 1, lemma, None, chars);
                self.bracketed_holder(i + 1, chars);
            }
        }
    }

    /// Cover names in an oblique case take the nominative met elsewhere in the text.
    pub(crate) fn cover_lemmas(&mut self) {
        let nominatives: HashSet<String> = self
            .mentions
            .iter()
            .filter(|(m, _, _)| m.kind == MentionKind::CoverName)
            .map(|(m, _, _)| m.lemma.clone())
            .collect();
        for (m, _, _) in &mut self.mentions {
            if m.kind != MentionKind::CoverName || m.lemma.contains(' ') {
                continue;
            }
            if let Some(n) = cover_nominative(&m.lemma, &nominatives) {
                m.lemma = n;
            }
        }
    }
}
