//! Transliteration-invariant keys: one sound key that "Хрущёв", "Khrushchev",
//! "Khrushchyov", "Chruschtschow", "Khrouchtchev", "Chruszczow" and "Hruŝëv" all share.
//!
//! A key keeps the consonants a romanisation cannot lose and blurs what the conventions
//! disagree on:
//!
//! * vowels, й, the soft and hard signs and the ways of writing them (y, j, i, ', ʹ) are
//!   one vowel class, runs of it collapse, and a final one is dropped (so the endings
//!   -а/-я/-ий that differ between forms and schemes do not matter);
//! * the hissing consonants ж, ш, з, с are one class (German writes both ж and ш as
//!   "sch", and з as "s");
//! * щ is written as ш followed by ч, which is how every convention spells it out
//!   ("sh"+"ch", "sch"+"tsch", "sz"+"cz", "ch"+"tch", "š"+"č");
//! * ц is т followed by с ("ts", "tz", "c"), and doubled letters count once.
//!
//! A Latin word is ambiguous ("ch" is ч in English, х in German and Polish, ш in French),
//! so it gets one key per convention that reads it differently; a Cyrillic word gets one.
//! The tests check every sample pair of the iuliia schemes in ../shared/data.

/// Rules for one romanisation convention: Latin spellings and their key, longest first.
struct Convention {
    rules: &'static [(&'static str, &'static str)],
}

/// Spellings every convention reads the same way, one letter at a time.
fn common(c: char) -> Option<&'static str> {
    Some(match c {
        'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'j' => "a",
        'b' => "b",
        'd' => "d",
        'f' => "f",
        'g' => "g",
        'h' => "h",
        'k' => "k",
        'l' | 'ł' => "l",
        'm' => "m",
        'n' | 'ń' => "n",
        'p' => "p",
        'r' => "r",
        's' | 'z' | 'š' | 'ž' | 'ś' | 'ź' | 'ż' => "s",
        't' => "t",
        'v' | 'w' => "v",
        'q' | 'c' => "k",
        'x' => "ks",
        'č' | 'ć' => "q",
        'ŝ' => "sq",
        _ => return None,
    })
}

const ENGLISH: Convention = Convention {
    rules: &[
        ("shch", "sq"),
        ("shh", "sq"),
        ("sch", "sq"),
        ("tch", "q"),
        ("kh", "h"),
        ("zh", "s"),
        ("sh", "s"),
        ("ch", "q"),
        ("tc", "ts"),
        ("ck", "k"),
        ("ph", "f"),
    ],
};

/// ISO 9, GOST 7.79, the scientific system and their ASCII variants: x for х, c for ц.
const SCHOLARLY: Convention = Convention {
    rules: &[
        ("shch", "sq"),
        ("shh", "sq"),
        ("kh", "h"),
        ("zh", "s"),
        ("sh", "s"),
        ("ch", "q"),
        ("cz", "ts"),
        ("sc", "sq"),
        ("eh", "a"),
        ("c", "ts"),
        ("x", "h"),
    ],
};

const GERMAN: Convention = Convention {
    rules: &[
        ("schtsch", "sq"),
        ("tsch", "q"),
        ("dsch", "ds"),
        ("sch", "s"),
        ("ch", "h"),
        ("tz", "ts"),
        ("ck", "k"),
        ("ph", "f"),
        ("z", "ts"),
    ],
};

const FRENCH: Convention = Convention {
    rules: &[
        ("chtch", "sq"),
        ("tch", "q"),
        ("dj", "ds"),
        ("ch", "s"),
        ("kh", "h"),
        ("qu", "k"),
        ("ph", "f"),
        ("j", "s"),
    ],
};

const POLISH: Convention = Convention {
    rules: &[
        ("szcz", "sq"),
        ("dż", "ds"),
        ("cz", "q"),
        ("sz", "s"),
        ("rz", "s"),
        ("ch", "h"),
        ("dz", "ds"),
        ("c", "ts"),
    ],
};

const CONVENTIONS: [&Convention; 5] = [&ENGLISH, &SCHOLARLY, &GERMAN, &FRENCH, &POLISH];

fn cyrillic_key(c: char) -> Option<&'static str> {
    Some(match c {
        'а' | 'е' | 'ё' | 'и' | 'о' | 'у' | 'ы' | 'э' | 'ю' | 'я' | 'й' | 'і' | 'ї' | 'є' => {
            "a"
        }
        'ь' | 'ъ' => "",
        'б' => "b",
        'в' | 'ў' => "v",
        'г' | 'ґ' => "g",
        'д' => "d",
        'ж' | 'з' | 'с' | 'ш' => "s",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'п' => "p",
        'р' => "r",
        'т' => "t",
        'ф' => "f",
        'х' => "h",
        'ц' => "ts",
        'ч' => "q",
        'щ' => "sq",
        _ => return None,
    })
}

