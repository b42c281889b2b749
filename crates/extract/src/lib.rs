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
//! use kartoteka_extract::{extract, Kind};
//! let found = extract("Агент «ХОЛА» завербована в 1937 г. в Лондоне оперработником Кузьминым А. П.");
//! let person = found.mentions.iter().find(|m| m.kind == Kind::Person).unwrap();
//! assert_eq!(person.lemma, "Кузьмин А. П.");
//! assert!(found.mentions.iter().any(|m| m.kind == Kind::CoverName && m.lemma == "ХОЛА"));
//! ```

mod dict;
mod tokens;

use std::collections::{HashMap, HashSet};

use serde::Serialize;
pub use tokens::{tokenize, Token};

/// What a mention is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A person named by name.
    Person,
    /// A cover name (псевдоним, cryptonym).
    CoverName,
    /// A role: agent, illegal, case officer, resident...
    Role,
    /// A service, its directorate or line.
    Org,
    /// A place.
    Place,
    /// A date or period.
    Date,
}

impl Kind {
    /// The name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::CoverName => "cover_name",
            Kind::Role => "role",
            Kind::Org => "org",
            Kind::Place => "place",
            Kind::Date => "date",
        }
    }

    /// The kind with this name.
    pub fn parse(name: &str) -> Option<Kind> {
        [
            Kind::Person,
            Kind::CoverName,
            Kind::Role,
            Kind::Org,
            Kind::Place,
            Kind::Date,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }
}

/// One mention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mention {
    /// What it is.
    pub kind: Kind,
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

/// What a relation says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// `from` was recruited by `to`.
    RecruitedBy,
    /// `from` was handled by `to` (case officer).
    HandledBy,
    /// `from` reported on `to`.
    ReportedOn,
    /// `from` met with `to`.
    MetWith,
    /// `from` (a person) has the cover name `to`.
    CodeNamed,
    /// `from` worked at `to` (a service).
    WorkedAt,
    /// `from` operated in `to` (a place).
    OperatedIn,
    /// `from` holds the role `to`.
    HasRole,
    /// `from` (a person) was born at `to` (a date) or in `to` (a place).
    Born,
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

/// Russian noun endings a dictionary word may carry.
const NOUN_ENDINGS: &[&str] = &[
    "", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах", "и", "ей", "ям", "ями", "ях", "ю", "я",
    "ем", "ой",
];

/// Given names, surnames and places from OpenCorpora (see data/generate.py).
const NAMES_TSV: &str = include_str!("../data/names.tsv");

/// The dictionaries, indexed once per process.
struct Lexicon {
    /// Every case form of a given name: its nominative and whether it is a woman's.
    given: HashMap<String, (String, bool)>,
    /// The forms of the common given names of `dict` (not the long tail of the lexicon).
    familiar_given: HashSet<String>,
    /// Given names that are also ordinary words ("вера", "роза"): no sign of a person alone.
    common_given: HashSet<String>,
    /// Surnames (masculine nominative) known from the OpenCorpora dictionary.
    surnames: HashSet<String>,
    /// Surnames that are also ordinary words or places.
    common_surnames: HashSet<String>,
    /// Case forms of given names and surnames that are also ordinary words ("власти" of
    /// "Власта"): no sign of a person alone.
    common_forms: HashSet<String>,
    /// Geographical names (nominative) without a country code, and whether each is also an
    /// ordinary word: not persons.
    geo: HashMap<String, bool>,
    places: HashMap<&'static str, (&'static str, &'static str)>,
    /// The first words of place names of two words ("новая" of "новая зеландия").
    place_first_words: HashSet<&'static str>,
    orgs: HashMap<&'static str, Vec<(&'static str, &'static str)>>,
    roles: HashMap<String, &'static str>,
    multi_roles: HashMap<&'static str, Vec<(&'static str, &'static str)>>,
    /// The common Russian given names by transliteration key, and whether each is a
    /// woman's: "Grigory", "Grigorij" and "Grigori" are Григорий in a Western transcript.
    romanised_given: HashMap<String, bool>,
}

fn lexicon() -> &'static Lexicon {
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

struct Finder {
    tokens: Vec<Token>,
    /// Per token, for capitalised words: (names a place, is a known surname), looked up once.
    looked_up: Vec<(bool, bool, bool)>,
    /// Per token: it names a street.
    streets: Vec<bool>,
    used: Vec<bool>,
    mentions: Vec<(Mention, usize, usize)>,
    lex: &'static Lexicon,
}

fn span_text(chars: &[char], start: usize, end: usize) -> String {
    chars[start..end].iter().collect()
}

