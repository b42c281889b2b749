//! Person names understood: a name in any order, script and case is parsed into its given
//! name, patronymic, surname and initials; two names are compared part by part, across
//! transliterations, diminutives and foreign equivalents, with the reasons for the verdict;
//! a list of names is grouped into persons without comparing every name with every other.
//!
//! ```text
//! "Хрущёв Н. С."                    surname Хрущёв, initials Н С
//! "Nikita Sergeyevich Khrushchev"   given Nikita, patronymic Sergeyevich, surname Khrushchev
//! "KHRUSHCHEV, Nikita S."           surname KHRUSHCHEV, given Nikita, initial S
//! "Лаврентием Берией"               given Лаврентий, surname Берия
//! ```
//!
//! A wrong "same" accuses an innocent person, so the comparison says "same" only when the
//! name parts support it, "different" when they contradict each other, and "unsure" when
//! there is too little to say (a surname alone, one initial).

mod cluster;
pub mod context;
mod east_slavic;
mod list;
mod parse;
mod peoples;
mod sound;
mod variants;

pub use cluster::{
    cluster, cluster_judged, cluster_judged_on, Clustering, Constraints, NameRecord,
};
pub use context::{weigh, Context, Weighing};
pub use list::{read_name_list, NameListError};
pub use parse::parse;

/// Every form the name tables know of a given name, in lower case: diminutives and the
/// same name in other languages and scripts ("вера": "верочка", "vera", ...).
pub fn given_name_variants(name: &str) -> Vec<&'static str> {
    variants::all_forms(name)
}
use parse::{foreign_surname_base, sex_is_weak, surname_sex};
use sound::{forms_alike, rough_latin, sound_forms, sounds_alike};

use serde::Serialize;

/// A person's name, parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PersonName {
    /// The name as given.
    pub original: String,
    /// Given name, nominative where the lexicon knows the case ("Лаврентием" -> "Лаврентий").
    pub given: Option<String>,
    /// Patronymic, nominative ("Сергеевичем" -> "Сергеевич").
    pub patronymic: Option<String>,
    /// Surname, nominative.
    pub surname: Option<String>,
    /// Initials, in order: the given name's, then the patronymic's (or a middle name's).
    pub initials: Vec<String>,
    /// Whose name it is, when the given name, patronymic or surname form says.
    pub sex: Option<Sex>,
    /// What comparisons need of the surname and the given name, worked out once.
    #[serde(skip)]
    features: FeatureCache,
}

/// What comparisons need of one word: its transliteration keys and the ways it may sound.
#[derive(Clone, Debug, Default)]
struct WordFeatures {
    lower: String,
    keys: Vec<String>,
    sounds: Vec<String>,
    groups: Vec<&'static str>,
}

impl WordFeatures {
    fn of(word: &str) -> WordFeatures {
        let lower = word.to_lowercase().replace('ё', "е");
        WordFeatures {
            keys: kartoteka_text::translit_keys(word),
            sounds: sound_forms(word),
            groups: variants::groups_of(&lower),
            lower,
        }
    }

    fn shares_key(&self, other: &WordFeatures) -> bool {
        other.keys.iter().any(|k| self.keys.contains(k))
    }

    fn sounds_alike(&self, other: &WordFeatures) -> bool {
        forms_alike(&self.sounds, &other.sounds)
    }
}

/// The surname's and the given name's features, computed on first use. A cache, not part
/// of the name: two names are equal whatever their caches hold.
#[derive(Clone, Default)]
struct FeatureCache(std::sync::OnceLock<(Option<WordFeatures>, Option<WordFeatures>)>);

impl PartialEq for FeatureCache {
    fn eq(&self, _: &FeatureCache) -> bool {
        true
    }
}

impl Eq for FeatureCache {}

impl std::fmt::Debug for FeatureCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("..")
    }
}

pub use kartoteka_model::{Sex, Verdict};

/// A comparison of two names: verdict, a score in 0..=1 and the reasons, in words.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NameMatch {
    /// The conclusion.
    pub verdict: Verdict,
    /// How strongly the parts agree (1 = every part the same).
    pub score: f64,
    /// Why: one line per part compared.
    pub reasons: Vec<String>,
}

