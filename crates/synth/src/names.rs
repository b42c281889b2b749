//! Invented Russian names, their grammatical cases and their romanisations.

use rand::{Rng, RngExt};
use serde::Serialize;

/// Grammatical gender, which decides a surname's form (Петров / Петрова).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    /// Masculine forms.
    Male,
    /// Feminine forms.
    Female,
}

/// The Russian cases a name appears in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// Кто? Петров.
    Nominative,
    /// Кого? Петрова.
    Genitive,
    /// Кому? Петрову.
    Dative,
    /// Кем? Петровым.
    Instrumental,
    /// О ком? о Петрове.
    Prepositional,
}

/// Romanisation conventions used in English-language documents of the synthetic archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// English, BGN/PCGN-like: Khrushchev.
    English,
    /// German: Chruschtschow.
    German,
    /// French: Khrouchtchev.
    French,
    /// Polish: Chruszczow.
    Polish,
    /// ISO 9 / scholarly: Hruščëv.
    Scholarly,
}

impl Scheme {
    /// All schemes.
    pub const ALL: [Scheme; 5] = [
        Scheme::English,
        Scheme::German,
        Scheme::French,
        Scheme::Polish,
        Scheme::Scholarly,
    ];

    /// The scheme's name in the ground truth.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::English => "english",
            Scheme::German => "german",
            Scheme::French => "french",
            Scheme::Polish => "polish",
            Scheme::Scholarly => "scholarly",
        }
    }
}

const SURNAME_ROOTS: &[&str] = &[
    "Волк",
    "Сокол",
    "Ворон",
    "Медвед",
    "Кузнец",
    "Мельник",
    "Рыбак",
    "Гончар",
    "Лебед",
    "Зайц",
    "Орл",
    "Журавл",
    "Комар",
    "Бобр",
    "Горох",
    "Морозк",
    "Снегир",
    "Щегл",
    "Чиж",
    "Голуб",
    "Берёз",
    "Клён",
    "Дубр",
    "Тополь",
    "Каменск",
    "Полев",
    "Лугов",
    "Озерн",
    "Речн",
    "Лесн",
    "Горск",
    "Никит",
    "Фом",
    "Лук",
    "Прохор",
    "Тихон",
    "Гаври",
    "Ерем",
    "Кузьм",
    "Давыд",
    "Савел",
    "Щукар",
    "Хрущал",
    "Жданк",
    "Шубин",
    "Чернышк",
];
const SURNAME_SUFFIXES: &[&str] = &["ов", "ев", "ин", "ский"];
const MALE_GIVEN: &[(&str, &str)] = &[
    ("Иван", "Иванович"),
    ("Николай", "Николаевич"),
    ("Пётр", "Петрович"),
    ("Алексей", "Алексеевич"),
    ("Сергей", "Сергеевич"),
    ("Георгий", "Георгиевич"),
    ("Михаил", "Михайлович"),
    ("Дмитрий", "Дмитриевич"),
    ("Юрий", "Юрьевич"),
    ("Фёдор", "Фёдорович"),
    ("Василий", "Васильевич"),
    ("Григорий", "Григорьевич"),
    ("Лаврентий", "Лаврентьевич"),
    ("Евгений", "Евгеньевич"),
    ("Борис", "Борисович"),
];
const FEMALE_GIVEN: &[&str] = &[
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Татьяна",
    "Наталья",
    "Вера",
    "Зоя",
    "Ирина",
    "Людмила",
];

/// Invents a surname, a given name and a patronymic.
pub fn invent(rng: &mut impl Rng, gender: Gender) -> (String, String, String) {
    let root = SURNAME_ROOTS[rng.random_range(0..SURNAME_ROOTS.len())];
    let suffix = SURNAME_SUFFIXES[rng.random_range(0..SURNAME_SUFFIXES.len())];
    let surname = format!("{root}{suffix}").replace("ьов", "ьёв");
    let (father, patronymic) = MALE_GIVEN[rng.random_range(0..MALE_GIVEN.len())];
    let _ = father;
    match gender {
        Gender::Male => {
            let (given, _) = MALE_GIVEN[rng.random_range(0..MALE_GIVEN.len())];
            (surname, given.to_string(), patronymic.to_string())
        }
        Gender::Female => {
            let given = FEMALE_GIVEN[rng.random_range(0..FEMALE_GIVEN.len())];
            let patronymic = patronymic.replace("ич", "на");
            (
                inflect_surname(&surname, Gender::Female, Case::Nominative),
                given.to_string(),
                patronymic,
            )
        }
    }
}