/// Nominative forms a given name in an oblique case may come from.
fn given_forms(nominative: &str, female: bool) -> Vec<String> {
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

/// The nominative of a patronymic in any case, and whether it is feminine.
fn patronymic(norm: &str) -> Option<(String, bool)> {
    for (suffix, female) in [
        ("овна", true),
        ("евна", true),
        ("ична", true),
        ("инична", true),
        ("ович", false),
        ("евич", false),
        ("ич", false),
    ] {
        for ending in if female {
            &["", "ы", "е", "у", "ой"][..]
        } else {
            &["", "а", "у", "ем", "е"][..]
        } {
            let full = format!("{suffix}{ending}");
            if let Some(stem) = norm.strip_suffix(&full) {
                if stem.chars().count() >= 2
                    && (female || suffix != "ич" || stem.ends_with(['л', 'к', 'м']))
                {
                    return Some((format!("{stem}{suffix}"), female));
                }
            }
        }
    }
    None
}

/// A surname's nominative, given its form and (when known) the person's gender.
fn surname_lemma(word: &str, female: Option<bool>) -> String {
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
fn adjective_shaped(norm: &str) -> bool {
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
fn surname_shaped(norm: &str) -> bool {
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
const NAME_PARTICLES: &[&str] = &[
    "бин", "ибн", "бен", "аль", "эль", "ад", "ас", "ван", "фон", "де", "ди", "да", "дер", "дю",
    "ла", "ле", "bin", "ibn", "al", "el", "van", "von", "de", "di", "da", "der", "du", "la", "le",
];

/// A word without its case ending, so that the forms of one name meet ("Рейсман",
/// "Рейсманом"; "Обама", "Обамой").
fn case_stem(norm: &str) -> &str {
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
fn surname_candidates(norm: &str) -> Vec<String> {
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

use kartoteka_text::title_case as title;

impl Finder {
    fn new(text: &str) -> Self {
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

    fn free(&self, from: usize, to: usize) -> bool {
        to <= self.tokens.len() && (from..to).all(|i| !self.used[i])
    }

    fn add(
        &mut self,
        kind: Kind,
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

    fn norm(&self, i: usize) -> &str {
        self.tokens.get(i).map(|t| t.norm.as_str()).unwrap_or("")
    }

    fn text_at(&self, i: usize) -> &str {
        self.tokens.get(i).map(|t| t.text.as_str()).unwrap_or("")
    }

    fn year(&self, i: usize) -> Option<u32> {
        let t = self.text_at(i);
        (t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
            .filter(|y| (1800..2100).contains(y))
    }

    /// A word that introduces a cover name: "псевдоним", "кличка", "code-named",
    /// "cryptonym", "known as".
    fn code_name_cue(&self, i: usize) -> bool {
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

    /// Whether a birth cue stands just before token i: "born", "b.", "род.", "рождения:".
    fn birth_cue_before(&self, i: usize) -> bool {
        let mut k = i;
        while k > 0 && matches!(self.text_at(k - 1), "." | ":" | ",") {
            k -= 1;
        }
        k > 0
            && matches!(
                self.norm(k - 1),
                "born"
                    | "b"
                    | "род"
                    | "родился"
                    | "родилась"
                    | "рождения"
                    | "geboren"
                    | "geb"
                    | "né"
                    | "née"
                    | "urodzony"
                    | "urodzona"
                    | "ur"
            )
    }

    /// Where a birth is told in tokens s..e: "born", "род.", "рождения", "г.р.".
    fn birth_cue(&self, s: usize, e: usize) -> Option<usize> {
        (s..e).find(|&i| {
            matches!(
                self.norm(i),
                "born"
                    | "род"
                    | "родился"
                    | "родилась"
                    | "рождения"
                    | "geboren"
                    | "né"
                    | "née"
                    | "urodzony"
                    | "urodzona"
            ) || (self.norm(i) == "р"
                && i >= 2
                && self.norm(i - 2) == "г"
                && self.text_at(i - 1) == ".")
        })
    }

    /// Extends a date over a following "г." / "года" / "гг.".
    fn year_word(&self, i: usize) -> usize {
        match self.norm(i) {
            "г" | "гг" if self.text_at(i + 1) == "." => i + 2,
            "г" | "гг" | "года" | "году" | "год" | "годах" | "годы" => i + 1,
            _ => i,
        }
    }

    fn dates(&mut self, chars: &[char]) {
        let mut i = 0;
        while i < self.tokens.len() {
            let month = |n: &str| dict::MONTHS.iter().find(|(m, _)| *m == n).map(|(_, v)| *v);
            // 14 мая 1937 г. / 14 May 1937
            if let (Ok(day), Some(m)) = (self.text_at(i).parse::<u32>(), month(self.norm(i + 1))) {
                if (1..=31).contains(&day) {
                    if let Some(y) = self.year(i + 2) {
                        let end = self.year_word(i + 3);
                        self.add_date(i, end, format!("{y}-{m:02}-{day:02}"), chars);
                        i = end;
                        continue;
                    }
                }
            }
            // May 14, 1937 / мая 1937 года
            if let Some(m) = month(self.norm(i)) {
                if let (Ok(day), ",", Some(y)) = (
                    self.text_at(i + 1).parse::<u32>(),
                    self.text_at(i + 2),
                    self.year(i + 3),
                ) {
                    self.add_date(i, i + 4, format!("{y}-{m:02}-{day:02}"), chars);
                    i += 4;
                    continue;
                }
                if let Some(y) = self.year(i + 1) {
                    let end = self.year_word(i + 2);
                    self.add_date(i, end, format!("{y}-{m:02}"), chars);
                    i = end;
                    continue;
                }
            }
            // весной 1944 года / spring of 1944
            if let Some((_, a, b)) = dict::SEASONS.iter().find(|(s, _, _)| *s == self.norm(i)) {
                let at = if self.norm(i + 1) == "of" {
                    i + 2
                } else {
                    i + 1
                };
                if let Some(y) = self.year(at) {
                    let end = self.year_word(at + 1);
                    let (y1, y2) = if a > b { (y - 1, y) } else { (y, y) };
                    self.add_date(i, end, format!("{y1}-{a:02}..{y2}-{b:02}"), chars);
                    i = end;
                    continue;
                }
            }
            // 1944-1946 гг., 1940-х годах
            let t = self.text_at(i).to_string();
            if let Some((a, b)) = t.split_once('-') {
                let (ya, yb) = (a.parse::<u32>().ok(), b.parse::<u32>().ok());
                if let (Some(ya), Some(yb)) = (ya, yb) {
                    if a.len() == 4
                        && b.len() == 4
                        && (1800..2100).contains(&ya)
                        && ya < yb
                        && yb < 2100
                    {
                        let end = self.year_word(i + 1);
                        self.add_date(i, end, format!("{ya}..{yb}"), chars);
                        i = end;
                        continue;
                    }
                }
                if let (Some(ya), "х" | "e" | "х годах" | "s") = (ya, b) {
                    if a.len() == 4 && ya % 10 == 0 && (1800..2100).contains(&ya) {
                        let end = self.year_word(i + 1);
                        self.add_date(i, end, format!("{ya}..{}", ya + 9), chars);
                        i = end;
                        continue;
                    }
                }
            }
            // с 1944 по 1946
            if matches!(self.norm(i), "с" | "from") {
                if let (Some(ya), "по" | "to" | "until", Some(yb)) =
                    (self.year(i + 1), self.norm(i + 2), self.year(i + 3))
                {
                    let end = self.year_word(i + 4);
                    self.add_date(i, end, format!("{ya}..{yb}"), chars);
                    i = end;
                    continue;
                }
            }
            // 14.05.1937
            if let (Ok(d), ".", Ok(m), ".", Some(y)) = (
                self.text_at(i).parse::<u32>(),
                self.text_at(i + 1),
                self.text_at(i + 2).parse::<u32>(),
                self.text_at(i + 3),
                self.year(i + 4),
            ) {
                if (1..=31).contains(&d) && (1..=12).contains(&m) && self.text_at(i + 2).len() == 2
                {
                    self.add_date(i, i + 5, format!("{y}-{m:02}-{d:02}"), chars);
                    i += 5;
                    continue;
                }
            }
            // в 1937 г. / 1937 года / in 1937
            if let Some(y) = self.year(i) {
                let end = self.year_word(i + 1);
                let after_in = i > 0
                    && matches!(
                        self.norm(i - 1),
                        "в" | "во"
                            | "in"
                            | "since"
                            | "до"
                            | "после"
                            | "by"
                            | "until"
                            | "from"
                            | "seit"
                            | "im"
                            | "depuis"
                            | "en"
                            | "w"
                            | "od"
                    );
                // "born 1911", "род. 1911", "Год рождения: 1911".
                let birth = i > 0 && self.birth_cue_before(i);
                if end > i + 1 || after_in || birth {
                    self.add_date(i, end, y.to_string(), chars);
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
    }

    /// A date from token `from` to `to`; its lemma is its ISO 8601 form.
    fn add_date(&mut self, from: usize, to: usize, code: String, chars: &[char]) {
        self.add(Kind::Date, from, to, code.clone(), Some(code), chars);
    }

    fn stem_matches(&self, i: usize, stems: &[&str]) -> bool {
        let n = self.norm(i);
        stems.iter().any(|s| n.starts_with(s))
    }

    fn quoted_cover_names(&mut self, chars: &[char]) {
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
                self.add(Kind::CoverName, i + 1, close, name, None, chars);
            }
            i = close + 1;
        }
    }

    /// A Cyrillic cover name in a Western text, unquoted, after a cue word ("Source ДУНАЙ
    /// (Dmitrij Gorskev)"): four letters at least and no service's name. Found before
    /// places, since cover names are often rivers and cities ("ДУНАЙ").
    fn cued_cyrillic_cover_names(&mut self, chars: &[char]) {
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
                self.add(Kind::CoverName, i, i + 1, lemma, None, chars);
                self.bracketed_holder(i + 1, chars);
            }
        }
    }

    /// The true name in brackets right after a cover name in a Western text: two or three
    /// capitalised Latin words, "(Dmitrij Gorskev)", a romanised name the lexicons need
    /// not know.
    fn bracketed_holder(&mut self, open: usize, chars: &[char]) {
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
            self.add(Kind::Person, open + 1, close, lemma.join(" "), None, chars);
        }
    }

    fn cryptonyms(&mut self, chars: &[char]) {
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
                self.add(Kind::CoverName, i, i + 1, lemma, None, chars);
                self.bracketed_holder(i + 1, chars);
            }
        }
    }

    fn phrase_match(&self, i: usize, phrase: &str) -> Option<usize> {
        let words: Vec<&str> = phrase.split(' ').collect();
        for (k, w) in words.iter().enumerate() {
            if self.norm(i + k) != *w {
                return None;
            }
        }
        Some(i + words.len())
    }

    fn orgs(&mut self, chars: &[char]) {
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
                    self.add(Kind::Org, i, end, canonical.to_string(), None, chars);
                }
            }
        }
    }

    fn place_candidates(norm: &str) -> Vec<String> {
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

    fn places(&mut self, chars: &[char]) {
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
                        Kind::Place,
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
                    Kind::Place,
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
                    self.add(Kind::Place, i, i + 1, title(&lemma), None, chars);
                }
            }
        }
    }

    fn roles(&mut self, chars: &[char]) {
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
                    self.add(Kind::Role, i, end, role.to_string(), None, chars);
                }
                continue;
            }
            if let Some(role) = self.lex.roles.get(self.norm(i)).copied() {
                self.add(Kind::Role, i, i + 1, role.to_string(), None, chars);
            }
        }
    }

    /// True when the token begins a sentence (or a line), where any word is capitalised.
    fn sentence_start(&self, i: usize) -> bool {
        if i == 0 || self.tokens[i].after_newline {
            return true;
        }
        let prev = self.text_at(i - 1);
        matches!(prev, "." | "!" | "?" | "—" | "–" | ":" | "\"" | "«")
            && !(i >= 2 && self.text_at(i - 2).chars().count() == 1)
    }

    fn is_initial(&self, i: usize) -> bool {
        let t = self.text_at(i);
        t.chars().count() == 1 && t.chars().all(|c| c.is_uppercase()) && self.text_at(i + 1) == "."
    }

    /// Initials at i: their end and text ("А. П.").
    fn initials(&self, i: usize) -> Option<(usize, String)> {
        if !self.is_initial(i) {
            return None;
        }
        let mut end = i + 2;
        let mut text = format!("{}.", self.text_at(i));
        if self.is_initial(end) {
            text.push_str(&format!(" {}.", self.text_at(end)));
            end += 2;
        }
        Some((end, text))
    }

    /// Next to "ул.", "пер.", "проспект": a street's name, not a person's ("ул. Почтовая",
    /// "Померанцев пер.").
    fn street_name(&self, i: usize) -> bool {
        self.streets.get(i).copied().unwrap_or(false)
    }

    /// Per token, whether it is next to a street word: within three tokens, with nothing
    /// but words and full stops between ("ул. Большая Полянка", "Почтовая Б. ул.").
    fn street_names(tokens: &[Token]) -> Vec<bool> {
        let street: Vec<bool> = tokens
            .iter()
            .map(|t| t.is_word() && dict::STREET_WORDS.contains(&t.norm.as_str()))
            .collect();
        let joined =
            |a: usize, b: usize| (a + 1..b).all(|k| tokens[k].is_word() || tokens[k].text == ".");
        (0..tokens.len())
            .map(|i| {
                tokens[i].is_capitalized()
                    && ((i.saturating_sub(3)..i).any(|k| street[k] && joined(k, i))
                        || (i + 1..(i + 4).min(tokens.len())).any(|k| street[k] && joined(i, k)))
            })
            .collect()
    }

    fn name_word(&self, i: usize) -> bool {
        let Some(t) = self.tokens.get(i) else {
            return false;
        };
        !self.used[i]
            && !self.street_name(i)
            && t.is_word()
            && t.is_capitalized()
            && !t.is_all_caps()
            && t.text.chars().count() >= 2
            && t.is_name_shaped()
    }

    /// A known given name at token i: its nominative, whether it is a woman's, and whether
    /// the same spelling is an ordinary word.
    fn given_at(&self, i: usize) -> Option<(String, bool, bool)> {
        let Some((name, female)) = self.lex.given.get(self.norm(i)).cloned() else {
            let t = self.tokens.get(i)?;
            if t.is_cyrillic() || t.text.chars().count() < 3 {
                return None;
            }
            // Opening a sentence ("Eine Kopie ging an"), only before a surname in capitals
            // or a patronymic.
            let next = self.norm(i + 1);
            let patronymic = ["vich", "vna", "itch", "witsch", "wna", "wicz", "vitch"]
                .iter()
                .any(|e| next.ends_with(e));
            if self.sentence_start(i) && !self.capitals_surname(i + 1) && !patronymic {
                return None;
            }
            let female = kartoteka_text::translit::keys_latin(self.norm(i))
                .iter()
                .find_map(|k| self.lex.romanised_given.get(k).copied())?;
            return Some((t.text.clone(), female, false));
        };
        let common = self.lex.common_given.contains(&name.to_lowercase());
        Some((name, female, common))
    }

    /// Whether the word at i is a surname the dictionary knows (in any case form), and
    /// not also an ordinary word or a place.
    fn known_surname(&self, i: usize) -> bool {
        self.looked_up.get(i).is_some_and(|l| l.1)
    }

    /// Whether the word at i is a surname the dictionary knows, even one that is also an
    /// ordinary word ("Путин", "путин" the genitive plural of "путина"): a person when
    /// capitalised in mid-sentence.
    fn lexicon_surname(&self, i: usize) -> bool {
        self.looked_up.get(i).is_some_and(|l| l.2)
    }

    /// Whether the word at i names a place (in any case form) and not also a person.
    fn is_place(&self, i: usize) -> bool {
        self.looked_up.get(i).is_some_and(|l| l.0)
    }

    /// A lower-case particle inside a name ("бин", "фон", "де") or a hyphenated one before
    /// its name ("аль-Хадж", "эль-Масри").
    fn particle(&self, i: usize) -> (bool, bool) {
        let t = self.text_at(i);
        let joined = t.split_once('-').is_some_and(|(p, rest)| {
            NAME_PARTICLES.contains(&p) && rest.chars().next().is_some_and(char::is_uppercase)
        });
        (NAME_PARTICLES.contains(&t), joined)
    }

    /// The word at i stands alone in quotation marks.
    fn quoted(&self, i: usize) -> bool {
        i > 0
            && matches!(self.text_at(i - 1), "«" | "\"" | "„" | "“")
            && matches!(self.text_at(i + 1), "»" | "\"" | "“" | "”")
    }

    /// The word at i names a kind of record ("Рапорт", "Справка"), not a person.
    fn document_genre(&self, i: usize) -> bool {
        dict::DOCUMENT_GENRES.iter().any(|g| {
            self.norm(i)
                .strip_prefix(g)
                .is_some_and(|rest| NOUN_ENDINGS.contains(&rest))
        })
    }

    /// A surname set in capitals, as Western transcripts write it ("Arnold KUZMIN",
    /// "Vera Andreyevna SOKOLOVA"): taken only right after a given name.
    fn capitals_surname(&self, i: usize) -> bool {
        self.tokens.get(i).is_some_and(|t| {
            !self.used[i]
                && t.is_word()
                && t.is_all_caps()
                && !t.is_cyrillic()
                && !t.after_newline
                && t.text.chars().count() >= 3
                && t.text.chars().all(|c| c.is_alphabetic() || c == '-')
                && !dict::NOT_CRYPTONYMS.contains(&t.text.as_str())
        })
    }

    /// The word at i may be part of a person's name in a run of capitalised words.
    fn run_word(&self, i: usize) -> bool {
        (self.name_word(i)
            && self.tokens[i].is_cyrillic()
            && !self.is_place(i)
            && !self.document_genre(i)
            && (!adjective_shaped(self.norm(i)) || self.known_surname(i)))
            || (!self.used.get(i).copied().unwrap_or(true) && self.particle(i).1)
    }

    fn persons(&mut self, chars: &[char]) {
        let role_ends: HashSet<usize> = self
            .mentions
            .iter()
            .filter(|(m, _, _)| m.kind == Kind::Role)
            .map(|(_, _, to)| *to)
            .collect();
        let mut i = 0;
        while i < self.tokens.len() {
            // Surname И. О. / И. О. Surname
            if self.name_word(i) {
                if let Some((end, init)) = self.initials(i + 1) {
                    // "Robert F. Kennedy": a given name, a middle initial, a surname.
                    if self.lex.given.contains_key(self.norm(i)) && self.name_word(end) {
                        let lemma = format!("{} {init} {}", self.text_at(i), self.text_at(end));
                        self.add(Kind::Person, i, end + 1, lemma, None, chars);
                        i = end + 1;
                        continue;
                    }
                    let lemma = format!("{} {init}", surname_lemma(self.text_at(i), None));
                    self.add(Kind::Person, i, end, lemma, None, chars);
                    i = end;
                    continue;
                }
            }
            if let Some((end, init)) = self.initials(i) {
                // "Б. Почтовая" is a street (Большая), not a person.
                if self.name_word(end)
                    && (!adjective_shaped(self.norm(end)) || self.known_surname(end))
                    && !self.is_place(end)
                {
                    let lemma = format!("{init} {}", surname_lemma(self.text_at(end), None));
                    self.add(Kind::Person, i, end + 1, lemma, None, chars);
                    i = end + 1;
                    continue;
                }
            }
            // Given [Patronymic] [Surname], or Surname Given Patronymic.
            if self.name_word(i) {
                if let Some((given, female, _)) = self.given_at(i) {
                    let mut end = i + 1;
                    let mut parts = vec![given];
                    let mut gender = Some(female);
                    if self.name_word(end) {
                        if let Some((p, f)) = patronymic(self.norm(end)) {
                            parts.push(title(&p));
                            gender = Some(f);
                            end += 1;
                        }
                    }
                    let capitals = !self.tokens[i].is_cyrillic() && self.capitals_surname(end);
                    if capitals {
                        parts.push(surname_lemma(&title(self.norm(end)), gender));
                        end += 1;
                    } else if self.name_word(end)
                        && !self.is_place(end)
                        && (!self.lex.given.contains_key(self.norm(end)) || self.known_surname(end))
                    {
                        parts.push(surname_lemma(self.text_at(end), gender));
                        end += 1;
                        // "Vera Andreyevna SOKOLOVA": the word before the capitals was a
                        // patronymic or a middle name.
                        if !self.tokens[i].is_cyrillic() && self.capitals_surname(end) {
                            parts.push(surname_lemma(&title(self.norm(end)), gender));
                            end += 1;
                        }
                        // Names of more parts: "Реджеп Тайип Эрдоган", "Марин Ле Пен",
                        // "Хуан Пабло Монтойя".
                        if parts.len() == 2 {
                            while parts.len() < 4 && end < self.tokens.len() {
                                let next_ok = self.tokens.get(end + 1).is_none_or(|t| {
                                    !t.is_word() || !t.is_capitalized() || self.run_word(end + 1)
                                });
                                if self.run_word(end)
                                    && self.name_word(end)
                                    && !self.tokens[end].after_newline
                                    && next_ok
                                {
                                    parts.push(self.text_at(end).to_string());
                                    end += 1;
                                } else {
                                    break;
                                }
                            }
                        }
                    } else if parts.len() == 2 && i > 0 && self.name_word(i - 1) {
                        // "Соколова Вера Андреевна"; "Арнольд Болеслав Константинович", where
                        // a word that could be a given name is the surname.
                        let lemma = format!(
                            "{} {}",
                            surname_lemma(self.text_at(i - 1), gender),
                            parts.join(" ")
                        );
                        self.add(Kind::Person, i - 1, end, lemma, None, chars);
                        i = end;
                        continue;
                    }
                    // A given name alone is weaker; it is taken below.
                    if end > i + 1 {
                        self.add(Kind::Person, i, end, parts.join(" "), None, chars);
                        i = end;
                        continue;
                    }
                }
            }
            // Title or office before a name: "генерал Судоплатов", "резидентом Морозовым",
            // "Mr. Oswald".
            if self.name_word(i) && i > 0 {
                let mut k = i - 1;
                let abbreviated = self.text_at(k) == "." && k > 0;
                if abbreviated {
                    k -= 1;
                }
                // After a full stop only an abbreviated title counts ("Mr.", "тов."):
                // "...полковник. Адрес:" ends one sentence and starts another.
                let titled = dict::PERSON_TITLES.contains(&self.norm(k))
                    && (!abbreviated || self.norm(k).chars().count() <= 4);
                // An office ("глава", "директор") is as often followed by what it heads,
                // in the genitive ("глава Роскосмоса", "лидер Меджлиса"), as by a name.
                let office = !abbreviated
                    && self.tokens[i].is_cyrillic()
                    && dict::POSITIONS.iter().any(|p| {
                        self.norm(k)
                            .strip_prefix(p)
                            .is_some_and(|rest| NOUN_ENDINGS.contains(&rest))
                    });
                // "резидентом Морозовым", on the same line (a heading word after a line
                // break is not a surname).
                let after_role = role_ends.contains(&i)
                    && self.tokens[i].is_cyrillic()
                    && !self.tokens[i].after_newline;
                let name_like = self.lex.given.contains_key(self.norm(i))
                    || self.known_surname(i)
                    || surname_shaped(self.norm(i));
                let genitive_head = !name_like && self.norm(i).ends_with(['а', 'я', 'и', 'ы']);
                if (titled || ((office || after_role) && !genitive_head))
                    && !adjective_shaped(self.norm(i))
                    && !self.is_place(i)
                {
                    let mut end = i + 1;
                    while end < i + 3 && self.name_word(end) && !adjective_shaped(self.norm(end)) {
                        end += 1;
                    }
                    let words: Vec<String> = (i..end)
                        .map(|j| surname_lemma(self.text_at(j), Some(false)))
                        .collect();
                    self.add(Kind::Person, i, end, words.join(" "), None, chars);
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
        self.name_runs(chars);
        self.lone_names(chars);
        self.names_in_brackets(chars);
        self.repeated_names(chars);
    }

    /// Runs of two to four capitalised Cyrillic words in mid-sentence, neither places nor
    /// services: Russian capitalises little else, so they are names ("Наото Кан", "Аун Сан
    /// Су Чжи", "Усамы бин Ладена").
    fn name_runs(&mut self, chars: &[char]) {
        let mut i = 0;
        while i + 1 < self.tokens.len() {
            if !self.name_word(i) || !self.run_word(i) {
                i += 1;
                continue;
            }
            // Up to four words on one line, with particles between them.
            let mut end = i + 1;
            let mut words = 1;
            while words < 4 && !self.tokens.get(end).is_none_or(|t| t.after_newline) {
                if self.run_word(end) {
                    end += 1;
                } else if self.particle(end).0 && self.run_word(end + 1) {
                    end += 2;
                } else {
                    break;
                }
                words += 1;
            }
            if words < 2 {
                i += 1;
                continue;
            }
            // A word before a known given name that is not a name itself belongs to what
            // comes before ("Роскосмоса Анатолий Перминов", "Смерть Егора").
            let mut from = i;
            let office = dict::PERSON_TITLES.contains(&self.norm(i))
                || dict::POSITIONS.iter().any(|p| {
                    self.norm(i)
                        .strip_prefix(p)
                        .is_some_and(|rest| NOUN_ENDINGS.contains(&rest))
                });
            if office {
                // "Президент Саркози": the office is not part of the name.
                from = i + 1;
            } else if !self.lex.given.contains_key(self.norm(i))
                && !self.known_surname(i)
                && self.given_at(i + 1).is_some_and(|g| !g.2)
            {
                from = i + 1;
            } else if end - i == 3
                && !self.lex.given.contains_key(self.norm(i))
                && !self.known_surname(i)
                && self.norm(i).ends_with(['а', 'я', 'и', 'ы'])
            {
                // "главы Химок Владимира": a first word in the genitive of a three-word run.
                from = i + 1;
            }
            // At a sentence start every word is capitalised: a run is taken there only when
            // it begins with a given name or ends with a surname.
            // "Позже Берия уехал": an adverb before a surname is not a given name.
            let last = end - 1;
            let surname_last = surname_shaped(self.norm(last)) || self.known_surname(last);
            let name_first = self.given_at(from).is_some_and(|g| !g.2)
                || (surname_last && (surname_shaped(self.norm(i)) || self.known_surname(i)));
            if self.sentence_start(i) && from == i && !name_first {
                i += 1;
                continue;
            }
            let next_capital = self
                .tokens
                .get(end)
                .is_some_and(|t| t.is_word() && t.is_capitalized());
            if end - from >= 2 && !next_capital && self.free(from, end) {
                let lemma = (from..end)
                    .map(|k| self.text_at(k))
                    .collect::<Vec<_>>()
                    .join(" ");
                self.add(Kind::Person, from, end, lemma, None, chars);
                i = end;
                continue;
            }
            i += 1;
        }
    }

    /// One word alone that is a person: a surname the dictionary knows, a word shaped like
    /// a Russian surname between words in lower case, a given name.
    fn lone_names(&mut self, chars: &[char]) {
        for i in 0..self.tokens.len() {
            if !self.name_word(i) || !self.tokens[i].is_cyrillic() || self.is_place(i) {
                continue;
            }
            let next_capital = self
                .tokens
                .get(i + 1)
                .is_some_and(|t| t.is_word() && t.is_capitalized());
            // «Спартак», «Орион»: one word in quotes names a team, a ship, a firm.
            if next_capital || self.quoted(i) {
                continue;
            }
            let start = self.sentence_start(i);
            // Adjectives share the -ский endings, so only -ов/-ев/-ин surnames count by
            // shape, and only after a word in lower case or inside a list.
            let after_lower = i > 0
                && ((self.tokens[i - 1].is_word() && !self.tokens[i - 1].is_capitalized())
                    || matches!(self.text_at(i - 1), "(" | ","));
            let shaped = !start
                && after_lower
                && surname_shaped(self.norm(i))
                && !self.lex.given.contains_key(self.norm(i));
            if shaped || self.known_surname(i) || (!start && self.lexicon_surname(i)) {
                let lemma = surname_lemma(self.text_at(i), None);
                self.add(Kind::Person, i, i + 1, lemma, None, chars);
                continue;
            }
            if let Some((given, _, common)) = self.given_at(i) {
                let ordinary = common || self.lex.common_forms.contains(self.norm(i));
                if (!ordinary || !start) && self.text_at(i).chars().count() >= 3 {
                    self.add(Kind::Person, i, i + 1, given, None, chars);
                }
            }
        }
    }

    /// A name in Latin letters in brackets after a person's name in Cyrillic: "Джошуа
    /// Вольф (Joshua Wolf)".
    fn names_in_brackets(&mut self, chars: &[char]) {
        let ends: Vec<usize> = self
            .mentions
            .iter()
            .filter(|(m, _, _)| m.kind == Kind::Person)
            .map(|(_, _, to)| *to)
            .collect();
        for e in ends {
            if self.text_at(e) != "(" {
                continue;
            }
            let mut k = e + 1;
            while k < e + 6
                && self.tokens.get(k).is_some_and(|t| {
                    !self.used[k]
                        && t.is_word()
                        && !t.is_cyrillic()
                        && (t.is_capitalized() || self.particle(k).0 || self.particle(k).1)
                })
            {
                k += 1;
            }
            if k > e + 1 && self.text_at(k) == ")" && self.tokens[e + 1].is_capitalized() {
                let lemma = (e + 1..k)
                    .map(|j| self.text_at(j))
                    .collect::<Vec<_>>()
                    .join(" ");
                self.add(Kind::Person, e + 1, k, lemma, None, chars);
            }
        }
    }

    /// A name met in a person's mention names the same person alone, in any case:
    /// "Марк Цукерберг ... Цукербергу", "Виктор Бут ... Виктором".
    fn repeated_names(&mut self, chars: &[char]) {
        // Only names with support spread: a mention with a known given name, a patronymic
        // or initials in it, or a surname the dictionary knows or whose shape is Russian. A
        // bare run of capitals ("Главка Наркомата") may be a mistake, and must not spread.
        let mut stems: HashSet<String> = HashSet::new();
        for (m, from, to) in &self.mentions {
            if m.kind != Kind::Person {
                continue;
            }
            let words = (*from..*to).filter(|&k| self.tokens[k].is_word()).count();
            let all_oblique = (*from..*to)
                .filter(|&k| self.tokens[k].is_word())
                .all(|k| self.norm(k).ends_with(['а', 'я', 'ы', 'и']));
            let supported = (words >= 2 && !all_oblique)
                || (*from..*to).any(|k| {
                    self.lex.given.contains_key(self.norm(k))
                        || patronymic(self.norm(k)).is_some()
                        || self.is_initial(k)
                });
            for k in *from..*to {
                let t = &self.tokens[k];
                let surname = self.known_surname(k) || surname_shaped(&t.norm);
                if t.is_capitalized() && t.text.chars().count() >= 3 && (supported || surname) {
                    stems.insert(case_stem(&t.norm).to_string());
                }
            }
        }
        for i in 0..self.tokens.len() {
            if self.name_word(i)
                && self.text_at(i).chars().count() >= 3
                && stems.contains(case_stem(self.norm(i)))
                && !self.is_place(i)
                && !self.quoted(i)
            {
                let lemma = match self.given_at(i) {
                    Some((given, _, _)) => given,
                    None => surname_lemma(self.text_at(i), None),
                };
                self.add(Kind::Person, i, i + 1, lemma, None, chars);
            }
        }
    }

    /// Cover names in an oblique case take the nominative met elsewhere in the text.
    fn cover_lemmas(&mut self) {
        let nominatives: HashSet<String> = self
            .mentions
            .iter()
            .filter(|(m, _, _)| m.kind == Kind::CoverName)
            .map(|(m, _, _)| m.lemma.clone())
            .collect();
        for (m, _, _) in &mut self.mentions {
            if m.kind != Kind::CoverName || m.lemma.contains(' ') {
                continue;
            }
            if let Some(n) = cover_nominative(&m.lemma, &nominatives) {
                m.lemma = n;
            }
        }
    }

    fn sentences(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = 0;
        for i in 0..self.tokens.len() {
            let t = self.text_at(i);
            let end_mark = matches!(t, "." | "!" | "?" | ";");
            let abbreviation = i > 0
                && ((self.tokens[i - 1].text.chars().count() == 1
                    && self.tokens[i - 1].text.chars().all(char::is_alphabetic))
                    || matches!(
                        self.norm(i - 1),
                        "г" | "гг"
                            | "тов"
                            | "mr"
                            | "mrs"
                            | "dr"
                            | "st"
                            | "no"
                            | "ф"
                            | "оп"
                            | "д"
                            | "л"
                            | "лл"
                            | "им"
                            | "gen"
                            | "col"
                    ));
            let next_starts = self
                .tokens
                .get(i + 1)
                .is_none_or(|n| n.is_capitalized() || !n.is_word());
            if end_mark && !abbreviation && next_starts {
                out.push((start, i + 1));
                start = i + 1;
            }
        }
        if start < self.tokens.len() {
            out.push((start, self.tokens.len()));
        }
        out
    }

    fn relations(&self, mentions: &[Mention], token_of: &[(usize, usize)]) -> Vec<Relation> {
        let mut out = Vec::new();
        let mut said: HashSet<(RelationKind, usize, usize)> = HashSet::new();
        // Roles that recruit and handle: a case officer or a resident recruits, a source or
        // an agent is recruited ("Source ДУНАЙ ... was recruited").
        let officer_ends: HashSet<usize> = mentions
            .iter()
            .zip(token_of)
            .filter(|(m, _)| {
                m.kind == Kind::Role
                    && !matches!(
                        m.code.as_deref().unwrap_or(m.lemma.as_str()),
                        "source" | "agent" | "target" | "defector" | "confidential_contact"
                    )
            })
            .map(|(_, t)| t.1)
            .collect();
        // Mentions are in text order: each sentence's are a run found by binary search, so
        // a long text costs no more per sentence than a short one.
        // The last person of the sentence before, with where that sentence starts.
        let mut previous_person: Option<(usize, usize)> = None;
        // Relations whose evidence spans two sentences.
        let mut carried: Vec<Relation> = Vec::new();
        // The last person of the sentence before, whatever it told.
        let mut last_any: Option<(usize, usize)> = None;
        for (s, e) in self.sentences() {
            let sentence_start = self.tokens[s].start;
            // The one recruited, not the recruiter: "мною, оперработником Кузьминым А. П.,
            // завербована Соколова", "SOKOLOVA ... was recruited by Arnold KUZMIN".
            let last_person = (token_of.partition_point(|t| t.0 < s)
                ..token_of.partition_point(|t| t.0 < e))
                .rfind(|&m| {
                    let at = token_of[m].0;
                    mentions[m].kind == Kind::Person
                        && !(at > 0
                            && (matches!(self.norm(at - 1), "by") || officer_ends.contains(&at)))
                });
            let before = previous_person.take();
            // Only a sentence that tells of a recruitment hands its last person on as the
            // one a following "Источнику присвоен псевдоним" names: after "связь прервана
            // из-за болезни Кузьмина" the agent given a new name is not Кузьмин.
            let recruitment = (s..e).any(|i| {
                dict::RECRUITED
                    .iter()
                    .any(|st| self.norm(i).starts_with(st))
            });
            previous_person = last_person
                .filter(|_| recruitment)
                .map(|m| (m, sentence_start));
            let previous_person = before;
            let first = token_of.partition_point(|t| t.0 < s);
            let last = token_of.partition_point(|t| t.0 < e);
            let inside: Vec<usize> = (first..last).filter(|&m| token_of[m].1 <= e).collect();
            let previous_any = last_any;
            if let Some(m) = inside
                .iter()
                .copied()
                .rfind(|&m| mentions[m].kind == Kind::Person)
            {
                last_any = Some((m, sentence_start));
            }
            if inside.is_empty() {
                continue;
            }
            let span = (self.tokens[s].start, self.tokens[e - 1].end);
            let has = |stems: &[&str]| {
                (s..e).find(|&i| stems.iter().any(|st| self.norm(i).starts_with(st)))
            };
            let of_kind = |k: &[Kind]| {
                inside
                    .iter()
                    .copied()
                    .filter(|&m| k.contains(&mentions[m].kind))
                    .collect::<Vec<_>>()
            };
            let agents = of_kind(&[Kind::Person, Kind::CoverName]);
            let persons = of_kind(&[Kind::Person]);
            let covers = of_kind(&[Kind::CoverName]);
            let mut push = |kind: RelationKind, from: usize, to: usize| {
                // Known relations in a set: a long text gives hundreds of thousands.
                if from != to && said.insert((kind, from, to)) {
                    out.push(Relation {
                        kind,
                        from,
                        to,
                        start: span.0,
                        end: span.1,
                    });
                }
            };
            // Code names. Only what the sentence says ties a person to a cover name: the
            // person in brackets beside it ("агент «ХОЛА» (Жданов)", "Жданов («ХОЛА»)"), or
            // after a dash ("«МОРЯК» — Орлов Е. К."), or, for the cover name a cue word
            // introduces ("псевдоним «ХОЛА»", "code-named HOLA", "known as LIRA"), the one
            // it passes to ("передан Жданову", "reissued to Pyotr ZHDANOV"), else the person
            // before the cue, else the one the sentence before recruited ("Источнику
            // присвоен псевдоним «ХОЛА»"). A second cover name in the sentence ("после
            // переименования агента «ЛИРА»") names its own holder, not this one.
            for &c in &covers {
                let (c_from, c_to) = token_of[c];
                let person_at = |from: usize, to: usize| {
                    persons
                        .iter()
                        .copied()
                        .find(|&p| token_of[p].0 >= from && token_of[p].1 <= to)
                };
                let closing = |i: usize| matches!(self.text_at(i), "»" | "\"" | "“" | "”");
                let after = if closing(c_to) { c_to + 1 } else { c_to };
                let before = if c_from > 0
                    && matches!(self.text_at(c_from - 1), "«" | "\"" | "„" | "“")
                {
                    c_from - 1
                } else {
                    c_from
                };
                // The person whose mention starts at token i, or ends just before it.
                let starting_at = |i: usize| persons.iter().copied().find(|&p| token_of[p].0 == i);
                let ending_before =
                    |i: usize| persons.iter().copied().find(|&p| token_of[p].1 + 1 == i);
                // (X) right after; X (Y) right before; — X after.
                let bracketed = (self.text_at(after) == "(")
                    .then(|| starting_at(after + 1))
                    .flatten()
                    .filter(|&p| matches!(self.text_at(token_of[p].1), ")" | "," | ";"));
                let bracketing =
                    (before > 0 && self.text_at(before - 1) == "(" && self.text_at(after) == ")")
                        .then(|| ending_before(before))
                        .flatten();
                let dashed = matches!(self.text_at(after), "—" | "–" | "-" | "=")
                    .then(|| starting_at(after + 1))
                    .flatten();
                // "L'agent HOLA, Vera Sokolova, fut recrutée": after a role, between commas.
                let after_role = of_kind(&[Kind::Role])
                    .iter()
                    .any(|&r| token_of[r].1 == before || token_of[r].1 + 1 == before);
                let apposed = (after_role && self.text_at(after) == ",")
                    .then(|| starting_at(after + 1))
                    .flatten()
                    .filter(|&p| matches!(self.text_at(token_of[p].1), "," | "." | ")" | ""));
                if let Some(p) = bracketed.or(bracketing).or(dashed).or(apposed) {
                    push(RelationKind::CodeNamed, p, c);
                    continue;
                }
                let Some(cue) = (before.saturating_sub(3)..before)
                    .rev()
                    .find(|&i| self.code_name_cue(i))
                else {
                    continue;
                };
                // The first cover name after the cue is the one it introduces.
                if covers
                    .iter()
                    .any(|&o| o != c && token_of[o].0 > cue && token_of[o].0 < c_from)
                {
                    continue;
                }
                let transfer = (after..e).find(|&i| {
                    dict::COVER_TRANSFERS
                        .iter()
                        .any(|st| self.norm(i).starts_with(st))
                });
                let next_cover = covers
                    .iter()
                    .map(|&o| token_of[o].0)
                    .find(|&o| o > c_from)
                    .unwrap_or(e);
                let receiver = transfer.and_then(|t| person_at(t + 1, next_cover.max(t + 1)));
                let subject = persons.iter().copied().rfind(|&p| {
                    let (ps, pe) = token_of[p];
                    pe <= cue
                        && !(ps > 0
                            && (matches!(self.norm(ps - 1), "by") || officer_ends.contains(&ps)))
                });
                match (receiver, subject) {
                    (Some(p), _) | (None, Some(p)) => push(RelationKind::CodeNamed, p, c),
                    (None, None) => {
                        if let Some(&(p, from)) = previous_person.as_ref() {
                            // The evidence spans both sentences.
                            carried.push(Relation {
                                kind: RelationKind::CodeNamed,
                                from: p,
                                to: c,
                                start: from,
                                end: span.1,
                            });
                        }
                    }
                }
            }
            // Born: the person before the cue, at the date and in the place beside it.
            if let Some(cue) = self.birth_cue(s, e) {
                let person = persons
                    .iter()
                    .copied()
                    .rfind(|&p| token_of[p].1 <= cue + 1)
                    .or_else(|| persons.first().copied());
                let near = |k: Kind| {
                    of_kind(&[k])
                        .into_iter()
                        .filter(|&m| token_of[m].0.abs_diff(cue) <= 6)
                        .min_by_key(|&m| token_of[m].0.abs_diff(cue))
                };
                let found = [near(Kind::Date), near(Kind::Place)];
                if let Some(p) = person {
                    for m in found.into_iter().flatten() {
                        push(RelationKind::Born, p, m);
                    }
                } else if let Some((p, from)) = previous_any {
                    // A form: "Фамилия, имя, отчество: ... . Год рождения: 1911."
                    for m in found.into_iter().flatten() {
                        carried.push(Relation {
                            kind: RelationKind::Born,
                            from: p,
                            to: m,
                            start: from,
                            end: span.1,
                        });
                    }
                }
            }
            // Recruited by: the one after a role word or "by" recruited the other.
            if let Some(verb) = has(dict::RECRUITED) {
                let recruiter = agents.iter().copied().find(|&m| {
                    let before = token_of[m].0;
                    before > 0
                        && (matches!(self.norm(before - 1), "by") || officer_ends.contains(&before))
                });
                if let Some(r) = recruiter {
                    // The recruit: a cover name, else the one nearest the verb.
                    let recruit = agents.iter().copied().filter(|&a| a != r).min_by_key(|&a| {
                        (
                            mentions[a].kind != Kind::CoverName,
                            token_of[a].0.abs_diff(verb),
                        )
                    });
                    if let Some(a) = recruit {
                        push(RelationKind::RecruitedBy, a, r);
                    }
                }
            }
            // Handled by.
            if let Some(t) = has(&["куратор", "на связи", "связь", "handler", "handled", "case"])
            {
                let handler = agents
                    .iter()
                    .copied()
                    .find(|&m| token_of[m].0 > t && mentions[m].kind == Kind::Person);
                if let (Some(h), Some(&a)) = (
                    handler,
                    agents
                        .iter()
                        .find(|&&a| token_of[a].0 < t || mentions[a].kind == Kind::CoverName),
                ) {
                    push(RelationKind::HandledBy, a, h);
                }
            }
            // Met with.
            if let Some(t) = has(&["встрет", "встреч", "met"]) {
                let before = agents.iter().copied().rfind(|&m| token_of[m].1 <= t);
                let after = agents.iter().copied().find(|&m| token_of[m].0 > t);
                if let (Some(a), Some(b)) = (before, after) {
                    push(RelationKind::MetWith, a, b);
                }
            }
            // Reported on.
            if let Some(t) = has(&["сообщил", "доложил", "донес", "reported", "informed"])
            {
                let before = agents.iter().copied().rfind(|&m| token_of[m].1 <= t);
                let after = persons.iter().copied().find(|&m| token_of[m].0 > t);
                if let (Some(a), Some(b)) = (before, after) {
                    push(RelationKind::ReportedOn, a, b);
                }
            }
            // Worked at a service; operated in a place.
            for &o in &of_kind(&[Kind::Org]) {
                if has(&[
                    "работ",
                    "служ",
                    "сотрудник",
                    "worked",
                    "officer",
                    "employee",
                ])
                .is_some()
                {
                    if let Some(&p) = persons.first() {
                        push(RelationKind::WorkedAt, p, o);
                    }
                }
            }
            for &pl in &of_kind(&[Kind::Place]) {
                let before = token_of[pl].0;
                let born_here = (before.saturating_sub(4)..before)
                    .any(|i| matches!(self.norm(i), "born" | "рождения" | "родился" | "родилась"));
                if before > 0 && matches!(self.norm(before - 1), "в" | "во" | "in") && !born_here
                {
                    if let Some(&a) = agents.iter().find(|&&a| token_of[a].0 < before) {
                        push(RelationKind::OperatedIn, a, pl);
                    }
                }
            }
            // Roles next to who holds them.
            // Agents are in text order: the one starting where the role ends (or after its
            // opening quote) is found by binary search, so a sentence of a thousand roles
            // and agents (a table OCR gave without full stops) stays linear.
            let starting_at = |token: usize| {
                let i = agents.partition_point(|&a| token_of[a].0 < token);
                agents.get(i).copied().filter(|&a| token_of[a].0 == token)
            };
            for &r in &of_kind(&[Kind::Role]) {
                let end = token_of[r].1;
                let next = starting_at(end).or_else(|| {
                    matches!(self.text_at(end), "«" | "\"" | "„")
                        .then(|| starting_at(end + 1))
                        .flatten()
                });
                if let Some(a) = next {
                    push(RelationKind::HasRole, a, r);
                }
            }
        }
        out.extend(carried);
        out
    }
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
        m.kind == Kind::CoverName
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

/// Finds the mentions in a text and the relations its sentences state.
pub fn extract(text: &str) -> Extraction {
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

/// A given name in any case, as the lexicons know it: its nominative and whether it is a
/// woman's ("Лаврентием" -> ("Лаврентий", false)). For name comparison outside a text.
pub fn given_name(word: &str) -> Option<(String, bool)> {
    let norm = word.to_lowercase().replace('ё', "е");
    lexicon().given.get(&norm).cloned()
}

/// A patronymic in any case: its nominative and whether it is a woman's
/// ("Сергеевичем" -> ("сергеевич", false)).
pub fn patronymic_name(word: &str) -> Option<(String, bool)> {
    patronymic(&word.to_lowercase().replace('ё', "е"))
}

/// A Russian surname's nominative, given the person's gender when known ("Берией" ->
/// "Берия", "Ивановой" -> "Иванова").
pub fn surname_nominative(word: &str, female: Option<bool>) -> String {
    surname_lemma(word, female)
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