/// Whether two Cyrillic surnames end in different Russian suffixes (Медведин, Медведев):
/// two families, however alike they sound.
fn other_russian_suffix(a: &str, b: &str) -> bool {
    fn suffix(w: &str) -> Option<&'static str> {
        let l = w.to_lowercase().replace('ё', "е");
        let l = l.strip_suffix('а').unwrap_or(&l).to_string();
        ["ов", "ев", "ин", "ын", "ский", "цкий", "ская", "цкая"]
            .into_iter()
            .find(|e| l.ends_with(e))
    }
    if !is_cyrillic_word(a) || !is_cyrillic_word(b) {
        return false;
    }
    matches!((suffix(a), suffix(b)), (Some(x), Some(y)) if x != y && !matches!((x, y), ("ов", "ев") | ("ев", "ов")))
}

fn is_cyrillic_word(w: &str) -> bool {
    w.chars().any(kartoteka_text::is_cyrillic)
}

/// Latin letters a romanisation may begin a Cyrillic letter with.
fn latin_starts(c: char) -> &'static str {
    match c {
        'а' => "a",
        'б' => "b",
        'в' => "vw",
        'г' => "gh",
        'д' => "d",
        'е' => "eyj",
        'ё' => "yje",
        'ж' => "zjs",
        'з' => "zs",
        'и' => "iy",
        'й' => "yji",
        'к' => "kc",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "uo",
        'ф' => "fp",
        'х' => "khcx",
        'ц' => "tcz",
        'ч' => "ct",
        'ш' => "sc",
        'щ' => "s",
        'э' => "e",
        'ю' => "yjio",
        'я' => "yji",
        'і' => "iy",
        'ї' => "yi",
        'є' => "yje",
        'ґ' => "g",
        'ў' => "uw",
        _ => "",
    }
}

/// Whether an initial fits a name part (the same first letter, across scripts: "Н." fits
/// "Nikita", "Kh." fits "Хрущёв").
fn initial_fits(initial: &str, name: &str) -> bool {
    let first = |s: &str| {
        s.chars()
            .next()
            .map(|c| c.to_lowercase().next().unwrap_or(c))
    };
    let (Some(i), Some(n)) = (first(initial), first(name)) else {
        return false;
    };
    if i == n {
        return true;
    }
    let set = |c: char| -> String {
        if kartoteka_text::is_cyrillic(c) {
            latin_starts(c).to_string()
        } else {
            c.to_string()
        }
    };
    let (si, sn) = (set(i), set(n));
    if si.chars().any(|c| sn.contains(c)) {
        return true;
    }
    // The same given name in another of the East Slavic languages: "В." fits "Uladzimir"
    // (Владимир), "М." fits "Nikolai" (Микола).
    variants::full_forms(name)
        .iter()
        .any(|form| form.chars().next().is_some_and(|c| c == i))
}

/// Whether two given names are one: the same in any case or script, or a diminutive or
/// foreign form of the other. Returns the reason.
fn given_match(a: &str, b: &str) -> Option<String> {
    given_match_of(a, b, &WordFeatures::of(a), &WordFeatures::of(b))
}

/// `given_match` with the words' features already worked out.
fn given_match_of(a: &str, b: &str, fa: &WordFeatures, fb: &WordFeatures) -> Option<String> {
    if fa.lower == fb.lower {
        return Some(format!("given name {a} = {b}"));
    }
    if let Some(g) = fa.groups.iter().find(|g| fb.groups.contains(g)) {
        return Some(format!("given name {a} = {b} (forms of {})", title(g)));
    }
    if fa.shares_key(fb) {
        return Some(format!("given name {a} = {b} (transliteration)"));
    }
    if fa.sounds_alike(fb) {
        return Some(format!("given name {a} = {b} (transcription)"));
    }
    // Double names part by part, each in its own case: "Jeanem-Claudem" = "Jean-Claude".
    let (pa, pb): (Vec<&str>, Vec<&str>) = (
        a.split('-')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect(),
        b.split('-')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect(),
    );
    if pa.len() >= 2
        && pa.len() == pb.len()
        && pa.iter().zip(&pb).all(|(x, y)| given_match(x, y).is_some())
    {
        return Some(format!("given name {a} = {b} (part by part)"));
    }
    None
}

