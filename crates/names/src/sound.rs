//! How a name sounds: rough Latin renderings of any script, case endings taken off, and
//! the forms two spellings by ear are compared by.

use crate::is_cyrillic_word;

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
pub(crate) fn case_variants(word: &str) -> Vec<String> {
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

pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
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
pub(crate) fn sounds_alike(a: &str, b: &str) -> bool {
    forms_alike(&sound_forms(a), &sound_forms(b))
}

/// Whether two words' sound forms agree, or differ in one letter when there are four or
/// more.
pub(crate) fn forms_alike(forms_a: &[String], forms_b: &[String]) -> bool {
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

/// The ways a word may sound: each case variant in rough Latin, vowels blurred, and for a
/// Latin word with a g before e, i or y, that g said soft as in English and French
/// ("George" / "Джордж", "Farage" / "Фараж").
pub(crate) fn sound_forms(word: &str) -> Vec<String> {
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
