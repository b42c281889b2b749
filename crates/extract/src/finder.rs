//! The finder: a text's tokens with what was looked up of each and the mentions found so
//! far, and the operations every rule family uses.

use crate::*;
use kartoteka_model::MentionKind;

pub(crate) struct Finder {
    pub(crate) tokens: Vec<Token>,
    /// Per token, for capitalised words: (names a place, is a known surname), looked up once.
    pub(crate) looked_up: Vec<(bool, bool, bool)>,
    /// Per token: it names a street.
    pub(crate) streets: Vec<bool>,
    pub(crate) used: Vec<bool>,
    pub(crate) mentions: Vec<(Mention, usize, usize)>,
    pub(crate) lex: &'static Lexicon,
}

pub(crate) fn span_text(chars: &[char], start: usize, end: usize) -> String {
    chars[start..end].iter().collect()
}

impl Finder {
    pub(crate) fn new(text: &str) -> Self {
        let tokens = tokenize(text);
        let used = vec![false; tokens.len()];
        let lex = lexicon();
        let looked_up = tokens
            .iter()
            .map(|t| {
                if !t.is_word() || !t.is_capitalized() {
                    return (false, false, false);
                }
                // The inflected lexicons are Russian; a word in Latin letters is looked up
                // as it stands.
                if !t.is_cyrillic() {
                    return (lex.places.contains_key(t.norm.as_str()), false, false);
                }
                // A country or a town, unless the same word is a person's name in its own
                // right ("Питер", "Каролина"); "Дании" is Denmark, not a case of "Даний".
                let candidates = Self::place_candidates(&t.norm);
                let given = lex.given.get(&t.norm).map(|(n, _)| n.to_lowercase());
                let place = candidates
                    .iter()
                    .any(|c| lex.places.contains_key(c.as_str()))
                    || candidates.iter().any(|c| {
                        lex.geo.contains_key(c)
                            && !lex.surnames.contains(c)
                            && given.as_deref() != Some(c.as_str())
                    });
                let surnames: Vec<String> = surname_candidates(&t.norm)
                    .into_iter()
                    .filter(|c| lex.surnames.contains(c))
                    .collect();
                let clean = !lex.common_forms.contains(&t.norm)
                    && surnames.iter().any(|c| !lex.common_surnames.contains(c));
                (place, clean, !surnames.is_empty())
            })
            .collect();
        Finder {
            streets: Self::street_names(&tokens),
            looked_up,
            tokens,
            used,
            mentions: Vec::new(),
            lex: lexicon(),
        }
    }

    pub(crate) fn free(&self, from: usize, to: usize) -> bool {
        to <= self.tokens.len() && (from..to).all(|i| !self.used[i])
    }

    pub(crate) fn add(
        &mut self,
        kind: MentionKind,
        from: usize,
        to: usize,
        lemma: String,
        code: Option<String>,
        chars: &[char],
    ) {
        let start = self.tokens[from].start;
        let end = self.tokens[to - 1].end;
        for u in &mut self.used[from..to] {
            *u = true;
        }
        self.mentions.push((
            Mention {
                kind,
                text: span_text(chars, start, end),
                lemma,
                start,
                end,
                code,
            },
            from,
            to,
        ));
    }

    pub(crate) fn norm(&self, i: usize) -> &str {
        self.tokens.get(i).map(|t| t.norm.as_str()).unwrap_or("")
    }

    pub(crate) fn text_at(&self, i: usize) -> &str {
        self.tokens.get(i).map(|t| t.text.as_str()).unwrap_or("")
    }

    pub(crate) fn stem_matches(&self, i: usize, stems: &[&str]) -> bool {
        let n = self.norm(i);
        stems.iter().any(|s| n.starts_with(s))
    }

    /// True when the token begins a sentence (or a line), where any word is capitalised.
    pub(crate) fn sentence_start(&self, i: usize) -> bool {
        if i == 0 || self.tokens[i].after_newline {
            return true;
        }
        let prev = self.text_at(i - 1);
        matches!(prev, "." | "!" | "?" | "—" | "–" | ":" | "\"" | "«")
            && !(i >= 2 && self.text_at(i - 2).chars().count() == 1)
    }
}
