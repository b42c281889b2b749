//! The dictionaries and the Russian name morphology that finding names in text
//! (kartoteka-extract) and comparing names (kartoteka-names) share: given names with their
//! case forms, patronymics, surnames and their nominatives, places, services and roles,
//! and cover names in oblique cases. One copy, so that the two can never disagree about
//! what a name is.
//!
//! ```
//! use kartoteka_model::Sex;
//! assert_eq!(kartoteka_lexicon::given_name("Лаврентием"), Some(("Лаврентий".to_string(), Sex::Male)));
//! assert_eq!(kartoteka_lexicon::surname_nominative("Берией", Some(Sex::Male)), "Берия");
//! ```

#![warn(missing_docs)]

use kartoteka_model::Sex;

pub mod dict;

use std::collections::{HashMap, HashSet};

use kartoteka_text::title_case as title;

/// Russian noun endings a dictionary word may carry.
pub const NOUN_ENDINGS: &[&str] = &[
    "", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах", "и", "ей", "ям", "ями", "ях", "ю", "я",
    "ем", "ой",
];

/// Given names, surnames and places from OpenCorpora (see data/generate.py).
pub const NAMES_TSV: &str = include_str!("../data/names.tsv");

/// The dictionaries, indexed once per process.
pub struct Lexicon {
    /// Every case form of a given name: its nominative and whether it is a woman's.
    pub given: HashMap<String, (String, bool)>,
    /// The forms of the common given names of `dict` (not the long tail of the lexicon).
    pub familiar_given: HashSet<String>,
    /// Given names that are also ordinary words ("вера", "роза"): no sign of a person alone.
    pub common_given: HashSet<String>,
    /// Surnames (masculine nominative) known from the OpenCorpora dictionary.
    pub surnames: HashSet<String>,
    /// Surnames that are also ordinary words or places.
    pub common_surnames: HashSet<String>,
    /// Case forms of given names and surnames that are also ordinary words ("власти" of
    /// "Власта"): no sign of a person alone.
    pub common_forms: HashSet<String>,
    /// Geographical names (nominative) without a country code, and whether each is also an
    /// ordinary word: not persons.
    pub geo: HashMap<String, bool>,
    /// Place forms (lower case, any case) with their nominative and ISO 3166 code.
    pub places: HashMap<&'static str, (&'static str, &'static str)>,
    /// The first words of place names of two words ("новая" of "новая зеландия").
    pub place_first_words: HashSet<&'static str>,
    /// Services and organisations by their first word: each full form and its canonical
    /// name.
    pub orgs: HashMap<&'static str, Vec<(&'static str, &'static str)>>,
    /// Every case form of a one-word role ("агентом") and the role it names ("agent").
    pub roles: HashMap<String, &'static str>,
    /// Roles of several words by their first word, with the role each names.
    pub multi_roles: HashMap<&'static str, Vec<(&'static str, &'static str)>>,
    /// The common Russian given names by transliteration key, and whether each is a
    /// woman's: "Grigory", "Grigorij" and "Grigori" are Григорий in a Western transcript.
    pub romanised_given: HashMap<String, bool>,
}

