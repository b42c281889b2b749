//! Every form of a person's name that Kartoteka knows, for withholding it: the surname,
//! given name and patronymic in every case, the name with initials in either order, the
//! given name with the patronymic, diminutives and the given name in other languages,
//! and each of those romanised by every scheme Kartoteka knows.
//!
//! A withheld name missed in one form is a leak, so the list errs on the long side; the
//! leak check matches whole words, so a longer list costs time, not false alarms.

use std::collections::BTreeSet;

use kartoteka_model::Sex;

/// The case forms of a Russian surname (nominative first) for a man or a woman; `None`
/// for sex makes both.
pub fn surname_forms(surname: &str, sex: Option<Sex>) -> Vec<String> {
    let s = surname.trim();
    let lower = s.to_lowercase();
    let mut out = vec![s.to_string()];
    let stem = |n: usize| s.chars().take(s.chars().count() - n).collect::<String>();
    let add = |stem: &str, endings: &[&str], out: &mut Vec<String>| {
        for e in endings {
            out.push(format!("{stem}{e}"));
        }
    };
    let man = sex != Some(Sex::Female);
    let woman = sex != Some(Sex::Male);
    let ends = |e: &str| lower.ends_with(e);
    if ends("ский") || ends("цкий") || ends("ской") {
        // Адъективные: Бельский, Белецкий, Трубецкой.
        let st = stem(2);
        add(&st, &["ого", "ому", "им", "ом", "ая", "ой", "ую"], &mut out);
    } else if ends("ская") || ends("цкая") {
        let st = stem(2);
        add(&st, &["ой", "ую", "ий", "ого", "ому", "им", "ом"], &mut out);
    } else if ends("ова") || ends("ева") || ends("ёва") || ends("ина") || ends("ына")
    {
        // A woman's -ова / -ина; when the sex is not known it may be a man's genitive
        // ("Соколова" of Соколов), so his forms too.
        let st = stem(1);
        add(&st, &["ой", "у", "ою"], &mut out);
        if sex.is_none() {
            add(&st, &["", "а", "у", "ым", "е"], &mut out);
        }
    } else if ends("ов") || ends("ев") || ends("ёв") || ends("ин") || ends("ын") {
        if man {
            add(s, &["а", "у", "ым", "е"], &mut out);
        }
        if woman {
            add(s, &["а", "ой", "у", "ою"], &mut out);
        }
    } else if ends("а") || ends("я") {
        // Окуджава, Берия: declined as nouns, for either sex.
        let st = stem(1);
        if ends("я") {
            add(&st, &["и", "е", "ю", "ей"], &mut out);
        } else {
            add(&st, &["ы", "е", "у", "ой", "и"], &mut out);
        }
    } else if ends("ь") || ends("й") {
        if man {
            add(&stem(1), &["я", "ю", "ем", "е"], &mut out);
        }
    } else if s
        .chars()
        .last()
        .is_some_and(|c| !"еиоуыэюaeiou".contains(c))
        && man
    {
        // A man's surname on a consonant (Шевчук, Кузнец) declines; a woman's does not.
        add(s, &["а", "у", "ом", "ем", "е"], &mut out);
    }
    dedup(out)
}

/// The case forms of a patronymic (nominative first).
pub fn patronymic_forms(patronymic: &str) -> Vec<String> {
    let p = patronymic.trim();
    let lower = p.to_lowercase();
    let mut out = vec![p.to_string()];
    if lower.ends_with("вна") || lower.ends_with("чна") || lower.ends_with("ична") {
        let st: String = p.chars().take(p.chars().count() - 1).collect();
        for e in ["ы", "е", "у", "ой", "ою"] {
            out.push(format!("{st}{e}"));
        }
    } else if lower.ends_with("ич") {
        for e in ["а", "у", "ем", "е"] {
            out.push(format!("{p}{e}"));
        }
    }
    dedup(out)
}

