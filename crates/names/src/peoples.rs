//! Words that name a people or a party's members rather than a person: "британците",
//! "Brytyjczycy", "Britové", "Britanci", "konzervativci", "лейбористов". Annotators and
//! extractors often tag them as persons; they are never a person's name, but the forms of
//! one word in six languages and every case are one group.
//!
//! No lexicon of peoples is kept: the plural, member and demonym endings of the Slavic
//! languages are stripped and the stems compared by sound, as names by ear are. The endings are strong (only a group noun takes them: "-czycy", "-ците",
//! "-ové") or weak (a name's case may take them too: "-y", "-i", "-ka"); a weak form counts
//! only when a strong form, or a lower-case word, has already given its stem.

/// Endings only a word for a group of people takes (plural and member forms), longest
/// first within each language.
const STRONG: &[&str] = &[
    // Polish
    "czykami", "czykach", "czykiem", "czyków", "czykom", "czycy", "owcami", "owców", "owcy",
    "anami", "anach", "anie", "akami", "aków", "acy", "owie", "yści", "iści", "ystów", "istów",
    "ystom", "istom", "ystami", "istami", // Czech and Slovak
    "ané", "anů", "anům", "ové", "ců", "cům", "ci", // Slovene
    "cev", "cih", "ijci", "ijcev", // Bulgarian
    "ците", "ите", "ци", "ецът", "инът", // Russian and Ukrainian
    "цами", "цев", "цы", "ане", "анам", "ці", "ців",
];

/// Endings a group noun takes that a person's name in some case may take too.
const WEAK: &[&str] = &[
    // Polish, Czech, Slovene: cases of a plural or of a member noun, a woman of a people.
    "ami", "ach", "ów", "om", "ům", "ů", "ov", "em", "ce", "ka", "ki", "kę", "ką", "kou", "ky", "y",
    "i", "e", "a", "u", // Bulgarian and Russian
    "ката", "ка", "ец", "еца", "ин", "ов", "ам", "ами", "ы", "и", "а",
];

/// How a lone word reads as a group noun: strongly (its ending or its lower-case initial
/// says so) or weakly, with the key its stem gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GroupNoun {
    /// The stem in rough Latin with its vowels blurred, cut to six letters: forms of one
    /// word in any script share it ("Brytyjczycy", "британците", "Britové" all give
    /// "brat"; "konzervativci" and "konservativcev" share "kansar").
    pub key: String,
    /// Whether the word is surely a group noun.
    pub strong: bool,
}

/// The word read as a group noun, or None when it has no such ending or too short a stem.
pub(crate) fn group_noun(word: &str) -> Option<GroupNoun> {
    let word = word.trim();
    if word.is_empty() || word.split_whitespace().count() != 1 || word.contains('.') {
        return None;
    }
    let lower = word.to_lowercase();
    // Names are written with a capital; a lower-case "британци" or "konzervativci" is a
    // common noun.
    let lower_case_initial = word.chars().next().is_some_and(char::is_lowercase);
    let (mut stem, strong) = if let Some(stem) = strip_longest(&lower, STRONG) {
        (stem, true)
    } else if let Some(stem) = strip_longest(&lower, WEAK) {
        (stem, lower_case_initial)
    } else {
        (lower.as_str(), lower_case_initial)
    };
    // The joints between a place's name and the ending: Polish "Brytyj-czycy",
    // "Europej-czycy", Bulgarian "европей-ците", and "-an-" ("Britan-ci", "британ-ци",
    // "Pakistań-czycy"), then a stem's last vowel ("поля-ци").
    for joint in ["yj", "ij", "ej", "ей", "ий", "ян", "ан", "an", "ań", "án"] {
        if let Some(shorter) = stem.strip_suffix(joint) {
            if shorter.chars().count() >= 3 {
                stem = shorter;
                break;
            }
        }
    }
    if let Some(last) = stem
        .chars()
        .last()
        .filter(|c| "aeiouyáéíóúýěůаеиоуыэюяъ".contains(*c))
    {
        let shorter = &stem[..stem.len() - last.len_utf8()];
        if shorter.chars().count() >= 3 {
            stem = shorter;
        }
    }
    if stem.chars().count() < 3 {
        return None;
    }
    let latin = crate::sound::rough_latin(stem).replacen("eu", "ev", 1);
    let sound = crate::sound::reduce(&latin, true);
    if sound.chars().filter(|&c| c != 'a').count() < 2 {
        return None;
    }
    Some(GroupNoun {
        key: sound.chars().take(6).collect(),
        strong,
    })
}

fn strip_longest<'a>(word: &'a str, endings: &[&str]) -> Option<&'a str> {
    endings
        .iter()
        .filter(|e| word.ends_with(*e))
        .max_by_key(|e| e.len())
        .map(|e| &word[..word.len() - e.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(w: &str) -> Option<(String, bool)> {
        group_noun(w).map(|g| (g.key, g.strong))
    }

    #[test]
    fn forms_of_one_people_in_six_languages_share_a_key() {
        let britons = [
            "Brytyjczycy",
            "Brytyjczyków",
            "британците",
            "британци",
            "Britové",
            "Britanci",
            "Britancev",
            "британцев",
            "Британцы",
        ];
        let first = key(britons[0]).expect("a group noun");
        for w in britons {
            assert_eq!(key(w), Some((first.0.clone(), true)), "{w}");
        }
        // Party members, in Bulgarian, Czech and Slovene.
        let k = key("консерваторите").expect("a group noun").0;
        for w in ["konzervativci", "konservativcev", "konzervativců"] {
            assert_eq!(key(w).map(|k| k.0), Some(k.clone()), "{w}");
        }
    }

    #[test]
    fn names_and_weak_forms_are_not_sure() {
        // A capitalised word with only a case ending may be a surname.
        assert_eq!(key("Brity").map(|k| k.1), Some(false));
        assert_eq!(key("Rizvi").map(|k| k.1), Some(false));
        // Several words, initials, or too short a stem: not a group noun.
        assert_eq!(key("Boris Johnson"), None);
        assert_eq!(key("Т.Мей"), None);
        assert_eq!(key("Ову"), None);
    }
}
