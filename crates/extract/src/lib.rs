//! Finding who and what a text mentions: persons (with the nominative lemma of an oblique
//! form: «Лаврентием Берией» -> Лаврентий Берия), cover names (KGB style in guillemets
//! after агент, псевдоним, ...; Western cryptonyms in capitals: HOMER, AMLASH/1), roles,
//! services, places (with ISO 3166 codes, historical names included) and dates (Russian
//! months in the genitive, "в 1937 г.", seasons, ranges), each with its exact character
//! span; and the relations a sentence states between them.
//!
//! Rules and small dictionaries, no model: fast, explainable, and exact about spans. The
//! spans are character (Unicode scalar value) offsets into the text given, end exclusive.
//!
//! ```
//! use kartoteka_extract::{extract, MentionKind};
//! let found = extract("Агент «ХОЛА» завербована в 1937 г. в Лондоне оперработником Кузьминым А. П.");
//! let person = found.mentions.iter().find(|m| m.kind == MentionKind::Person).unwrap();
//! assert_eq!(person.lemma, "Кузьмин А. П.");
//! assert!(found.mentions.iter().any(|m| m.kind == MentionKind::CoverName && m.lemma == "ХОЛА"));
//! ```

mod cover_names;
mod dates;
mod finder;
mod persons;
mod places;
mod relations;
mod tagger;
mod tokens;

pub use tagger::{default_tagger, ModelError, PersonTagger};

use std::collections::{HashMap, HashSet};

use serde::Serialize;
pub use tokens::{tokenize, Token};

use finder::*;
use kartoteka_lexicon::{
    adjective_shaped, case_stem, dict, lexicon, patronymic, surname_candidates, surname_lemma,
    surname_shaped, Lexicon, NAME_PARTICLES, NOUN_ENDINGS,
};
use kartoteka_text::title_case as title;

/// Name morphology, from the lexicon crate, for callers that know this crate.
pub use kartoteka_lexicon::{
    cover_nominative, familiar_given_name, given_name, known_surname, patronymic_name,
    surname_nominative,
};

pub use kartoteka_model::{MentionKind, RelationKind};

/// One mention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mention {
    /// What it is.
    pub kind: MentionKind,
    /// The text as written.
    pub text: String,
    /// Its dictionary form: nominative name, canonical service, place or role, the cover
    /// name in the nominative.
    pub lemma: String,
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// A code: ISO 3166 for places, ISO 8601 (or a range "from..to") for dates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// A relation between two mentions, with the span of the sentence that states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Relation {
    /// What it says.
    pub kind: RelationKind,
    /// The index of the first mention in [`Extraction::mentions`].
    pub from: usize,
    /// The index of the second.
    pub to: usize,
    /// First character of the evidence.
    pub start: usize,
    /// One past its last character.
    pub end: usize,
}

/// Everything found in a text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Extraction {
    /// Mentions in text order.
    pub mentions: Vec<Mention>,
    /// Relations.
    pub relations: Vec<Relation>,
}

/// The language a text is known to be in, when the caller knows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Language {
    /// Russian and English both looked for, word by word by script (the default).
    #[default]
    Auto,
    /// Russian: mentions written in Latin letters are left out, except cover names.
    Russian,
    /// English: mentions written in Cyrillic are left out, except cover names.
    English,
}

/// Finds the mentions in a text known to be in one language: as `extract`, keeping only
/// the mentions written in that language's script (cover names are kept in any script,
/// since a Western file quotes KGB names and a KGB file Western ones).
pub fn extract_in(text: &str, language: Language) -> Extraction {
    let all = extract(text);
    let keep = |m: &Mention| {
        let cyrillic = m.text.chars().any(tokens::is_cyrillic);
        m.kind == MentionKind::CoverName
            || match language {
                Language::Auto => true,
                Language::Russian => cyrillic || !m.text.chars().any(|c| c.is_alphabetic()),
                Language::English => !cyrillic,
            }
    };
    // Relations refer to mentions by index: renumber them, dropping those that lose an end.
    let mut index = vec![None; all.mentions.len()];
    let mut mentions = Vec::new();
    for (i, m) in all.mentions.into_iter().enumerate() {
        if keep(&m) {
            index[i] = Some(mentions.len());
            mentions.push(m);
        }
    }
    let relations = all
        .relations
        .into_iter()
        .filter_map(|r| {
            let (from, to) = (index[r.from]?, index[r.to]?);
            Some(Relation { from, to, ..r })
        })
        .collect();
    Extraction {
        mentions,
        relations,
    }
}

/// Runs every rule over a text: the finder with its tokens and the rules' mentions.
pub(crate) fn find(text: &str) -> (Finder, Vec<char>) {
    let chars: Vec<char> = text.chars().collect();
    let mut f = Finder::new(text);
    f.dates(&chars);
    f.quoted_cover_names(&chars);
    f.cued_cyrillic_cover_names(&chars);
    f.orgs(&chars);
    f.places(&chars);
    f.roles(&chars);
    f.persons(&chars);
    f.cryptonyms(&chars);
    f.cover_lemmas();
    (f, chars)
}

/// Finds the mentions in a text and the relations its sentences state, with the embedded
/// person tagger's second opinion on names in Cyrillic.
pub fn extract(text: &str) -> Extraction {
    extract_with(text, default_tagger())
}

/// As [`extract`], with the given person tagger, or the rules alone with `None` (to
/// measure what the tagger adds, or to try another model).
pub fn extract_with(text: &str, tagger: Option<&PersonTagger>) -> Extraction {
    let (mut f, chars) = find(text);
    if let Some(tagger) = tagger {
        f.second_opinion(tagger, &chars);
    }
    let mut found = std::mem::take(&mut f.mentions);
    found.sort_by_key(|(m, _, _)| m.start);
    let token_of: Vec<(usize, usize)> = found.iter().map(|(_, a, b)| (*a, *b)).collect();
    let mentions: Vec<Mention> = found.into_iter().map(|(m, _, _)| m).collect();
    let relations = f.relations(&mentions, &token_of);
    Extraction {
        mentions,
        relations,
    }
}

#[cfg(test)]
mod tests;