/// The case forms of a given name (nominative first), with its diminutives and its
/// forms in other languages.
pub fn given_forms(given: &str, sex: Option<Sex>) -> Vec<String> {
    let g = given.trim();
    let mut out = vec![g.to_string()];
    let female = sex == Some(Sex::Female) || (sex.is_none() && g.ends_with(['а', 'я']));
    let title = |w: &str| kartoteka_text::title_case(w);
    out.extend(
        kartoteka_lexicon::given_forms(g, female)
            .iter()
            .map(|f| title(f)),
    );
    for v in kartoteka_names::given_name_variants(g) {
        let v = title(v);
        out.extend(
            kartoteka_lexicon::given_forms(&v, female)
                .iter()
                .map(|f| title(f)),
        );
        out.push(v);
    }
    dedup(out)
}

/// Every form of a person's full name, as written or in any order ("Соколова Вера
/// Андреевна", "Vera Sokolova", "Соколова В. А."): each part in every case, the
/// combinations people write (surname with initials either way, given name with
/// patronymic, given name with surname), diminutives, and each romanised by every scheme.
pub fn name_forms(name: &str) -> Vec<String> {
    let parsed = kartoteka_names::parse(name);
    let sex = parsed.sex;
    let mut out: BTreeSet<String> = BTreeSet::new();
    let surnames = parsed
        .surname
        .as_deref()
        .map(|s| surname_forms(s, sex))
        .unwrap_or_default();
    let givens = parsed
        .given
        .as_deref()
        .map(|g| given_forms(g, sex))
        .unwrap_or_default();
    let patronymics = parsed
        .patronymic
        .as_deref()
        .map(patronymic_forms)
        .unwrap_or_default();
    out.extend(surnames.iter().cloned());
    out.extend(givens.iter().filter(|g| g.chars().count() > 2).cloned());
    // Initials: from the name's own initials, else the first letters of its parts.
    let mut initials: Vec<String> = parsed.initials.clone();
    if initials.is_empty() {
        initials.extend(
            parsed
                .given
                .iter()
                .filter_map(|g| g.chars().next())
                .map(String::from),
        );
        initials.extend(
            parsed
                .patronymic
                .iter()
                .filter_map(|p| p.chars().next())
                .map(String::from),
        );
    }
    let with_dots: Vec<String> = initials.iter().map(|i| format!("{i}.")).collect();
    for s in &surnames {
        if !with_dots.is_empty() {
            out.insert(format!("{s} {}", with_dots.join(" ")));
            out.insert(format!("{} {s}", with_dots.join(" ")));
            out.insert(format!("{s} {}", with_dots.join("")));
            out.insert(format!("{}{s}", with_dots.join("")));
            out.insert(format!("{} {s}", with_dots[0]));
        }
    }
    // Given name with patronymic, and with surname, case by case (the same index is the
    // same case in both lists only roughly, so every pair is made).
    for g in &givens {
        for p in &patronymics {
            out.insert(format!("{g} {p}"));
        }
        for s in &surnames {
            out.insert(format!("{g} {s}"));
            out.insert(format!("{s} {g}"));
        }
    }
    let cyrillic: Vec<String> = out
        .iter()
        .filter(|f| f.chars().any(kartoteka_text::is_cyrillic))
        .cloned()
        .collect();
    out.extend(romanised(&cyrillic));
    out.into_iter().filter(|f| !f.trim().is_empty()).collect()
}

