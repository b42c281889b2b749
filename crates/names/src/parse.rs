//! A name read into its parts: given name, patronymic, surname and initials in any order,
//! script and case, with the sex its forms say.

use crate::sound::{case_variants, skeleton};
use crate::{is_cyrillic_word, variants, PersonName, WordFeatures};
use kartoteka_model::Sex;
use kartoteka_text::title_case as title;

/// Czech and Slovak forms that make a woman's surname of a foreign one, in any case
/// ("Mayová", "Mayové", "Mayovou", "Merkelová"): stripped, the surname itself.
pub(crate) fn without_feminine_suffix(surname: &str) -> Option<&str> {
    foreign_surname_base(surname).map(|(base, _)| base)
}

/// The surname a Czech, Slovak, Slovene or Polish form was made from, and whether the form
/// is a woman's ("Mayová") rather than a case or a possessive ("Corbynovým", "Johnsonovo").
pub(crate) fn foreign_surname_base(surname: &str) -> Option<(&str, bool)> {
    const FEMININE: &[&str] = &[
        "ovou", "ová", "ové", "ovej", "ovú", "eva", "ienė", "aitė", "ytė", "utė",
    ];
    let base = foreign_surname_stem(surname)?;
    let ending = surname[base.len()..].to_lowercase();
    let feminine = FEMININE.iter().any(|f| ending.ends_with(f));
    Some((base, feminine))
}

pub(crate) fn foreign_surname_stem(surname: &str) -> Option<&str> {
    let lower = surname.to_lowercase();
    // The woman's forms, and the Czech, Slovak, Slovene and Polish dative and possessive
    // forms of a foreign surname ("Barnierovi", "Johnsonowi", "Johnsonův", "Johnsonovým",
    // Slovene "Johnsonovo", "Johnsonovih"). None is a Russian surname's nominative.
    const ENDINGS: &[&str] = &[
        "ienė", "aitė", "ytė", "utė", "ovou", "ová", "ové", "ovej", "ovú", "ovi", "owi", "ův",
        "ovým", "ových", "ovými", "ovo", "ovy", "ove", "ovih", "ovim", "ovimi", "ovega", "ovem",
        "ovemu",
    ];
    // After a soft consonant Slovene and Bulgarian take -ev- ("Mayeva", "Mayevi", and with
    // a j after r: "Junckerjevi"); elsewhere -eva is the Russian woman's "Сергеева".
    const SOFT_ENDINGS: &[&str] = &[
        "eva", "eve", "evi", "evo", "evih", "evim", "evega", "evem", "evemu",
    ];
    let strip = |e: &&str| {
        let cut = surname.len() - e.len();
        surname.get(..cut).filter(|s| s.chars().count() >= 2)
    };
    if let Some(stem) = ENDINGS.iter().find(|e| lower.ends_with(*e)).and_then(strip) {
        return Some(stem);
    }
    let stem = SOFT_ENDINGS
        .iter()
        .find(|e| lower.ends_with(*e))
        .and_then(strip)?;
    let soft = stem
        .chars()
        .last()
        .is_some_and(|c| "jycčšžJYCČŠŽ".contains(c));
    if !soft {
        return None;
    }
    // "Junckerj-evi": the j is the joint, not the name.
    match stem.strip_suffix(['j', 'J']) {
        Some(base)
            if base
                .chars()
                .last()
                .is_some_and(|c| !"aeiouyAEIOUY".contains(c)) =>
        {
            Some(base)
        }
        _ => Some(stem),
    }
}

/// The sex a (lower-case) word's ending says, a woman's endings tried first.
fn sex_by_ending(word: &str, female: &[&str], male: &[&str]) -> Option<Sex> {
    if female.iter().any(|e| word.ends_with(e)) {
        Some(Sex::Female)
    } else if male.iter().any(|e| word.ends_with(e)) {
        Some(Sex::Male)
    } else {
        None
    }
}