/// The cover-name pool, in capitals as KGB files write them.
pub fn cover_names() -> Vec<String> {
    let words = [
        "МАЯК",
        "ЗВЕЗДА",
        "ХОЛА",
        "ГРОМ",
        "КЕДР",
        "ЛИРА",
        "ОМЕГА",
        "ПИЛОТ",
        "РУБИН",
        "СОКОЛ",
        "ТАЙГА",
        "УРАЛ",
        "ФИАЛКА",
        "ЦЕЗАРЬ",
        "ЧАЙКА",
        "ЭХО",
        "ЯНТАРЬ",
        "БАРОН",
        "ВЕГА",
        "ГРАНИТ",
        "ДУНАЙ",
        "ЗЕНИТ",
        "ИРИС",
        "КОМПАС",
        "ЛОТОС",
        "МОРЯК",
        "НОРД",
        "ОРИОН",
        "ПОЛЮС",
        "РАДИСТ",
        "САПФИР",
        "ТУМАН",
        "ФАКЕЛ",
        "ХРУСТАЛЬ",
        "ШТОРМ",
        "ЮНОНА",
    ];
    let mut out = Vec::with_capacity(words.len() * 10);
    for n in (1..10).rev() {
        for w in words.iter().rev() {
            out.push(if n == 1 {
                w.to_string()
            } else {
                format!("{w}-{n}")
            });
        }
    }
    out
}

/// A surname in a case and gender. Feminine surnames are given in the masculine or
/// feminine nominative; both work.
pub fn inflect_surname(surname: &str, gender: Gender, case: Case) -> String {
    // Reduce to the masculine stem first.
    let (stem, kind) = if let Some(s) = surname
        .strip_suffix("ский")
        .or_else(|| surname.strip_suffix("ская"))
    {
        (format!("{s}ск"), 'a')
    } else if let Some(s) = ["ова", "ева", "ёва", "ина", "ына"]
        .iter()
        .find_map(|e| surname.strip_suffix(e).map(|s| (s, e)))
    {
        (format!("{}{}", s.0, &s.1[..s.1.len() - 2]), 'p')
    } else if ["ов", "ев", "ёв", "ин", "ын"]
        .iter()
        .any(|e| surname.ends_with(e))
    {
        (surname.to_string(), 'p')
    } else {
        (surname.to_string(), 'n')
    };
    let ending = match (kind, gender, case) {
        ('a', Gender::Male, Case::Nominative) => "ий",
        ('a', Gender::Male, Case::Genitive) => "ого",
        ('a', Gender::Male, Case::Dative) => "ому",
        ('a', Gender::Male, Case::Instrumental) => "им",
        ('a', Gender::Male, Case::Prepositional) => "ом",
        ('a', Gender::Female, Case::Nominative) => "ая",
        ('a', Gender::Female, _) => "ой",
        ('p', Gender::Male, Case::Nominative) => "",
        ('p', Gender::Male, Case::Genitive) => "а",
        ('p', Gender::Male, Case::Dative) => "у",
        ('p', Gender::Male, Case::Instrumental) => "ым",
        ('p', Gender::Male, Case::Prepositional) => "е",
        ('p', Gender::Female, Case::Nominative) => "а",
        ('p', Gender::Female, _) => "ой",
        (_, Gender::Male, Case::Nominative) => "",
        (_, Gender::Male, Case::Genitive) => "а",
        (_, Gender::Male, Case::Dative) => "у",
        (_, Gender::Male, Case::Instrumental) => "ом",
        (_, Gender::Male, Case::Prepositional) => "е",
        (_, Gender::Female, _) => "",
    };
    format!("{stem}{ending}")
}

/// A given name in a case.
pub fn inflect_given(given: &str, gender: Gender, case: Case) -> String {
    if case == Case::Nominative {
        return given.to_string();
    }
    let (stem, endings): (&str, [&str; 4]) = if let Some(s) = given.strip_suffix("ий") {
        (s, ["ия", "ию", "ием", "ии"])
    } else if let Some(s) = given.strip_suffix('й') {
        (s, ["я", "ю", "ем", "е"])
    } else if let Some(s) = given.strip_suffix("ия") {
        (s, ["ии", "ии", "ией", "ии"])
    } else if let Some(s) = given.strip_suffix('а') {
        (
            s,
            if s.ends_with(['г', 'к', 'х', 'ж', 'ш', 'ч', 'щ']) {
                ["и", "е", "ой", "е"]
            } else {
                ["ы", "е", "ой", "е"]
            },
        )
    } else if let Some(s) = given.strip_suffix('ь') {
        (s, ["я", "ю", "ем", "е"])
    } else if gender == Gender::Male {
        (given, ["а", "у", "ом", "е"])
    } else {
        return given.to_string();
    };
    let stem = stem.replace("Пётр", "Петр");
    let i = match case {
        Case::Genitive => 0,
        Case::Dative => 1,
        Case::Instrumental => 2,
        Case::Prepositional | Case::Nominative => 3,
    };
    format!("{stem}{}", endings[i])
}

