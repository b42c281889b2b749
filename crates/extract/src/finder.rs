//! The finder: a text's tokens with what was looked up of each and the mentions found so
//! far, and the lexicon and name morphology the rule families share.

use crate::*;

/// Russian noun endings a dictionary word may carry.
pub(crate) const NOUN_ENDINGS: &[&str] = &[
    "", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах", "и", "ей", "ям", "ями", "ях", "ю", "я",
    "ем", "ой",
];

/// Given names, surnames and places from OpenCorpora (see data/generate.py).
pub(crate) const NAMES_TSV: &str = include_str!("../data/names.tsv");

/// The dictionaries, indexed once per process.
pub(crate) struct Lexicon {
    /// Every case form of a given name: its nominative and whether it is a woman's.
    pub(crate) given: HashMap<String, (String, bool)>,
    /// The forms of the common given names of `dict` (not the long tail of the lexicon).
    pub(crate) familiar_given: HashSet<String>,
    /// Given names that are also ordinary words ("вера", "роза"): no sign of a person alone.
    pub(crate) common_given: HashSet<String>,
    /// Surnames (masculine nominative) known from the OpenCorpora dictionary.
    pub(crate) surnames: HashSet<String>,
    /// Surnames that are also ordinary words or places.
    pub(crate) common_surnames: HashSet<String>,
    /// Case forms of given names and surnames that are also ordinary words ("власти" of
    /// "Власта"): no sign of a person alone.
    pub(crate) common_forms: HashSet<String>,
    /// Geographical names (nominative) without a country code, and whether each is also an
    /// ordinary word: not persons.
    pub(crate) geo: HashMap<String, bool>,
    pub(crate) places: HashMap<&'static str, (&'static str, &'static str)>,
    /// The first words of place names of two words ("новая" of "новая зеландия").
    pub(crate) place_first_words: HashSet<&'static str>,
    pub(crate) orgs: HashMap<&'static str, Vec<(&'static str, &'static str)>>,
    pub(crate) roles: HashMap<String, &'static str>,
    pub(crate) multi_roles: HashMap<&'static str, Vec<(&'static str, &'static str)>>,
    /// The common Russian given names by transliteration key, and whether each is a
    /// woman's: "Grigory", "Grigorij" and "Grigori" are Григорий in a Western transcript.
    pub(crate) romanised_given: HashMap<String, bool>,
}

pub(crate) fn lexicon() -> &'static Lexicon {
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

/// Nominative forms a given name in an oblique case may come from.
pub(crate) fn given_forms(nominative: &str, female: bool) -> Vec<String> {
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
pub(crate) fn patronymic(norm: &str) -> Option<(String, bool)> {
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
pub(crate) fn surname_lemma(word: &str, female: Option<bool>) -> String {
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
pub(crate) fn adjective_shaped(norm: &str) -> bool {
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
pub(crate) fn surname_shaped(norm: &str) -> bool {
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
pub(crate) const NAME_PARTICLES: &[&str] = &[
    "бин", "ибн", "бен", "аль", "эль", "ад", "ас", "ван", "фон", "де", "ди", "да", "дер", "дю",
    "ла", "ле", "bin", "ibn", "al", "el", "van", "von", "de", "di", "da", "der", "du", "la", "le",
];

/// A word without its case ending, so that the forms of one name meet ("Рейсман",
/// "Рейсманом"; "Обама", "Обамой").
pub(crate) fn case_stem(norm: &str) -> &str {
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
pub(crate) fn surname_candidates(norm: &str) -> Vec<String> {
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

pub(crate) use kartoteka_text::title_case as title;

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