/// The sex a Russian surname's nominative form says, if any ("Петрова", "Petrova",
/// "Троцкая" are women's; "Петров", "Trotsky" men's; "Шевченко" says nothing).
pub(crate) fn surname_sex(surname: &str) -> Option<Sex> {
    let l = surname.to_lowercase().replace('ё', "е");
    const FEMALE: &[&str] = &[
        "ова", "ева", "ина", "ына", "ская", "цкая", "ova", "eva", "ina", "yna", "skaya", "skaja",
        "skaia", "ska", "tskaya", "owa", "ewa",
    ];
    const MALE: &[&str] = &[
        "ов", "ев", "ин", "ын", "ский", "цкий", "ov", "ev", "in", "yn", "sky", "skiy", "skij",
        "ski", "off", "ow", "ew", "iy", "ij",
    ];
    sex_by_ending(&l, FEMALE, MALE)
}

/// Whether a name's sex rests only on a Latin surname ending that may be a case form:
/// "Tuska" is the genitive of "Tusk", "Nowakowa" a Polish wife's name, and "Corbyna",
/// "Władimira Putina" are genitives in Polish or Czech. Russian forms in Latin letters
/// with a given name in its own nominative ("Anna Petrova", "Ivan Karenin") still count.
pub(crate) fn sex_is_weak(n: &PersonName) -> bool {
    let Some(surname) = n.surname.as_deref() else {
        return false;
    };
    let l = surname.to_lowercase();
    if n.patronymic.is_some() || is_cyrillic_word(surname) || !l.ends_with('a') {
        return false;
    }
    let russian = ["ova", "eva", "ina", "yna", "aya", "aja"]
        .iter()
        .any(|e| l.ends_with(e));
    match n.given.as_deref() {
        // A surname alone (or with initials): a woman's form or a case, nothing says which.
        None => true,
        Some(g) if is_cyrillic_word(g) => false,
        Some(g) => !russian || latin_oblique(g),
    }
}

/// Whether a Latin given name carries a Slavic case ending that no nominative has
/// ("Jeremy'ego", "Borisem", "Jeremyho"). A genitive -a ("Ivana") is not enough: it is
/// also a woman's name, and a Russian woman's surname is not her husband's.
pub(crate) fn latin_oblique(given: &str) -> bool {
    let l = given.to_lowercase();
    ["ego", "yho", "iho", "em", "owi", "ovi", "om"]
        .iter()
        .any(|e| l.ends_with(e))
}

/// Latin patronymics: "Sergeyevich", "Sergejewitsch", "Siergiejewicz", "Sergeevna".
pub(crate) fn latin_patronymic(w: &str) -> Option<Sex> {
    // Every scheme's spelling: "Ilʹinična", "Ilinitchna", "Ylʹynychna", "Sergejewitsch".
    let l: String = w
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            'č' | 'ć' => Some('c'),
            'š' | 'ś' => Some('s'),
            'ž' | 'ź' | 'ż' => Some('z'),
            'ʹ' | 'ʺ' | '\'' | '’' | 'ˮ' => None,
            c => Some(c),
        })
        .collect();
    if l.chars().count() <= 5 {
        return None;
    }
    const FEMALE: &[&str] = &[
        "ovna", "evna", "ichna", "icna", "itchna", "ychna", "owna", "ewna", "iczna",
    ];
    const MALE: &[&str] = &[
        "ovich", "evich", "ovic", "evic", "ovitch", "evitch", "owitsch", "ewitsch", "owicz",
        "ewicz", "ich", "ic", "itch", "itsch", "icz", "ych",
    ];
    sex_by_ending(&l, FEMALE, MALE)
}

/// One token of a name, classified.
#[derive(Debug)]
pub(crate) enum Part {
    Initials(Vec<String>),
    Word(String),
}

