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
mod peoples;
mod variants;

pub use cluster::{
    cluster, cluster_judged, cluster_judged_on, Clustering, Constraints, NameRecord,
};
pub use context::{weigh, Context, Weighing};

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
    /// A woman's name (known from the given name, patronymic or surname form).
    pub female: Option<bool>,
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

pub use kartoteka_model::Verdict;

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
    si.chars().any(|c| sn.contains(c))
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

/// A rough Latin rendering of a word in any script, reduced to its consonants, for names
/// transcribed by ear rather than by a scheme: "Джонсон" and "Johnson", "Тереза" and
/// "Theresa", "Мишел" and "Michel", "Джонсън" and "Джонсон" all reduce alike.
pub(crate) fn skeleton(word: &str) -> String {
    reduce(&rough_latin(word), false)
}

/// A word in rough Latin letters, with the spellings that differ between languages but
/// not in sound made one ("dzh", "dž", "j" -> "j"; "th" -> "t"; "ch", "sh", "sch" -> "s").
pub(crate) fn rough_latin(word: &str) -> String {
    let mut latin = String::with_capacity(word.len() * 2);
    for c in word.to_lowercase().chars() {
        let s: &str = match c {
            'а' | 'ъ' => "a",
            'б' => "b",
            'в' => "v",
            'г' | 'ґ' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' | 'є' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' | 'і' | 'ї' | 'й' | 'ы' => "i",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' | 'ў' => "u",
            'ф' => "f",
            'х' => "h",
            'ц' => "ts",
            'ч' => "ch",
            'ш' | 'щ' => "sh",
            'ю' => "iu",
            'я' => "ia",
            'ь' | '\'' | '’' | 'ʹ' | '-' => "",
            'č' | 'ć' => "ch",
            'š' | 'ś' | 'ş' => "sh",
            'ž' | 'ź' | 'ż' => "zh",
            'ł' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ř' => "rzh",
            'ß' => "ss",
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ą' => "a",
            'é' | 'è' | 'ê' | 'ë' | 'ě' | 'ę' => "e",
            'í' | 'ì' | 'î' | 'ï' => "i",
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ő' => "o",
            'ú' | 'ù' | 'û' | 'ü' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ç' => "c",
            'ď' => "d",
            'ť' => "t",
            'ľ' | 'ĺ' => "l",
            'ŕ' => "r",
            'ė' | 'ē' => "e",
            'ā' => "a",
            'ī' | 'į' => "i",
            'ū' | 'ų' => "u",
            'ņ' => "n",
            'ļ' => "l",
            'ķ' => "k",
            'ģ' => "g",
            // Georgian (Mkhedruli), which writes Russian names by ear: "პეტროვი".
            'ა' => "a",
            'ბ' => "b",
            'გ' => "g",
            'დ' => "d",
            'ე' => "e",
            'ვ' => "v",
            'ზ' => "z",
            'თ' | 'ტ' => "t",
            'ი' => "i",
            'კ' | 'ქ' => "k",
            'ლ' => "l",
            'მ' => "m",
            'ნ' => "n",
            'ო' => "o",
            'პ' | 'ფ' => "p",
            'ჟ' => "zh",
            'რ' => "r",
            'ს' => "s",
            'უ' => "u",
            'ღ' => "gh",
            'ყ' => "q",
            'შ' => "sh",
            'ჩ' | 'ჭ' => "ch",
            'ც' | 'წ' => "ts",
            'ძ' => "dz",
            'ხ' => "kh",
            'ჯ' => "dzh",
            'ჰ' => "h",
            c if c.is_ascii_alphabetic() => {
                latin.push(c);
                continue;
            }
            _ => continue,
        };
        latin.push_str(s);
    }
    latin
        .replace("dzh", "j")
        .replace("dz", "j")
        .replace("th", "t")
        .replace("ph", "f")
        .replace("ck", "k")
        .replace("sch", "s")
        .replace("ch", "s")
        .replace("sh", "s")
        .replace("zh", "s")
        .replace("kh", "h")
        .replace("ts", "s")
        .replace("tz", "s")
}