use kartoteka_text::title_case as title;

/// Whether two words share a transliteration key (the same name in two scripts or
/// romanisations).
fn shares_key(a: &str, b: &str) -> bool {
    let ka = kartoteka_text::translit_keys(a);
    kartoteka_text::translit_keys(b)
        .iter()
        .any(|k| ka.contains(k))
}

/// Keys such that any two words `compare` could take for one surname or one given name
/// share at least one: the transliteration keys, the lower-case form, the groups of
/// diminutives and foreign forms, each sound form and each sound form less one letter (so
/// that forms one letter apart meet), the same for the surname a Czech, Slovak or Polish
/// form was made from, and for a double name its first part. A key shared says only
/// "compare these"; it lets a document of thousands of names be matched without comparing
/// every pair.
pub(crate) fn comparison_keys(word: &str) -> Vec<String> {
    let mut keys = Vec::new();
    word_keys(word, "", &mut keys);
    if let Some((base, _)) = foreign_surname_base(word) {
        word_keys(base, "", &mut keys);
    }
    let parts: Vec<&str> = word
        .split('-')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() >= 2 {
        word_keys(parts[0], "part:", &mut keys);
    }
    keys
}

/// `comparison_keys` of one word, without its base or parts, each under a prefix.
fn word_keys(word: &str, prefix: &str, keys: &mut Vec<String>) {
    let mut add = |kind: &str, k: &str| {
        let key = format!("{prefix}{kind}:{k}");
        if !keys.contains(&key) {
            keys.push(key);
        }
    };
    for k in kartoteka_text::translit_keys(word) {
        add("t", &k);
    }
    let lower = word.to_lowercase().replace('ё', "е");
    for g in variants::groups_of(&lower) {
        add("g", g);
    }
    add("l", &lower);
    for form in sound_forms(word) {
        let chars: Vec<char> = form.chars().collect();
        if chars.is_empty() {
            continue;
        }
        add("s", &form);
        // Two forms one edit apart (when both have four letters or more, as
        // `forms_alike` asks) are equal once one letter is left out of one or both.
        if chars.len() >= 4 {
            for skip in 0..chars.len() {
                let less: String = chars
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| i != skip)
                    .map(|(_, c)| c)
                    .collect();
                add("s", &less);
            }
        }
    }
}

/// "woman" or "man", for the reasons of a comparison.
fn whose(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "woman",
        Sex::Male => "man",
    }
}