pub(crate) fn split_parts(name: &str) -> (Vec<Part>, Option<usize>) {
    let mut parts = Vec::new();
    let mut comma_after = None;
    // "Т.Мэй", "N.S.Khrushchev": initials run into the surname.
    let mut spaced = String::with_capacity(name.len() + 4);
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        spaced.push(c);
        let initial_before =
            i >= 1 && chars[i - 1].is_uppercase() && (i < 2 || !chars[i - 2].is_alphabetic());
        if c == '.'
            && initial_before
            && chars.get(i + 1).is_some_and(|n| n.is_uppercase())
            && chars.get(i + 2).is_some_and(|n| n.is_lowercase())
        {
            spaced.push(' ');
        }
    }
    for raw in spaced.split_whitespace() {
        let had_comma = raw.ends_with(',');
        let token =
            raw.trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != '-' && c != '\'');
        let token = token.trim_start_matches('.');
        if token.is_empty() {
            continue;
        }
        // "Н.С.", "N.S.", "Н.", "Kh.", "Yu.": initials.
        let pieces: Vec<&str> = token.split('.').filter(|p| !p.is_empty()).collect();
        let short = |p: &str| {
            let n = p.chars().count();
            p.chars().next().is_some_and(char::is_uppercase)
                && (n == 1 || (n == 2 && p.chars().nth(1).is_some_and(char::is_lowercase)))
        };
        let initials = (token.contains('.') || token.chars().count() == 1)
            && !pieces.is_empty()
            && pieces.iter().all(|p| short(p));
        if initials {
            parts.push(Part::Initials(
                pieces.iter().map(|p| p.to_string()).collect(),
            ));
        } else {
            parts.push(Part::Word(token.trim_end_matches('.').to_string()));
        }
        if had_comma && comma_after.is_none() {
            comma_after = Some(parts.len());
        }
    }
    (parts, comma_after)
}