/// A rough Latin word reduced: consonants only, voiced and voiceless alike (`vowels`
/// false: the blocking key), or with every run of vowels as one "a" and voicing kept (the
/// form compared).
pub(crate) fn reduce(latin: &str, vowels: bool) -> String {
    let mut out = String::with_capacity(latin.len());
    for c in latin.chars() {
        let k = match c {
            'a' | 'e' | 'i' | 'o' | 'u' | 'y' if vowels => 'a',
            // By ear "dž" and "ž" are near ("Фарадж" / "Фараж" / "Farage").
            'j' if vowels => 's',
            'a' | 'e' | 'i' | 'o' | 'u' | 'y' => continue,
            'h' => continue,
            'w' => 'v',
            'c' | 'q' => 'k',
            'g' if !vowels => 'k',
            'z' | 'x' => 's',
            'd' if !vowels => 't',
            'b' if !vowels => 'p',
            c => c,
        };
        if !out.ends_with(k) {
            out.push(k);
        }
    }
    out
}

/// The word and the word without one Slavic case ending, in either script ("Barnierem",
/// "Barnierja" -> "Barnier"; "Джонсоном" -> "Джонсон").
fn case_variants(word: &str) -> Vec<String> {
    // Slavic case endings, and the Lithuanian and Latvian nominatives that third-script
    // documents give Russian names ("Petrovas", "Ivanas", "Petrovs").
    const ENDINGS: &[&str] = &[
        "jem", "jom", "owi", "ovi", "ego", "emu", "ius", "as", "is", "us", "ys", "em", "om", "ja",
        "ju", "ou", "a", "u", "e", "i", "s", "y", "ą", "ę", "ом", "ем", "ым", "ой", "ою", "ей",
        "а", "я", "у", "ю", "е", "и", "ы", "і", "є",
    ];
    let lower = word.to_lowercase();
    let mut out = vec![lower.clone()];
    // Polish writes a case ending after an apostrophe where the name's last letter is not
    // said: "Farage'a", "Farage'owi", "Jeremy'ego".
    if let Some(at) = lower.rfind(['\'', '’']) {
        let (stem, tail) = (&lower[..at], &lower[at..]);
        if stem.chars().count() >= 3 && tail.chars().count() <= 5 {
            out.push(stem.to_string());
            return out;
        }
    }
    for e in ENDINGS {
        if let Some(stem) = lower.strip_suffix(e) {
            if stem.chars().count() >= 3 {
                out.push(stem.to_string());
                break;
            }
        }
    }
    out
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Whether two words are one name transcribed by ear (across scripts and languages), in
/// any case: their rough Latin forms, vowels blurred, agree, or differ in one letter when
/// there are four or more ("Барние" / "Barnier", "Дейвис" / "Davis"; not "Браун" /
/// "Barnier").
fn sounds_alike(a: &str, b: &str) -> bool {
    forms_alike(&sound_forms(a), &sound_forms(b))
}

/// Whether two words' sound forms agree, or differ in one letter when there are four or
/// more.
fn forms_alike(forms_a: &[String], forms_b: &[String]) -> bool {
    for vx in forms_a {
        for vy in forms_b {
            if vx.is_empty() || vy.is_empty() {
                continue;
            }
            let shorter = vx.chars().count().min(vy.chars().count());
            if vx == vy || (shorter >= 4 && edit_distance(vx, vy) <= 1) {
                return true;
            }
        }
    }
    false
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

/// The ways a word may sound: each case variant in rough Latin, vowels blurred, and for a
/// Latin word with a g before e, i or y, that g said soft as in English and French
/// ("George" / "Джордж", "Farage" / "Фараж").
fn sound_forms(word: &str) -> Vec<String> {
    let mut forms = Vec::new();
    for x in case_variants(word) {
        forms.push(reduce(&rough_latin(&x), true));
    }
    let lower = word.to_lowercase();
    if !is_cyrillic_word(&lower) && ["ge", "gi", "gy"].iter().any(|g| lower.contains(g)) {
        let soft = lower
            .replace("ge", "je")
            .replace("gi", "ji")
            .replace("gy", "jy");
        for x in case_variants(&soft) {
            let f = reduce(&rough_latin(&x), true);
            if !forms.contains(&f) {
                forms.push(f);
            }
        }
    }
    forms
}

/// A word's sound without its case ending: its shortest case variant, in rough Latin,
/// vowels blurred ("Mahometa", "Mahometowi", "Магомет" -> one key).
pub(crate) fn sound_key(word: &str) -> String {
    case_variants(word)
        .iter()
        .map(|v| reduce(&rough_latin(v), true))
        .min_by_key(|k| k.chars().count())
        .unwrap_or_default()
}

/// Czech and Slovak forms that make a woman's surname of a foreign one, in any case
/// ("Mayová", "Mayové", "Mayovou", "Merkelová"): stripped, the surname itself.
fn without_feminine_suffix(surname: &str) -> Option<&str> {
    foreign_surname_base(surname).map(|(base, _)| base)
}

/// The surname a Czech, Slovak, Slovene or Polish form was made from, and whether the form
/// is a woman's ("Mayová") rather than a case or a possessive ("Corbynovým", "Johnsonovo").
fn foreign_surname_base(surname: &str) -> Option<(&str, bool)> {
    const FEMININE: &[&str] = &[
        "ovou", "ová", "ové", "ovej", "ovú", "eva", "ienė", "aitė", "ytė", "utė",
    ];
    let base = foreign_surname_stem(surname)?;
    let ending = surname[base.len()..].to_lowercase();
    let feminine = FEMININE.iter().any(|f| ending.ends_with(f));
    Some((base, feminine))
}

fn foreign_surname_stem(surname: &str) -> Option<&str> {
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

/// The sex a Russian surname's nominative form says, if any ("Петрова", "Petrova",
/// "Троцкая" are women's; "Петров", "Trotsky" men's; "Шевченко" says nothing).
fn surname_sex(surname: &str) -> Option<bool> {
    let l = surname.to_lowercase().replace('ё', "е");
    const FEMALE: &[&str] = &[
        "ова", "ева", "ина", "ына", "ская", "цкая", "ova", "eva", "ina", "yna", "skaya", "skaja",
        "skaia", "ska", "tskaya", "owa", "ewa",
    ];
    const MALE: &[&str] = &[
        "ов", "ев", "ин", "ын", "ский", "цкий", "ov", "ev", "in", "yn", "sky", "skiy", "skij",
        "ski", "off", "ow", "ew", "iy", "ij",
    ];
    if FEMALE.iter().any(|e| l.ends_with(e)) {
        Some(true)
    } else if MALE.iter().any(|e| l.ends_with(e)) {
        Some(false)
    } else {
        None
    }
}

/// Whether a name's sex rests only on a Latin surname ending that may be a case form:
/// "Tuska" is the genitive of "Tusk", "Nowakowa" a Polish wife's name, and "Corbyna",
/// "Władimira Putina" are genitives in Polish or Czech. Russian forms in Latin letters
/// with a given name in its own nominative ("Anna Petrova", "Ivan Karenin") still count.
fn sex_is_weak(n: &PersonName) -> bool {
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
fn latin_oblique(given: &str) -> bool {
    let l = given.to_lowercase();
    ["ego", "yho", "iho", "em", "owi", "ovi", "om"]
        .iter()
        .any(|e| l.ends_with(e))
}

/// Latin patronymics: "Sergeyevich", "Sergejewitsch", "Siergiejewicz", "Sergeevna".
fn latin_patronymic(w: &str) -> Option<bool> {
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
    if FEMALE.iter().any(|e| l.ends_with(e)) {
        Some(true)
    } else if MALE.iter().any(|e| l.ends_with(e)) {
        Some(false)
    } else {
        None
    }
}

/// One token of a name, classified.
#[derive(Debug)]
enum Part {
    Initials(Vec<String>),
    Word(String),
}

fn split_parts(name: &str) -> (Vec<Part>, Option<usize>) {
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
            kartoteka_lexicon::patronymic_name(w).is_some()
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
                    out.female = Some(f);
                }
            } else {
                out.patronymic = Some(w.clone());
                out.female = latin_patronymic(w);
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
                    Some((nominative, female)) => {
                        // "Асия", "Асии", "Асию" read as cases of the man's "Асий" may as
                        // well be a woman's name the lexicon lacks: unless the surname
                        // says the sex ("Василия Петрова"), a man's name reached through
                        // an ending a woman's name also takes says nothing of it (only
                        // the instrumental -ом/-ем is a man's alone).
                        let lower = w.to_lowercase();
                        let oblique_male = !female
                            && nominative.to_lowercase() != lower
                            && !lower.ends_with("ом")
                            && !lower.ends_with("ем");
                        let surname_says =
                            words.get(surname_at).and_then(|s| surname_sex(s)).is_some();
                        out.given = Some(nominative);
                        if !oblique_male || surname_says {
                            out.female = out.female.or(Some(female));
                        }
                    }
                    None => out.given = Some((*w).clone()),
                }
            } else {
                out.given = Some((*w).clone());
            }
        } else if let Some(first) = w.chars().next() {
            out.initials.push(first.to_string());
        }
    }
    if let Some(s) = &out.surname {
        if is_cyrillic_word(s) {
            let nominative = kartoteka_lexicon::surname_nominative(s, out.female);
            out.surname = Some(nominative);
        }
        if out.female.is_none() {
            out.female = out.surname.as_deref().and_then(surname_sex);
        }
    }
    out
}