/// Compares two parsed names.
pub fn compare(a: &PersonName, b: &PersonName) -> NameMatch {
    let mut reasons = Vec::new();
    let mut score: f64 = 0.0;
    let mut conflict = false;
    // Surname.
    let surname_same = match (&a.surname, &b.surname) {
        (Some(x), Some(y)) => {
            // A woman's form needs a surname that is not a man's; a case or a possessive
            // form fits any.
            let feminine = |a: &str, b: &str| {
                foreign_surname_base(a).is_some_and(|(base, woman)| {
                    (!woman || surname_sex(b) != Some(Sex::Male))
                        && (shares_key(base, b) || sounds_alike(base, b))
                })
            };
            let (own_x, own_y);
            let fx = match a.features().0.as_ref() {
                Some(f) => f,
                None => {
                    own_x = WordFeatures::of(x);
                    &own_x
                }
            };
            let fy = match b.features().0.as_ref() {
                Some(f) => f,
                None => {
                    own_y = WordFeatures::of(y);
                    &own_y
                }
            };
            // The three East Slavic languages' spellings, worked out only when the two
            // surnames are not written alike.
            let spelling = || {
                east_slavic::compare(
                    x,
                    y,
                    (
                        east_slavic::belarusian(&a.original),
                        east_slavic::belarusian(&b.original),
                    ),
                )
            };
            let spelling = if x.to_lowercase() == y.to_lowercase() {
                None
            } else {
                Some(spelling())
            };
            match &spelling {
                None => {
                    reasons.push(format!("same surname {x}"));
                    score += 0.45;
                    true
                }
                // Two in East Slavic Cyrillic are not compared by the looser
                // transliteration keys (Кулеба / Кулиба share one), and two a consonant
                // apart that no language explains (Кучма / Kuzma) are two surnames.
                Some(s) if !s.both_cyrillic && !s.letter_apart && fx.shares_key(fy) => {
                    reasons.push(format!("same surname key: {x} = {y}"));
                    score += 0.45;
                    true
                }
                Some(s) if s.alike => {
                    reasons.push(format!(
                        "same surname: {x} = {y} (Russian, Ukrainian or Belarusian spelling)"
                    ));
                    score += 0.45;
                    true
                }
                // A surname shaped like an East Slavic one (Иванов, Ivashov, Martsiuk) is
                // never compared by ear: Гриценко and Грищенко sound alike to an English
                // ear and are two families.
                Some(s)
                    if !s.slavic
                        && !s.letter_apart
                        && fx.sounds_alike(fy)
                        && !other_russian_suffix(x, y) =>
                {
                    reasons.push(format!("same surname by sound: {x} = {y}"));
                    score += 0.4;
                    true
                }
                _ if feminine(x, y) || feminine(y, x) => {
                    reasons.push(format!(
                        "same surname: {x} = {y} (a woman's, case or possessive form of a foreign surname)"
                    ));
                    score += 0.4;
                    true
                }
                _ => {
                    reasons.push(format!("surnames differ: {x} / {y}"));
                    conflict = true;
                    false
                }
            }
        }
        _ => {
            reasons.push("a surname is missing".to_string());
            false
        }
    };
    // Sex: Петров and Петрова are one family, not one person. A Polish "-ska" / "-owa"
    // form says less: "Tuska" is also the genitive of "Tusk".
    let mut unsure_sex = false;
    if let (Some(fa), Some(fb)) = (a.sex, b.sex) {
        if fa != fb {
            if sex_is_weak(a) || sex_is_weak(b) {
                reasons.push(format!(
                    "{} may be a woman's form or a case of {}",
                    a.original, b.original
                ));
                unsure_sex = true;
            } else {
                reasons.push(format!(
                    "{} is a {}'s name, {} a {}'s: the same family at most",
                    a.original,
                    whose(fa),
                    b.original,
                    whose(fb)
                ));
                conflict = true;
            }
        }
    }
    // Given names, or their initials.
    let mut given_full = false;
    let mut initials_agree = 0;
    match (&a.given, &b.given) {
        (Some(x), Some(y)) => match given_of(a, b, x, y) {
            Some(r) => {
                reasons.push(r);
                score += 0.35;
                given_full = true;
            }
            None => {
                reasons.push(format!("given names differ: {x} / {y}"));
                conflict = true;
            }
        },
        _ => {
            let (ia, _) = a.first_initials();
            let (ib, _) = b.first_initials();
            match (ia, ib) {
                (Some(x), Some(y)) => {
                    if initial_fits(&x, &y) {
                        reasons.push(format!("first initial {x} fits {y}"));
                        score += 0.2;
                        initials_agree += 1;
                    } else {
                        reasons.push(format!("first initials differ: {x} / {y}"));
                        conflict = true;
                    }
                }
                _ => reasons.push("a given name is missing".to_string()),
            }
        }
    }
    // Patronymics, or the second initial.
    match (&a.patronymic, &b.patronymic) {
        (Some(x), Some(y)) => {
            // The same patronymic, or two made from one given name in the three languages
            // ("Миколайович", "Мікалаевіч", "Николаевич").
            let from_one_name = || {
                let gx = parse::patronymic_givens(x);
                let gy = parse::patronymic_givens(y);
                gx.iter().any(|g| gy.contains(g))
            };
            let same = x.to_lowercase() == y.to_lowercase() || shares_key(x, y) || from_one_name();
            if same {
                reasons.push(format!("patronymic matches: {x} = {y}"));
                score += 0.2;
                initials_agree += 1;
            } else {
                reasons.push(format!("patronymics differ: {x} / {y}"));
                conflict = true;
            }
        }
        _ => {
            let (_, sa) = a.first_initials();
            let (_, sb) = b.first_initials();
            if let (Some(x), Some(y)) = (sa, sb) {
                if initial_fits(&x, &y) {
                    reasons.push(format!("second initial {x} fits {y}"));
                    score += 0.1;
                    initials_agree += 1;
                } else {
                    reasons.push(format!("second initials differ: {x} / {y}"));
                    conflict = true;
                }
            }
        }
    }
    // A surname with initials against the same surname with the given name written out
    // in another script ("Громыко А. А." / "Andrei Gromyko"): a Western source gives no
    // patronymic to check the second initial against, so the first initial that fits is
    // all there can be, and with nothing contradicting it the two are one.
    let across_scripts = a.given.is_some() != b.given.is_some()
        && match (&a.surname, &b.surname) {
            (Some(x), Some(y)) => is_cyrillic_word(x) != is_cyrillic_word(y),
            _ => false,
        };
    if surname_same && !given_full && initials_agree >= 1 && across_scripts && !conflict {
        reasons.push(
            "the initial fits the given name written out in another script, and nothing contradicts"
                .to_string(),
        );
    }
    let verdict = if conflict {
        score *= 0.25;
        Verdict::Different
    } else if surname_same
        && (given_full || initials_agree >= 2 || (initials_agree >= 1 && across_scripts))
        && !unsure_sex
    {
        Verdict::Same
    } else {
        Verdict::Unsure
    };
    NameMatch {
        verdict,
        score: (score.min(1.0) * 1000.0).round() / 1000.0,
        reasons,
    }
}