/// Parses a person's name in any order, script and case.
pub fn parse(name: &str) -> PersonName {
    let (parts, comma_after) = split_parts(name);
    let mut out = PersonName {
        original: name.to_string(),
        ..PersonName::default()
    };
    let mut words: Vec<String> = Vec::new();
    for p in &parts {
        match p {
            Part::Initials(i) => out.initials.extend(i.iter().cloned()),
            Part::Word(w) => words.push(w.clone()),
        }
    }
    if words.is_empty() {
        return out;
    }
    // The patronymic says the sex and where the given name is (just before it).
    let patronymic_at = words.iter().position(|w| {
        if is_cyrillic_word(w) {
            // Two words: a given name and a patronymic ("Вера Андреевна") only when the
            // patronymic is made from a given name; "Владимир Короткевич" is a surname.
            kartoteka_lexicon::patronymic_name(w).is_some()
                && (words.len() >= 3 || !patronymic_givens(w).is_empty())
        } else {
            // "Goran Radić" is a given name and a surname: a Latin patronymic needs a third
            // word.
            words.len() >= 3 && latin_patronymic(w).is_some()
        }
    });
    let all_caps = |w: &str| {
        w.chars().filter(|c| c.is_alphabetic()).count() >= 2
            && w.chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase)
    };
    let given_known =
        |w: &str| kartoteka_lexicon::given_name(w).is_some() || !variants::groups_of(w).is_empty();
    // A given name in its own nominative ("Мишел Барние": "Барние" is a case of "Барни"
    // only by accident).
    let given_nominative = |w: &str| {
        let fold = |s: &str| s.to_lowercase().replace('ё', "е");
        kartoteka_lexicon::given_name(w).is_some_and(|(n, _)| fold(&n) == fold(w))
            || !variants::groups_of(w).is_empty()
    };
    let surname_at: usize = if let Some(c) = comma_after.filter(|&c| c >= 1 && c <= parts.len()) {
        // "KHRUSHCHEV, Nikita S.": the surname comes before the comma.
        let words_before = parts[..c]
            .iter()
            .filter(|p| matches!(p, Part::Word(_)))
            .count();
        words_before.saturating_sub(1)
    } else if words.len() == 1 {
        // One word: a given name alone ("Donald", "Бориса") or a surname alone ("Trump",
        // "Иванов И.", "Барние", which is only by accident a case of the rare "Барни").
        let w = &words[0];
        let given = given_nominative(w)
            || kartoteka_lexicon::familiar_given_name(w)
            || !variants::groups_of(w).is_empty();
        if given && out.initials.is_empty() {
            usize::MAX
        } else {
            0
        }
    } else if let Some(caps) = words
        .iter()
        .position(|w| all_caps(w))
        .filter(|_| words.iter().filter(|w| all_caps(w)).count() == 1)
    {
        caps
    } else if let Some(p) = patronymic_at {
        // "Иван Петрович Сидоров" / "Сидоров Иван Петрович".
        if p + 1 < words.len() {
            words.len() - 1
        } else if p >= 2 {
            0
        } else {
            usize::MAX
        }
    } else if words.len() >= 2 && given_known(&words[0]) && !given_known(&words[words.len() - 1]) {
        words.len() - 1
    } else if (given_nominative(&words[words.len() - 1]) && !given_known(&words[0]))
        || (is_cyrillic_word(&words[0])
            && kartoteka_lexicon::known_surname(&words[0])
            && !kartoteka_lexicon::known_surname(&words[words.len() - 1]))
    {
        0
    } else {
        // Western order by default: given names first.
        words.len() - 1
    };
    let mut rest: Vec<(usize, &String)> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if i == surname_at {
            out.surname = Some(w.clone());
        } else if Some(i) == patronymic_at {
            if is_cyrillic_word(w) {
                if let Some((p, f)) = kartoteka_lexicon::patronymic_name(w) {
                    out.patronymic = Some(title(&p));
                    out.sex = Some(f);
                }
            } else {
                out.patronymic = Some(w.clone());
                out.sex = latin_patronymic(w);
            }
        } else {
            rest.push((i, w));
        }
    }
    // What is left: the given name first, then middle names kept as initials.
    for (k, (_, w)) in rest.iter().enumerate() {
        if k == 0 {
            if is_cyrillic_word(w) {
                match kartoteka_lexicon::given_name(w) {
                    Some((nominative, sex)) => {
                        // "Асия", "Асии", "Асию" read as cases of the man's "Асий" may as
                        // well be a woman's name the lexicon lacks: unless the surname
                        // says the sex ("Василия Петрова"), a man's name reached through
                        // an ending a woman's name also takes says nothing of it (only
                        // the instrumental -ом/-ем is a man's alone).
                        let lower = w.to_lowercase();
                        let oblique_male = sex == Sex::Male
                            && nominative.to_lowercase() != lower
                            && !lower.ends_with("ом")
                            && !lower.ends_with("ем");
                        let surname_says =
                            words.get(surname_at).and_then(|s| surname_sex(s)).is_some();
                        out.given = Some(nominative);
                        if !oblique_male || surname_says {
                            out.sex = out.sex.or(Some(sex));
                        }
                    }
                    None => {
                        // A Ukrainian or Belarusian form ("Францыск", "Мікалай") has the
                        // sex of the Russian name it stands for.
                        out.given = Some((*w).clone());
                        let russian = variants::groups_of(w)
                            .into_iter()
                            .find_map(kartoteka_lexicon::given_name);
                        if let Some((_, sex)) = russian {
                            out.sex = out.sex.or(Some(sex));
                        }
                    }
                }
            } else {
                out.given = Some((*w).clone());
            }
        } else if let Some(first) = w.chars().next() {
            out.initials.push(first.to_string());
        }
    }
    // A given name written in its nominative has its surname in the nominative too:
    // "Франциск Скорина" is Скорина, not a case of Скорин.
    let given_as_written = rest.first().is_some_and(|(_, w)| {
        out.given.as_deref().is_some_and(|g| {
            g.to_lowercase().replace('ё', "е") == w.to_lowercase().replace('ё', "е")
        })
    });
    if let Some(s) = &out.surname {
        if is_cyrillic_word(s) && !(given_as_written && s.to_lowercase().ends_with('а')) {
            let nominative = kartoteka_lexicon::surname_nominative(s, out.sex);
            out.surname = Some(nominative);
        }
        if out.sex.is_none() {
            out.sex = out.surname.as_deref().and_then(surname_sex);
        }
    }
    out
}