/// The forms of a private person's name that an edition withholds: every form of
/// [`name_forms`] but the given name alone in its own cases ("Вера", "Веры", "Vera"),
/// which is also a word ("вера" is faith) and everyone else's given name, and any
/// diminutive alone in Latin letters: romanised, the case forms of a diminutive are
/// short common words of English and other languages ("Ани" is "Any", "Ане" "Ane"), and
/// a leak check that looks for them refuses every edition that says "any". The
/// diminutives in Cyrillic ("Верочка") and every combination with another part
/// ("Verochka Sokolova") stay.
pub fn withheld_forms(name: &str) -> Vec<String> {
    let parsed = kartoteka_names::parse(name);
    let mut bare: BTreeSet<String> = BTreeSet::new();
    if let Some(g) = parsed.given.as_deref() {
        bare.extend(romanised(&given_forms(g, parsed.sex)));
        let female =
            parsed.sex == Some(Sex::Female) || (parsed.sex.is_none() && g.ends_with(['а', 'я']));
        let own: Vec<String> = std::iter::once(g.to_string())
            .chain(
                kartoteka_lexicon::given_forms(g, female)
                    .iter()
                    .map(|f| kartoteka_text::title_case(f)),
            )
            .collect();
        for form in own {
            for scheme in kartoteka_text::schemes::schemes() {
                bare.insert(scheme.romanise(&form));
            }
            bare.insert(form);
        }
    }
    name_forms(name)
        .into_iter()
        .filter(|f| !bare.contains(f))
        .collect()
}

/// Every form romanised by every scheme. A scheme romanises each run of word characters
/// (and of the others) on its own, so runs are romanised once each and joined: the forms
/// of one name share a few dozen words, which makes this some thirty times faster than
/// romanising each form whole, with the same result.
pub fn romanised(forms: &[String]) -> BTreeSet<String> {
    let schemes = kartoteka_text::schemes::schemes();
    let word_char = |c: char| c.is_alphanumeric() || c == '_';
    let mut cache: std::collections::HashMap<&str, Vec<String>> = Default::default();
    let mut out = BTreeSet::new();
    for form in forms {
        let mut runs: Vec<&str> = Vec::new();
        let mut start = 0;
        let mut kind = None;
        for (at, c) in form.char_indices() {
            if kind.is_some_and(|k| k != word_char(c)) {
                runs.push(&form[start..at]);
                start = at;
            }
            kind = Some(word_char(c));
        }
        runs.push(&form[start..]);
        for run in &runs {
            cache
                .entry(run)
                .or_insert_with(|| schemes.iter().map(|s| s.romanise(run)).collect());
        }
        let per_run: Vec<&[String]> = runs.iter().map(|r| cache[r].as_slice()).collect();
        for (scheme, _) in schemes.iter().enumerate() {
            out.insert(per_run.iter().map(|v| v[scheme].as_str()).collect());
        }
        for convention in Western::ALL {
            out.insert(runs.iter().map(|r| convention.romanise(r)).collect());
        }
    }
    out
}

/// The conventions German, Polish and French texts spell Russian names in ("Sokolowa",
/// "Sokołowa", "Kouzmine", "Schdanow"), which the iuliia tables (English-based and
/// scholarly) do not have. Written here as letter tables with the few rules of position
/// they need (е, ё, ю, я as "je", "ie" or "e" by what comes before; Polish л as ł); the
/// Polish one also without its diacritics, as typed on an English keyboard.
#[derive(Clone, Copy)]
enum Western {
    German,
    Polish,
    PolishPlain,
    French,
}

impl Western {
    const ALL: [Western; 4] = [
        Western::German,
        Western::Polish,
        Western::PolishPlain,
        Western::French,
    ];