/// The dictionaries, indexed on first use and shared by every thread for the life of the
/// process.
pub fn lexicon() -> &'static Lexicon {
    static LEXICON: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut given = HashMap::new();
        let mut familiar_given = HashSet::new();
        for (list, female) in [(dict::RU_MALE, false), (dict::RU_FEMALE, true)] {
            for name in list {
                for form in given_forms(name, female) {
                    familiar_given.insert(form.clone());
                    given.entry(form).or_insert((name.to_string(), female));
                }
            }
        }
        let mut romanised_given = HashMap::new();
        for (list, female) in [(dict::RU_MALE, false), (dict::RU_FEMALE, true)] {
            for name in list {
                romanised_given
                    .entry(kartoteka_text::translit::key_cyrillic(&name.to_lowercase()))
                    .or_insert(female);
            }
        }
        familiar_given.extend(dict::EN_GIVEN.iter().map(|n| n.to_lowercase()));
        // The OpenCorpora lexicon: a much longer list of given names (Russian and foreign
        // names as Russian writes them), surnames and places. Kept as lemmas; this crate
        // inflects them.
        let mut common_given = HashSet::new();
        let mut common_forms = HashSet::new();
        let mut surnames = HashSet::new();
        let mut common_surnames = HashSet::new();
        let mut geo = HashMap::new();
        for line in NAMES_TSV.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split('\t');
            let (Some(kind), Some(lemma)) = (cols.next(), cols.next()) else {
                continue;
            };
            let common = cols.next() == Some("common");
            if let Some(forms) = cols.next().filter(|f| !f.is_empty()) {
                common_forms.extend(forms.split(',').map(str::to_string));
            }
            match kind {
                "given-m" | "given-f" => {
                    let female = kind == "given-f";
                    if common {
                        common_given.insert(lemma.to_string());
                    }
                    for form in given_forms(lemma, female) {
                        given.entry(form).or_insert((title(lemma), female));
                    }
                }
                "surname" => {
                    if common {
                        common_surnames.insert(lemma.to_string());
                    }
                    surnames.insert(lemma.to_string());
                }
                "place" => {
                    geo.insert(lemma.to_string(), common);
                }
                _ => {}
            }
        }
        for name in dict::EN_GIVEN {
            given
                .entry(name.to_lowercase())
                .or_insert((name.to_string(), false));
        }
        let places = dict::PLACES
            .iter()
            .map(|(f, n, c)| (*f, (*n, *c)))
            .collect();
        let mut orgs: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
        for (form, canonical) in dict::ORGS {
            orgs.entry(form.split(' ').next().unwrap_or(form))
                .or_default()
                .push((form, canonical));
        }
        let mut roles = HashMap::new();
        let mut multi_roles: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
        for (form, role) in dict::ROLES {
            if form.contains(' ') {
                multi_roles
                    .entry(form.split(' ').next().unwrap_or(form))
                    .or_default()
                    .push((form, role));
            } else {
                for e in NOUN_ENDINGS {
                    roles.entry(format!("{form}{e}")).or_insert(*role);
                }
                if form.is_ascii() {
                    roles.entry(format!("{form}s")).or_insert(*role);
                }
            }
        }
        let place_first_words = dict::PLACES
            .iter()
            .filter_map(|(f, _, _)| f.split_once(' ').map(|(first, _)| first))
            .collect();
        Lexicon {
            place_first_words,
            familiar_given,
            given,
            common_given,
            common_forms,
            surnames,
            common_surnames,
            geo,
            places,
            orgs,
            roles,
            multi_roles,
            romanised_given,
        }
    })
}

/// Nominative forms a given name in an oblique case may come from.
pub fn given_forms(nominative: &str, female: bool) -> Vec<String> {
    let n = nominative.to_lowercase().replace('ё', "е");
    let mut out = vec![n.clone()];
    let add = |stem: &str, endings: &[&str], out: &mut Vec<String>| {
        for e in endings {
            out.push(format!("{stem}{e}"));
        }
    };
    if let Some(s) = n.strip_suffix("ий") {
        add(s, &["ия", "ию", "ием", "ии"], &mut out);
    } else if let Some(s) = n.strip_suffix("ия") {
        add(s, &["ии", "ию", "ией"], &mut out);
    } else if let Some(s) = n.strip_suffix('й') {
        add(s, &["я", "ю", "ем", "е"], &mut out);
    } else if let Some(s) = n.strip_suffix('а') {
        add(s, &["ы", "и", "е", "у", "ой", "ою"], &mut out);
    } else if let Some(s) = n.strip_suffix('я') {
        add(s, &["и", "е", "ю", "ей", "ею"], &mut out);
    } else if let Some(s) = n.strip_suffix('ь') {
        add(s, &["я", "ю", "ем", "е", "и", "ью"], &mut out);
    } else if !female {
        add(&n, &["а", "у", "ом", "е"], &mut out);
    }
    if n == "лев" {
        out.extend(["льва", "льву", "львом", "льве"].map(String::from));
    }
    if n == "павел" {
        out.extend(["павла", "павлу", "павлом", "павле"].map(String::from));
    }
    if n == "петр" {
        out.extend(["петра", "петру", "петром", "петре"].map(String::from));
    }
    out
}

/// The nominative of a patronymic in any case, and the sex it says.
pub fn patronymic(norm: &str) -> Option<(String, Sex)> {
    // A woman's patronymic declines like a noun in -а: the stem before the final letter
    // takes the case ending ("Андреевна", "Андреевны", "Андреевной"); a man's takes it
    // after the suffix ("Сергеевич", "Сергеевичем").
    const WOMAN: &[&str] = &["а", "ы", "е", "у", "ой", "ою"];
    const MAN: &[&str] = &["", "а", "у", "ем", "е"];
    // Ukrainian (-івна, -ївна) and Belarusian (-аўна, -еўна, -авіч, -евіч, -овіч) forms
    // too, which take the same case endings.
    for (stem_suffix, female) in [
        ("овн", true),
        ("евн", true),
        ("ичн", true),
        ("івн", true),
        ("ївн", true),
        ("аўн", true),
        ("еўн", true),
        ("оўн", true),
        ("ович", false),
        ("евич", false),
        ("овіч", false),
        ("евіч", false),
        ("авіч", false),
        ("ич", false),
    ] {
        for ending in if female { WOMAN } else { MAN } {
            let stem = norm
                .strip_suffix(ending)
                .and_then(|s| s.strip_suffix(stem_suffix));
            if let Some(stem) = stem {
                if stem.chars().count() >= 2
                    && (female || stem_suffix != "ич" || stem.ends_with(['л', 'к', 'м']))
                {
                    let nominative = if female { "а" } else { "" };
                    return Some((
                        format!("{stem}{stem_suffix}{nominative}"),
                        Sex::of_female(female),
                    ));
                }
            }
        }
    }
    None
}