impl PersonName {
    /// The surname's and the given name's features, worked out on first use.
    fn features(&self) -> &(Option<WordFeatures>, Option<WordFeatures>) {
        self.features.0.get_or_init(|| {
            (
                self.surname.as_deref().map(WordFeatures::of),
                self.given.as_deref().map(WordFeatures::of),
            )
        })
    }

    /// The initials of the given name and the patronymic, from the full parts or from the
    /// initials written.
    fn first_initials(&self) -> (Option<String>, Option<String>) {
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
                    (!woman || surname_sex(b) != Some(false))
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
            if fx.shares_key(fy) {
                reasons.push(if x.to_lowercase() == y.to_lowercase() {
                    format!("same surname {x}")
                } else {
                    format!("same surname key: {x} = {y}")
                });
                score += 0.45;
                true
            } else if fx.sounds_alike(fy) && !other_russian_suffix(x, y) {
                reasons.push(format!("same surname by sound: {x} = {y}"));
                score += 0.4;
                true
            } else if feminine(x, y) || feminine(y, x) {
                reasons.push(format!(
                    "same surname: {x} = {y} (a woman's, case or possessive form of a foreign surname)"
                ));
                score += 0.4;
                true
            } else {
                reasons.push(format!("surnames differ: {x} / {y}"));
                conflict = true;
                false
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
    if let (Some(fa), Some(fb)) = (a.female, b.female) {
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
                    if fa { "woman" } else { "man" },
                    b.original,
                    if fb { "woman" } else { "man" }
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
            let same = x.to_lowercase() == y.to_lowercase() || shares_key(x, y);
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
    let verdict = if conflict {
        score *= 0.25;
        Verdict::Different
    } else if surname_same && (given_full || initials_agree >= 2) && !unsure_sex {
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