    fn romanise(self, word: &str) -> String {
        let chars: Vec<char> = word.chars().collect();
        let mut out = String::with_capacity(word.len() * 2);
        for (i, &c) in chars.iter().enumerate() {
            let lower = c.to_lowercase().next().unwrap_or(c);
            let prev = if i == 0 {
                None
            } else {
                chars[i - 1].to_lowercase().next()
            };
            let next = chars.get(i + 1).and_then(|n| n.to_lowercase().next());
            let soft_start = prev.is_none_or(|p| "аеёиоуыэюяъь".contains(p) || !p.is_alphabetic());
            let latin = self.letter(lower, prev, next, soft_start);
            let Some(latin) = latin else {
                out.push(c);
                continue;
            };
            if c.is_uppercase() {
                let mut l = latin.chars();
                if let Some(first) = l.next() {
                    let upper_rest = chars.get(i + 1).is_some_and(|n| n.is_uppercase());
                    out.extend(first.to_uppercase());
                    if upper_rest {
                        out.extend(l.flat_map(char::to_uppercase));
                    } else {
                        out.extend(l);
                    }
                }
            } else {
                out.push_str(&latin);
            }
        }
        if let Western::PolishPlain = self {
            return out
                .chars()
                .map(|c| match c {
                    'ł' => 'l',
                    'Ł' => 'L',
                    'ż' | 'ź' => 'z',
                    'Ż' | 'Ź' => 'Z',
                    'ś' => 's',
                    'ć' => 'c',
                    'ń' => 'n',
                    c => c,
                })
                .collect();
        }
        out
    }

    /// A lower-case Cyrillic letter in this convention; `None` for anything else.
    fn letter(
        self,
        c: char,
        prev: Option<char>,
        next: Option<char>,
        soft_start: bool,
    ) -> Option<String> {
        use Western::*;
        let polish = matches!(self, Polish | PolishPlain);
        let french = matches!(self, French);
        // е, ё, ю, я at a word's start or after a vowel or a sign are "j" and the vowel;
        // after a consonant German writes the vowel (ё and the others keep their j), Polish
        // an "i" and the vowel, French its own spellings.
        let iotated = |vowel: &str, german_after: &str, french_form: &str| -> String {
            match self {
                _ if french => french_form.to_string(),
                German if !soft_start => german_after.to_string(),
                Polish | PolishPlain if !soft_start => format!("i{vowel}"),
                _ => format!("j{vowel}"),
            }
        };
        let s = match c {
            'а' => "a".into(),
            'б' => "b".into(),
            'в' => if french { "v" } else { "w" }.into(),
            'г' => "g".into(),
            'д' => "d".into(),
            'е' => iotated("e", "e", "e"),
            'ё' => iotated("o", "jo", "io"),
            'ж' => match self {
                German => "sch",
                Polish | PolishPlain => "ż",
                French => "j",
            }
            .into(),
            'з' => if polish || french { "z" } else { "s" }.into(),
            'и' => if polish && prev.is_some_and(|p| "жшц".contains(p)) {
                "y"
            } else {
                "i"
            }
            .into(),
            'й' => match self {
                Polish | PolishPlain => "j",
                German | French => "i",
            }
            .into(),
            'к' => "k".into(),
            'л' => if polish && !next.is_some_and(|n| "еёюяиь".contains(n)) {
                "ł"
            } else {
                "l"
            }
            .into(),
            'м' => "m".into(),
            'н' => "n".into(),
            'о' => "o".into(),
            'п' => "p".into(),
            'р' => "r".into(),
            'с' => if french
                && prev.is_some_and(|p| "аеиоуыэюя".contains(p))
                && next.is_some_and(|n| "аеиоуыэюя".contains(n))
            {
                "ss"
            } else {
                "s"
            }
            .into(),
            'т' => "t".into(),
            'у' => if french { "ou" } else { "u" }.into(),
            'ф' => "f".into(),
            'х' => match self {
                French => "kh",
                _ => "ch",
            }
            .into(),
            'ц' => match self {
                German => "z",
                Polish | PolishPlain => "c",
                French => "ts",
            }
            .into(),
            'ч' => match self {
                German => "tsch",
                Polish | PolishPlain => "cz",
                French => "tch",
            }
            .into(),
            'ш' => match self {
                German => "sch",
                Polish | PolishPlain => "sz",
                French => "ch",
            }
            .into(),
            'щ' => match self {
                German => "schtsch",
                Polish | PolishPlain => "szcz",
                French => "chtch",
            }
            .into(),
            'ъ' => "".into(),
            'ы' => "y".into(),
            'ь' => "".into(),
            'э' => "e".into(),
            'ю' => iotated("u", "ju", "iou"),
            'я' => iotated("a", "ja", "ia"),
            'і' => "i".into(),
            _ => return None,
        };
        Some(s)
    }
}

