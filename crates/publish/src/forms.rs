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
    for form in cyrillic {
        for scheme in kartoteka_text::schemes::schemes() {
            out.insert(scheme.romanise(&form));
        }
    }
    out.into_iter().filter(|f| !f.trim().is_empty()).collect()
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
        assert!(
            forms
                .iter()
                .any(|f| f == "Sokolowa" || f == "V. A. Sokolova"),
            "a Polish or initialled romanisation: {forms:?}"
        );
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