/// A surname's nominative, given its form and (when known) the person's sex.
pub fn surname_lemma(word: &str, sex: Option<Sex>) -> String {
    let female = sex.map(|s| s == Sex::Female);
    let lower = word.to_lowercase();
    let cut = |n: usize| -> String { word.chars().take(word.chars().count() - n).collect() };
    let ends = |s: &str| lower.ends_with(s);
    let stem_is = |n: usize, tails: &[&str]| {
        let stem: String = lower
            .chars()
            .take(lower.chars().count().saturating_sub(n))
            .collect();
        tails.iter().any(|t| stem.ends_with(t))
    };
    let pos = ["ов", "ев", "ёв", "ин", "ын"];
    if ends("ым") && stem_is(2, &pos) {
        return cut(2);
    }
    if (ends("ой") || ends("ою")) && stem_is(2, &pos) {
        return format!("{}а", cut(2));
    }
    if ends("ую") && stem_is(2, &pos) {
        return format!("{}а", cut(2));
    }
    if (ends("ого") || ends("ому")) && stem_is(3, &["ск", "цк"]) {
        return format!("{}ий", cut(3));
    }
    if ends("ией") || ends("ии") || ends("ию") {
        let n = if ends("ией") { 3 } else { 2 };
        return format!("{}ия", cut(n));
    }
    if female == Some(false) && ends("а") && stem_is(1, &pos) {
        return cut(1);
    }
    // A woman's surname in -ова takes -овой in these cases: -ову and -ове are a man's.
    if female != Some(true) && (ends("у") || ends("е")) && stem_is(1, &pos) {
        return cut(1);
    }
    if female == Some(true) && ends("ой") && stem_is(2, &["ск", "цк"]) {
        return format!("{}ая", cut(2));
    }
    word.to_string()
}

/// A word with the endings of a Russian adjective ("Российской", "Северной", "Советским"),
/// which starts many capitalised names of things but not of people.
pub fn adjective_shaped(norm: &str) -> bool {
    norm.chars().count() > 4
        && [
            "ой", "ый", "ая", "ое", "ые", "ие", "ого", "ому", "ым", "ую", "ых", "ими", "ыми",
            "ский", "цкий", "ской", "ских",
        ]
        .iter()
        .any(|e| norm.ends_with(e))
        && !surname_shaped(norm)
}

/// A word with the endings of a Russian surname, in any case.
pub fn surname_shaped(norm: &str) -> bool {
    let n = norm.chars().count();
    if n < 5 {
        return false;
    }
    const STEMS: &[&str] = &["ов", "ев", "ин", "ын"];
    const ENDINGS: &[&str] = &["", "а", "у", "ым", "ой", "ую"];
    ENDINGS.iter().any(|e| {
        norm.strip_suffix(e)
            .is_some_and(|stem| STEMS.iter().any(|s| stem.ends_with(s)))
    })
}

/// Lower-case particles inside names: "Усама бин Ладен", "фон Браун", "аль-Хадж".
pub const NAME_PARTICLES: &[&str] = &[
    "бин", "ибн", "бен", "аль", "эль", "уль", "ад", "ас", "ван", "фон", "де", "ди", "да", "дер",
    "дю", "ла", "ле", "bin", "ibn", "al", "el", "ul", "van", "von", "de", "di", "da", "der", "du",
    "la", "le",
];

/// A word without its case ending, so that the forms of one name meet ("Рейсман",
/// "Рейсманом"; "Обама", "Обамой").
pub fn case_stem(norm: &str) -> &str {
    const ENDINGS: &[&str] = &[
        "ами", "ями", "ого", "ому", "ыми", "ими", "ой", "ою", "ом", "ем", "ым", "им", "ей", "ую",
        "ая", "ия", "ию", "ии", "а", "я", "у", "ю", "е", "ы", "и", "ь", "й",
    ];
    for e in ENDINGS {
        if let Some(stem) = norm.strip_suffix(e) {
            if stem.chars().count() >= 3 {
                return stem;
            }
        }
    }
    norm
}