/// Collapses runs of one key letter and drops a final vowel class.
fn finish(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut last = None;
    for c in raw.chars() {
        if Some(c) != last {
            out.push(c);
            last = Some(c);
        }
    }
    if out.len() > 1 && out.ends_with('a') {
        out.pop();
    }
    out
}

/// Key endings left by Russian case endings (-ом/-ым/-ами -> "am", -ах/-их -> "ah",
/// -ого/-его -> "ag"); the final vowel of the others is already gone.
const CASE_ENDINGS: [&str; 3] = ["am", "ah", "ag"];

/// The key without a case ending, when it has one and enough is left to be a name.
pub fn without_case_ending(key: &str) -> Option<&str> {
    CASE_ENDINGS
        .iter()
        .find_map(|e| key.strip_suffix(e))
        .filter(|base| base.len() >= 3)
}

/// The key of a Cyrillic word (lower case, ё folded or not).
pub fn key_cyrillic(word: &str) -> String {
    let mut raw = String::with_capacity(word.len());
    for c in word.chars() {
        if let Some(k) = cyrillic_key(c) {
            raw.push_str(k);
        } else if c.is_alphanumeric() {
            // Latin letters in a Cyrillic word (OCR mixes look-alikes): read them English-style.
            let s = c.to_string();
            raw.push_str(&latin_raw(&s, &ENGLISH));
        }
    }
    finish(&raw)
}

/// Base letter of a Latin letter with diacritics that the rules do not name ("é" -> "e").
fn strip_marks(c: char) -> Option<char> {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    std::iter::once(c).nfd().find(|d| !is_combining_mark(*d))
}

fn latin_raw(word: &str, convention: &Convention) -> String {
    let mut raw = String::with_capacity(word.len() + 4);
    let mut rest = word;
    'outer: while let Some(c) = rest.chars().next() {
        let first = rest.as_bytes()[0];
        for (pattern, key) in convention.rules {
            if pattern.as_bytes()[0] == first && rest.starts_with(pattern) {
                raw.push_str(key);
                rest = &rest[pattern.len()..];
                continue 'outer;
            }
        }
        rest = &rest[c.len_utf8()..];
        if let Some(k) = common(c) {
            raw.push_str(k);
        } else if let Some(k) = cyrillic_key(c) {
            // A Cyrillic letter left in a romanised word (iuliia's "ё" defect, OCR).
            raw.push_str(k);
        } else if let Some(base) = strip_marks(c).filter(|b| *b != c) {
            if let Some(key) = common(base) {
                raw.push_str(key);
            }
        } else if c.is_ascii_digit() {
            raw.push(c);
        }
        // Everything else (apostrophes, primes, dots, combining marks) is not a sound.
    }
    raw
}

/// The distinct keys of a lower-case Latin word under each convention.
pub fn keys_latin(word: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::with_capacity(3);
    if !word.chars().any(char::is_alphabetic) {
        return keys;
    }
    for convention in CONVENTIONS {
        let key = finish(&latin_raw(word, convention));
        if !key.is_empty() && !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use crate::analysis::translit_keys;

    fn shares_key(a: &str, b: &str) -> bool {
        let ka = translit_keys(a);
        translit_keys(b).iter().any(|k| ka.contains(k))
    }

    #[test]
    fn khrushchev_in_every_convention() {
        for spelling in [
            "Khrushchev",
            "Khrushchyov",
            "Chruschtschow",
            "Khrouchtchev",
            "Chruszczow",
            "Hruŝëv",
            "Hruščëv",
            "Xrushhev",
        ] {
            assert!(
                shares_key("Хрущёв", spelling),
                "{spelling}: {:?} vs {:?}",
                translit_keys(spelling),
                translit_keys("Хрущёв")
            );
        }
    }

    #[test]
    fn other_names_across_conventions() {
        for (cyr, latin) in [
            ("Брежнев", "Breschnew"),
            ("Брежнев", "Breżniew"),
            ("Брежнев", "Brejnev"),
            ("Жуков", "Schukow"),
            ("Жуков", "Joukov"),
            ("Троцкий", "Trotzki"),
            ("Троцкий", "Trocki"),
            ("Кузьмин", "Kuz'min"),
            ("Кузьмина", "Kuzmin"),
            ("Михаил", "Mikhail"),
            ("Михаил", "Michail"),
            ("Берия", "Beria"),
            ("Берия", "Berija"),
            ("Евгений", "Jewgeni"),
            ("Юрий", "Yuriy"),
        ] {
            assert!(
                shares_key(cyr, latin),
                "{cyr} / {latin}: {:?} vs {:?}",
                translit_keys(cyr),
                translit_keys(latin)
            );
        }
    }

    #[test]
    fn different_names_keep_different_keys() {
        for (a, b) in [
            ("Хрущёв", "Khrustalev"),
            ("Кузьмин", "Kazimin"),
            ("Иванов", "Ivan"),
            ("Петров", "Pavlov"),
        ] {
            assert!(!shares_key(a, b), "{a} / {b}");
        }
    }
}