/// The letters a name's given name (or first initial) may begin with in any script or
/// language, coarsely, as bits: two names whose signatures share no bit cannot have the
/// same given name, so they need not be compared. Zero for a name that cannot be judged
/// the same as any other (a surname alone, a single initial).
pub(crate) fn given_signature(n: &PersonName) -> u64 {
    let word = match (&n.given, n.initials.first()) {
        (Some(g), _) => g,
        (None, Some(first)) if n.initials.len() >= 2 => first,
        _ => return 0,
    };
    let lower = word.to_lowercase();
    let mut letters = String::new();
    let mut add_first = |w: &str| {
        if let Some(c) = w.chars().next() {
            if kartoteka_text::is_cyrillic(c) {
                letters.push_str(latin_starts(c));
            }
            letters.extend(rough_latin(&c.to_string()).chars().take(1));
            letters.extend(rough_latin(w).chars().take(1));
        }
    };
    add_first(&lower);
    for canonical in variants::groups_of(&lower) {
        add_first(canonical);
    }
    if ["ge", "gi", "gy"].iter().any(|g| lower.starts_with(g)) {
        letters.push('j');
    }
    let mut bits = 0u64;
    for c in letters.chars() {
        // Vowels and the glides are one class (Евгений / Yevgeny / Jewgeni / Eugen, and
        // "dž", "j" and a soft g: Джордж / George), as are v and w; every other letter is
        // its own.
        let class = match c {
            'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'j' => 0,
            'w' => u32::from(b'v' - b'a'),
            c if c.is_ascii_lowercase() => u32::from(c as u8 - b'a'),
            _ => 26,
        };
        bits |= 1 << class;
    }
    if bits == 0 {
        bits = 1 << 27;
    }
    bits
}

/// Whether two names' given names are one, with their cached features.
fn given_of(a: &PersonName, b: &PersonName, x: &str, y: &str) -> Option<String> {
    match (a.features().1.as_ref(), b.features().1.as_ref()) {
        (Some(fx), Some(fy)) => given_match_of(x, y, fx, fy),
        _ => given_match(x, y),
    }
}

/// Parses and compares two names as written.
pub fn match_names(a: &str, b: &str) -> NameMatch {
    compare(&parse(a), &parse(b))
}

/// Compares two names with what the documents say of their bearers: birth years too far
/// apart make two people whatever the names say; a place in the same years, or a person
/// named beside both, adds to the score (and the reasons say so), but never makes a name
/// that differs the same.
pub fn match_in_context(a: &str, ca: &Context, b: &str, cb: &Context) -> NameMatch {
    let mut m = match_names(a, b);
    let w = weigh(ca, cb);
    m.reasons.extend(w.reasons);
    if w.conflict {
        m.verdict = Verdict::Different;
        m.score = m.score.min(0.1);
    } else if m.verdict != Verdict::Different {
        m.score = (m.score + 0.1 * f64::from(w.support)).min(1.0);
    }
    m
}

#[cfg(test)]
mod tests;