/// Masculine nominatives a surname in any case and gender may come from.
pub fn surname_candidates(norm: &str) -> Vec<String> {
    let mut out = vec![norm.to_string()];
    for (ending, back) in [
        ("а", ""),
        ("у", ""),
        ("ом", ""),
        ("е", ""),
        ("ым", ""),
        ("ой", ""),
        ("ою", ""),
        ("ую", ""),
        ("ы", "а"),
        ("е", "а"),
        ("у", "а"),
        ("ой", "а"),
        ("и", "а"),
        ("ого", "ий"),
        ("ому", "ий"),
        ("им", "ий"),
        ("ом", "ий"),
        ("ая", "ий"),
        ("ую", "ий"),
        ("ой", "ий"),
        ("я", "ь"),
        ("ю", "ь"),
        ("ем", "ь"),
        ("е", "ь"),
        ("ем", ""),
    ] {
        if let Some(stem) = norm.strip_suffix(ending) {
            if stem.chars().count() >= 2 {
                out.push(format!("{stem}{back}"));
            }
        }
    }
    out
}

/// A given name in any case, as the lexicons know it: its nominative and whose it is
/// ("Лаврентием" -> ("Лаврентий", Male)). For name comparison outside a text.
pub fn given_name(word: &str) -> Option<(String, Sex)> {
    let norm = word.to_lowercase().replace('ё', "е");
    let (name, female) = lexicon().given.get(&norm)?;
    Some((name.clone(), Sex::of_female(*female)))
}

/// A patronymic in any case: its nominative and whose it is
/// ("Сергеевичем" -> ("сергеевич", Male)).
pub fn patronymic_name(word: &str) -> Option<(String, Sex)> {
    patronymic(&word.to_lowercase().replace('ё', "е"))
}

/// A Russian surname's nominative, given the person's sex when known ("Берией" ->
/// "Берия", "Ивановой" -> "Иванова").
pub fn surname_nominative(word: &str, sex: Option<Sex>) -> String {
    surname_lemma(word, sex)
}

/// Whether the lexicon knows the word (in any case) as a surname.
pub fn known_surname(word: &str) -> bool {
    let norm = word.to_lowercase().replace('ё', "е");
    surname_candidates(&norm)
        .iter()
        .any(|c| lexicon().surnames.contains(c))
}

/// The nominative of a cover name in an oblique case («ХОЛОЙ» -> «ХОЛА», «ГРОМОМ» ->
/// «ГРОМ»), when that nominative is among the names `known` (met elsewhere in the text or
/// the archive).
pub fn cover_nominative(form: &str, known: &HashSet<String>) -> Option<String> {
    let upper = form.to_uppercase();
    for (ending, back) in [
        ("ОЙ", "А"),
        ("Ы", "А"),
        ("Е", "А"),
        ("У", "А"),
        ("И", "А"),
        ("ЕЙ", "Я"),
        ("И", "Я"),
        ("Ю", "Я"),
        ("А", ""),
        ("У", ""),
        ("ОМ", ""),
        ("Е", ""),
        ("ЕМ", "Й"),
        ("Я", "Й"),
    ] {
        if let Some(stem) = upper.strip_suffix(ending) {
            let candidate = format!("{stem}{back}");
            if candidate != upper && known.contains(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

/// Whether the word (in any case) is one of the common given names, not only a name of the
/// long tail ("Бориса" is; "Барние", a case of the rare "Барни", is not).
pub fn familiar_given_name(word: &str) -> bool {
    lexicon()
        .familiar_given
        .contains(&word.to_lowercase().replace('ё', "е"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_any_case_give_their_nominative() {
        assert_eq!(given_name("Бориса"), Some(("Борис".to_string(), Sex::Male)));
        assert_eq!(given_name("Верой"), Some(("Вера".to_string(), Sex::Female)));
        assert_eq!(
            patronymic_name("Сергеевичем"),
            Some(("сергеевич".to_string(), Sex::Male))
        );
        assert_eq!(
            patronymic_name("Андреевной"),
            Some(("андреевна".to_string(), Sex::Female))
        );
        assert_eq!(surname_nominative("Ивановой", Some(Sex::Female)), "Иванова");
        assert_eq!(surname_nominative("Берией", Some(Sex::Male)), "Берия");
    }

    #[test]
    fn a_cover_name_in_a_case_is_read_back_only_to_a_known_name() {
        let known: HashSet<String> = ["ХОЛА".to_string(), "ГРОМ".to_string()].into();
        assert_eq!(cover_nominative("ХОЛОЙ", &known), Some("ХОЛА".into()));
        assert_eq!(cover_nominative("ГРОМОМ", &known), Some("ГРОМ".into()));
        assert_eq!(cover_nominative("ХОЛОЙ", &HashSet::new()), None);
        assert_eq!(cover_nominative("ХОЛА", &known), None);
    }

    #[test]
    fn familiar_given_names_are_the_common_ones() {
        assert!(familiar_given_name("Бориса"));
        assert!(!familiar_given_name("Барние"));
        assert!(!familiar_given_name("агент"));
    }
}