fn letter(c: char, scheme: Scheme) -> &'static str {
    use Scheme::*;
    match (c, scheme) {
        ('а', _) => "a",
        ('б', _) => "b",
        ('в', German | Polish) => "w",
        ('в', _) => "v",
        ('г', _) => "g",
        ('д', _) => "d",
        ('е', Polish) => "ie",
        ('е', _) => "e",
        ('ё', English) => "yo",
        ('ё', Scholarly) => "ë",
        ('ё', _) => "o",
        ('ж', English) => "zh",
        ('ж', German) => "sch",
        ('ж', French) => "j",
        ('ж', Polish) => "ż",
        ('ж', Scholarly) => "ž",
        ('з', German) => "s",
        ('з', _) => "z",
        ('и', _) => "i",
        ('й', English) => "y",
        ('й', French) => "ï",
        ('й', _) => "j",
        ('к', _) => "k",
        ('л', _) => "l",
        ('м', _) => "m",
        ('н', _) => "n",
        ('о', _) => "o",
        ('п', _) => "p",
        ('р', _) => "r",
        ('с', German) => "ss",
        ('с', _) => "s",
        ('т', _) => "t",
        ('у', French) => "ou",
        ('у', _) => "u",
        ('ф', _) => "f",
        ('х', English | French) => "kh",
        ('х', German | Polish) => "ch",
        ('х', Scholarly) => "h",
        ('ц', English | French) => "ts",
        ('ц', German) => "z",
        ('ц', _) => "c",
        ('ч', English) => "ch",
        ('ч', German) => "tsch",
        ('ч', French) => "tch",
        ('ч', Polish) => "cz",
        ('ч', Scholarly) => "č",
        ('ш', English) => "sh",
        ('ш', German) => "sch",
        ('ш', French) => "ch",
        ('ш', Polish) => "sz",
        ('ш', Scholarly) => "š",
        ('щ', English) => "shch",
        ('щ', German) => "schtsch",
        ('щ', French) => "chtch",
        ('щ', Polish) => "szcz",
        ('щ', Scholarly) => "ŝ",
        ('ъ', _) => "",
        ('ы', Polish) => "y",
        ('ы', _) => "y",
        ('ь', Scholarly) => "ʹ",
        ('ь', _) => "",
        ('э', _) => "e",
        ('ю', English) => "yu",
        ('ю', French) => "iou",
        ('ю', Scholarly) => "û",
        ('ю', _) => "ju",
        ('я', English) => "ya",
        ('я', French) => "ia",
        ('я', Scholarly) => "â",
        ('я', _) => "ja",
        _ => "",
    }
}

/// A Russian word in a romanisation scheme, capitalised as the original.
pub fn romanise(word: &str, scheme: Scheme) -> String {
    let mut out = String::with_capacity(word.len() * 2);
    for (i, c) in word.chars().enumerate() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let mut l = letter(lower, scheme).to_string();
        // Word-final -ий / -ый read as -y in English, -i in German and French.
        if i + 1 == word.chars().count()
            && lower == 'й'
            && scheme != Scheme::Scholarly
            && scheme != Scheme::Polish
        {
            l = String::new();
        }
        if c.is_uppercase() {
            let mut chars = l.chars();
            if let Some(first) = chars.next() {
                l = first.to_uppercase().chain(chars).collect();
            }
        }
        out.push_str(&l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surnames_decline() {
        assert_eq!(
            inflect_surname("Хрущёв", Gender::Male, Case::Instrumental),
            "Хрущёвым"
        );
        assert_eq!(
            inflect_surname("Хрущёв", Gender::Female, Case::Nominative),
            "Хрущёва"
        );
        assert_eq!(
            inflect_surname("Хрущёва", Gender::Female, Case::Genitive),
            "Хрущёвой"
        );
        assert_eq!(
            inflect_surname("Каменский", Gender::Male, Case::Dative),
            "Каменскому"
        );
        assert_eq!(
            inflect_surname("Шубин", Gender::Male, Case::Genitive),
            "Шубина"
        );
    }

    #[test]
    fn given_names_decline() {
        assert_eq!(
            inflect_given("Лаврентий", Gender::Male, Case::Instrumental),
            "Лаврентием"
        );
        assert_eq!(
            inflect_given("Николай", Gender::Male, Case::Genitive),
            "Николая"
        );
        assert_eq!(
            inflect_given("Анна", Gender::Female, Case::Instrumental),
            "Анной"
        );
        assert_eq!(inflect_given("Пётр", Gender::Male, Case::Genitive), "Петра");
    }

    #[test]
    fn romanisations() {
        assert_eq!(romanise("Хрущёв", Scheme::English), "Khrushchyov");
        assert_eq!(romanise("Хрущёв", Scheme::German), "Chruschtschow");
        assert_eq!(romanise("Хрущёв", Scheme::French), "Khrouchtchov");
        assert_eq!(romanise("Хрущёв", Scheme::Polish), "Chruszczow");
        assert_eq!(romanise("Хрущёв", Scheme::Scholarly), "Hruŝëv");
    }
}