impl PersonName {
    /// The surname's and the given name's features, worked out on first use.
    pub(crate) fn features(&self) -> &(Option<WordFeatures>, Option<WordFeatures>) {
        self.features.0.get_or_init(|| {
            (
                self.surname.as_deref().map(WordFeatures::of),
                self.given.as_deref().map(WordFeatures::of),
            )
        })
    }

    /// The initials of the given name and the patronymic, from the full parts or from the
    /// initials written.
    pub(crate) fn first_initials(&self) -> (Option<String>, Option<String>) {
        let mut given = self
            .given
            .as_ref()
            .and_then(|g| g.chars().next().map(String::from));
        let mut second = self
            .patronymic
            .as_ref()
            .and_then(|p| p.chars().next().map(String::from));
        let mut written = self.initials.iter();
        if given.is_none() {
            given = written.next().cloned();
        }
        if second.is_none() {
            second = written.next().cloned();
        }
        (given, second)
    }

    /// Keys that put this name in the same block as its other spellings: its surname's
    /// transliteration keys.
    pub fn block_keys(&self) -> Vec<String> {
        let Some(s) = &self.surname else {
            return Vec::new();
        };
        let mut keys = kartoteka_text::translit_keys(s);
        let mut add = |k: String| {
            if !k.is_empty() && !keys.contains(&k) {
                keys.push(k);
            }
        };
        // By sound too, so that "Джонсон" meets "Johnson", and a Czech woman's form meets
        // the surname it was made from.
        for variant in case_variants(s) {
            // The first three consonants: "Барние" and "Barnier" differ in the fourth.
            let sk = skeleton(&variant);
            let head: String = sk.chars().take(3).collect();
            add(format!("~{head}"));
        }
        if let Some(base) = without_feminine_suffix(s) {
            add(format!("~{}", skeleton(base)));
            for k in kartoteka_text::translit_keys(base) {
                add(k);
            }
        }
        keys
    }
}

/// The given names (as group ids, the Russian full forms) a patronymic may be made from, in
/// Russian, Ukrainian or Belarusian: "Николаевич", "Миколайович", "Мікалаевіч" and
/// "Миколаївна" all give Николай. Empty when the stem is no given name the tables know.
pub(crate) fn patronymic_givens(word: &str) -> Vec<String> {
    let lower = word.to_lowercase().replace('ё', "е");
    let nominative = kartoteka_lexicon::patronymic_name(&lower)
        .map(|(p, _)| p.to_lowercase())
        .unwrap_or(lower);
    const SUFFIXES: &[&str] = &[
        "аевіч",
        "аеўна",
        "ьевич",
        "ьевна",
        "йович",
        "ьович",
        "ович",
        "евич",
        "овна",
        "евна",
        "івна",
        "ївна",
        "ична",
        "ічна",
        "авіч",
        "евіч",
        "овіч",
        "аўна",
        "еўна",
        "оўна",
        "ич",
        "іч",
    ];
    let mut found = Vec::new();
    for suffix in SUFFIXES {
        let Some(stem) = nominative.strip_suffix(suffix) else {
            continue;
        };
        if stem.chars().count() < 2 {
            continue;
        }
        let bare = stem.trim_end_matches(['ь', 'й']);
        for candidate in [
            stem.to_string(),
            format!("{stem}й"),
            format!("{stem}ь"),
            format!("{stem}а"),
            format!("{stem}ай"),
            format!("{bare}ий"),
            format!("{bare}ій"),
            format!("{bare}ей"),
            format!("{bare}ь"),
        ] {
            let mut ids = variants::groups_of(&candidate);
            if ids.is_empty() {
                if let Some((n, _)) = kartoteka_lexicon::given_name(&candidate) {
                    if n.to_lowercase().replace('ё', "е") == candidate {
                        ids = variants::groups_of(&n);
                        let own = n.to_lowercase().replace('ё', "е");
                        if ids.is_empty() && !found.contains(&own) {
                            found.push(own);
                        }
                    }
                }
            }
            for id in ids {
                if !found.iter().any(|f| f == id) {
                    found.push(id.to_string());
                }
            }
        }
    }
    found
}