fn dedup(list: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    list.into_iter()
        .filter(|x| seen.insert(x.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(forms: &[String], want: &str) -> bool {
        forms.iter().any(|f| f == want)
    }

    #[test]
    fn a_private_persons_name_comes_in_every_form_the_issue_names() {
        let forms = name_forms("Соколова Вера Андреевна");
        for want in [
            "Соколова",
            "Соколовой",
            "Соколову",
            "Sokolova",
            "Sokolovoj",
            "Соколова В. А.",
            "В. А. Соколова",
            "Вера Андреевна",
            "Веры Андреевны",
            "Верочка",
            "Вера Соколова",
        ] {
            assert!(has(&forms, want), "{want} missing from {forms:?}");
        }
        for want in [
            "Sokolowa",
            "Sokołowa",
            "V. A. Sokolova",
            "Wera Sokolowa",
            "Wiera Sokołowa",
        ] {
            assert!(has(&forms, want), "{want} missing");
        }
        // German, Polish and French spellings of other names.
        let zh = name_forms("Жданов Пётр Семенович");
        for want in ["Schdanow", "Żdanow", "Jdanov", "Pjotr Schdanow"] {
            assert!(has(&zh, want), "{want} missing from the forms of Жданов");
        }
        let k = name_forms("Кузьмин Арнольд Петрович");
        assert!(has(&k, "Kousmin") || has(&k, "Kouzmin"), "French");
    }

    #[test]
    fn the_bare_given_name_is_not_withheld_but_its_diminutives_are() {
        let forms = withheld_forms("Соколова Вера Андреевна");
        for gone in ["Вера", "Веры", "Vera"] {
            assert!(!has(&forms, gone), "{gone} is a word and anyone's name");
        }
        // Romanised, a diminutive's case forms are words: "Ани" is "Any".
        let anna = withheld_forms("Шубинина Анна Петровна");
        for gone in ["Verochka", "Any", "Ane", "Anya"] {
            assert!(!has(&forms, gone) && !has(&anna, gone), "{gone}: {anna:?}");
        }
        assert!(has(&anna, "Ани") && has(&anna, "Shubinina"), "{anna:?}");
        for kept in [
            "Верочка",
            "Verochka Sokolova",
            "Вера Андреевна",
            "Соколовой",
            "Вера Соколова",
            "Sokolova",
        ] {
            assert!(has(&forms, kept), "{kept} missing");
        }
    }

    #[test]
    fn surnames_decline_by_their_kind() {
        let m = surname_forms("Соколов", Some(Sex::Male));
        for f in ["Соколова", "Соколову", "Соколовым", "Соколове"]
        {
            assert!(has(&m, f), "{f}: {m:?}");
        }
        let f = surname_forms("Соколова", Some(Sex::Female));
        for x in ["Соколовой", "Соколову"] {
            assert!(has(&f, x), "{x}: {f:?}");
        }
        // Hers, not her father's: "Соколов" is another person.
        assert!(!has(&f, "Соколов"), "{f:?}");
        assert!(has(&surname_forms("Соколова", None), "Соколовым"));
        let a = surname_forms("Бельский", Some(Sex::Male));
        for x in ["Бельского", "Бельскому", "Бельским", "Бельском"]
        {
            assert!(has(&a, x), "{x}: {a:?}");
        }
        let c = surname_forms("Шевчук", Some(Sex::Male));
        assert!(has(&c, "Шевчуком"), "{c:?}");
        // A woman's surname on a consonant does not decline.
        assert_eq!(surname_forms("Шевчук", Some(Sex::Female)), ["Шевчук"]);
        let p = patronymic_forms("Андреевич");
        assert!(has(&p, "Андреевичем"), "{p:?}");
    }
}
