use super::*;
use kartoteka_model::{MentionKind, RelationKind};

fn find(e: &Extraction, kind: MentionKind) -> Vec<&Mention> {
    e.mentions.iter().filter(|m| m.kind == kind).collect()
}

fn lemmas(e: &Extraction, kind: MentionKind) -> Vec<String> {
    find(e, kind).iter().map(|m| m.lemma.clone()).collect()
}

/// The relations as (kind, from lemma, to lemma).
fn named_relations(e: &Extraction) -> Vec<(RelationKind, String, String)> {
    let name = |i: usize| e.mentions[i].lemma.clone();
    e.relations
        .iter()
        .map(|r| (r.kind, name(r.from), name(r.to)))
        .collect()
}

fn spans_are_exact(text: &str, e: &Extraction) {
    let chars: Vec<char> = text.chars().collect();
    for m in &e.mentions {
        let s: String = chars[m.start..m.end].iter().collect();
        assert_eq!(s, m.text, "{m:?}");
    }
}

#[test]
fn persons_in_every_case_with_their_lemma() {
    let text = "Доклад направлен Лаврентию Павловичу Берии. Встреча с Лаврентием Берией состоялась 5 мая. Позже Берия уехал. \
                Докладываю, что мною, оперработником Кузьминым А. П., завербована Соколова Вера Андреевна. Н. С. Хрущёв ознакомлен.";
    let e = extract(text);
    spans_are_exact(text, &e);
    let persons = lemmas(&e, MentionKind::Person);
    assert!(
        persons.contains(&"Лаврентий Павлович Берия".to_string()),
        "{persons:?}"
    );
    assert!(
        persons.contains(&"Лаврентий Берия".to_string()),
        "{persons:?}"
    );
    assert!(
        persons.contains(&"Берия".to_string()),
        "a surname met in full names the person alone: {persons:?}"
    );
    assert!(
        persons.contains(&"Кузьмин А. П.".to_string()),
        "{persons:?}"
    );
    assert!(
        persons.contains(&"Соколова Вера Андреевна".to_string()),
        "{persons:?}"
    );
    assert!(persons.contains(&"Н. С. Хрущёв".to_string()), "{persons:?}");
}

#[test]
fn cover_names_and_the_traps_that_are_not() {
    let text = "Источнику присвоен псевдоним «ХОЛА». Связь с «ХОЛОЙ» будет поддерживаться через нелегала «ГРОМ». \
                Статья в газете «Правда» и теплоход «Победа» тут ни при чём; агентство «Рейтер» тоже. \
                Source HOMER reported via AMLASH/1 to the CIA station.";
    let e = extract(text);
    spans_are_exact(text, &e);
    let covers = lemmas(&e, MentionKind::CoverName);
    assert_eq!(
        covers,
        ["ХОЛА", "ХОЛА", "ГРОМ", "HOMER", "AMLASH/1"],
        "{covers:?}"
    );
    assert_eq!(find(&e, MentionKind::CoverName)[1].text, "ХОЛОЙ");
    assert_eq!(lemmas(&e, MentionKind::Org), ["CIA"]);
}

#[test]
fn places_with_codes_and_dates_in_their_forms() {
    let text =
        "14 мая 1937 г. в Лондоне; весной 1944 года в Кёнигсберге; в 1937 г.; с 1944 по 1946; \
                в 1940-х годах; 1944-1946 гг.; May 14, 1937 in Vienna; 14.05.1937, Ленинград.";
    let e = extract(text);
    spans_are_exact(text, &e);
    let places: Vec<(String, Option<String>)> = find(&e, MentionKind::Place)
        .iter()
        .map(|m| (m.lemma.clone(), m.code.clone()))
        .collect();
    assert_eq!(
        places,
        [
            ("Лондон".to_string(), Some("GBR".to_string())),
            ("Кёнигсберг".to_string(), Some("RUS".to_string())),
            ("Vienna".to_string(), Some("AUT".to_string())),
            ("Ленинград".to_string(), Some("RUS".to_string())),
        ]
    );
    let dates: Vec<String> = find(&e, MentionKind::Date)
        .iter()
        .map(|m| m.code.clone().unwrap())
        .collect();
    assert_eq!(
        dates,
        [
            "1937-05-14",
            "1944-03..1944-05",
            "1937",
            "1944..1946",
            "1940..1949",
            "1944..1946",
            "1937-05-14",
            "1937-05-14"
        ]
    );
    assert_eq!(find(&e, MentionKind::Date)[0].text, "14 мая 1937 г.");
}

#[test]
fn relations_stated_in_a_sentence() {
    let text = "Агент «ХОЛА» (Соколова Вера Андреевна) завербована в Лондоне оперработником Кузьминым А. П.";
    let e = extract(text);
    let rels = named_relations(&e);
    assert!(
        rels.contains(&(
            RelationKind::CodeNamed,
            "Соколова Вера Андреевна".into(),
            "ХОЛА".into()
        )),
        "{rels:?}"
    );
    assert!(
        rels.contains(&(
            RelationKind::RecruitedBy,
            "ХОЛА".into(),
            "Кузьмин А. П.".into()
        )),
        "{rels:?}"
    );
    assert!(
        rels.contains(&(
            RelationKind::HasRole,
            "Кузьмин А. П.".into(),
            "case_officer".into()
        )),
        "{rels:?}"
    );
    assert!(
        rels.contains(&(RelationKind::OperatedIn, "ХОЛА".into(), "Лондон".into())),
        "{rels:?}"
    );
}

#[test]
fn western_names_and_cryptonyms() {
    let text = "Robert F. Kennedy met Mr. Oswald in Dallas. The DCI and the FBI were told; \
                AMLASH/1 and LIENVOY reported. SECRET MEMO FOR THE RECORD.";
    let e = extract(text);
    spans_are_exact(text, &e);
    assert_eq!(
        lemmas(&e, MentionKind::Person),
        ["Robert F. Kennedy", "Oswald"]
    );
    assert_eq!(lemmas(&e, MentionKind::CoverName), ["AMLASH/1", "LIENVOY"]);
    assert_eq!(lemmas(&e, MentionKind::Place), ["Dallas"]);
}

#[test]
fn ocr_damage_does_not_break_spans() {
    let text = "Agent «ХOЛA» (Latin O and A) met Кузь-\nминым А. П. in Вене.";
    let e = extract(text);
    spans_are_exact(text, &e);
    assert!(
        lemmas(&e, MentionKind::Person).contains(&"Кузьмин А. П.".to_string()),
        "{:?}",
        e.mentions
    );
}

proptest::proptest! {
    #[test]
    fn any_text_gives_spans_on_that_text(text in "\\PC{0,300}") {
        let e = extract(&text);
        let n = text.chars().count();
        for m in &e.mentions {
            proptest::prop_assert!(m.start < m.end && m.end <= n);
        }
        for r in &e.relations {
            proptest::prop_assert!(r.from < e.mentions.len() && r.to < e.mentions.len());
        }
    }

    /// Cyrillic words, capitals, initials and brackets: what the person tagger reads.
    #[test]
    fn the_tagger_gives_spans_on_any_cyrillic_text(text in "([А-ЯЁ]\\.|[А-ЯЁ]?[а-яё]{1,9}|[ .,()«»—\n-]){0,80}") {
        let e = extract(&text);
        let n = text.chars().count();
        for m in &e.mentions {
            proptest::prop_assert!(m.start < m.end && m.end <= n);
            proptest::prop_assert_eq!(&m.text, &text.chars().skip(m.start).take(m.end - m.start).collect::<String>());
        }
    }

    /// A damaged model file is refused or read, never a panic.
    #[test]
    fn any_bytes_as_a_model_are_refused_or_read(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200), keep in 0usize..64) {
        let _ = PersonTagger::from_bytes(&bytes);
        let mut framed = b"KTPTAG01".to_vec();
        framed.extend_from_slice(&bytes[..keep.min(bytes.len())]);
        let _ = PersonTagger::from_bytes(&framed);
    }
}

fn person_texts(text: &str) -> Vec<String> {
    let e = extract(text);
    spans_are_exact(text, &e);
    find(&e, MentionKind::Person)
        .iter()
        .map(|m| m.text.clone())
        .collect()
}

#[test]
fn surnames_and_given_names_alone_from_the_lexicon() {
    let persons = person_texts(
        "Вчера Путин встретился с Назарбаевым в Минске. Позже к ним присоединилась Раиса. Вера в успех крепла.",
    );
    assert_eq!(persons, ["Путин", "Назарбаевым", "Раиса"], "{persons:?}");
}

#[test]
fn offices_streets_quotes_and_countries_are_not_persons() {
    let persons = person_texts(
        "Глава Роскосмоса Анатолий Перминов заявил, что лидер Меджлиса приедет. \
         Адрес: ул. Почтовая, д. 5; Померанцев пер., д. 3. Болельщики «Спартака» собрались. \
         Туристы из Нидерландов и Дании уехали.",
    );
    assert_eq!(persons, ["Анатолий Перминов"], "{persons:?}");
}

#[test]
fn names_repeat_in_other_cases_and_in_latin_brackets() {
    let persons = person_texts(
        "Основатель сети Марк Цукерберг (Mark Zuckerberg) ответил. Слово «face» ушло к Цукербергу. \
         Премьер-министр Турции Реджеп Тайип Эрдоган прибыл; на встрече с Эрдоганом говорили о газе.",
    );
    assert_eq!(
        persons,
        [
            "Марк Цукерберг",
            "Mark Zuckerberg",
            "Цукербергу",
            "Реджеп Тайип Эрдоган",
            "Эрдоганом"
        ],
        "{persons:?}"
    );
}

#[test]
fn a_cyrillic_cover_name_in_a_western_text() {
    let text =
        "Source ДУНАЙ (Dmitrij Gorskev) was recruited in 1933 in Vienna by case officer Lukskij. \
                An agent НКВД is no cover name, nor is the word ТАСС without a cue.";
    let e = extract(text);
    spans_are_exact(text, &e);
    assert_eq!(lemmas(&e, MentionKind::CoverName), ["ДУНАЙ"]);
    // A surname in capitals after a given name is no cryptonym, even with a CIA digraph.
    let e2 =
        extract("Vera SOKOLOVA, code-named HOLA, was recruited by case officer Arnold KUZMIN.");
    assert_eq!(lemmas(&e2, MentionKind::CoverName), ["HOLA"]);
    let rels = named_relations(&e);
    assert!(
        rels.contains(&(
            RelationKind::CodeNamed,
            "Dmitrij Gorskev".into(),
            "ДУНАЙ".into()
        )),
        "{rels:?}"
    );
    // "Source" before the cover name makes it the one recruited, not a recruiter.
    assert!(
        !rels
            .iter()
            .any(|r| r.0 == RelationKind::RecruitedBy && r.2 == "ДУНАЙ"),
        "{rels:?}"
    );
}

#[test]
fn a_new_cover_name_goes_to_the_recruit_not_to_whoever_came_last() {
    let carried =
        extract("В 1937 году завербована Соколова В. А. Источнику присвоен псевдоним «ХОЛА».");
    let name = |e: &Extraction, i: usize| e.mentions[i].lemma.clone();
    assert!(carried
        .relations
        .iter()
        .any(|r| r.kind == RelationKind::CodeNamed && name(&carried, r.from) == "Соколова В. А."));
    let unrelated = extract(
        "Весной 1944 года связь прервана из-за болезни Кузьмина. С 1947 года агенту присвоен новый псевдоним «ЛИРА».",
    );
    assert!(
        !unrelated
            .relations
            .iter()
            .any(|r| r.kind == RelationKind::CodeNamed),
        "{:?}",
        unrelated.relations
    );
}

/// The code-name relations as (person lemma, cover lemma).
fn code_names(text: &str) -> Vec<(String, String)> {
    named_relations(&extract(text))
        .into_iter()
        .filter(|r| r.0 == RelationKind::CodeNamed)
        .map(|r| (r.1, r.2))
        .collect()
}

#[test]
fn a_cover_name_goes_only_to_the_person_the_sentence_ties_it_to() {
    let pair = |p: &str, c: &str| (p.to_string(), c.to_string());
    // A second cover name in the sentence names its own holder; the officer who signs
    // the next line holds none.
    let renamed = "В марте 1960 года в Хельсинки завербован Жданов Пётр Семёнович, инженер.\n\
                   Ему присвоен псевдоним «ХОЛА», освободившийся после переименования агента «ЛИРА».\n\
                   Оперработник Лебедев Г. Н.";
    assert_eq!(
        code_names(renamed),
        vec![pair("Жданов Пётр Семенович", "ХОЛА")]
    );
    // Brackets bind the cover name beside them only.
    let brackets =
        "Лебедеву были известны данные на агента \"ХОЛА\" (Жданова) и на нелегала \"ГРОМ\".";
    assert_eq!(code_names(brackets), vec![pair("Жданова", "ХОЛА")]);
    // Passed on to a person; after a dash.
    assert_eq!(
        code_names("Псевдоним «ХОЛА» передан Жданову П. С. в 1960 г."),
        vec![pair("Жданов П. С.", "ХОЛА")]
    );
    assert_eq!(
        code_names("ф. 9002, оп. 2, д. 2. «МОРЯК» — Орлов Е. К., радиолокация, 1941."),
        vec![pair("Орлов Е. К.", "МОРЯК")]
    );
    // A Western transcript: a surname in capitals, the recruit (not the recruiter) named
    // again by a pronoun, a cryptonym reissued to another.
    let western = "Vera Andreyevna SOKOLOVA, born 1911 in Riga, code-named HOLA, was recruited in May 1937 by case officer Arnold KUZMIN.\n\
                   From 1947 she was known as LIRA. The cryptonym HOLA was reissued in 1960 to Pyotr ZHDANOV in Helsinki.";
    let mut got = code_names(western);
    got.sort();
    assert_eq!(
        got,
        vec![
            pair("Pyotr Zhdanov", "HOLA"),
            pair("Vera Andreyevna Sokolova", "HOLA"),
            pair("Vera Andreyevna Sokolova", "LIRA"),
        ]
    );
    // Without a cue, a bracket or a dash, no tie at all.
    assert!(code_names("Связь с «ХОЛОЙ» будет поддерживаться через Кузьмина А. П.").is_empty());
}

#[test]
fn births_by_date_and_place() {
    let born = |text: &str| -> Vec<(String, String)> {
        named_relations(&extract(text))
            .into_iter()
            .filter(|r| r.0 == RelationKind::Born)
            .map(|r| (r.1, r.2))
            .collect()
    };
    let pair = |p: &str, c: &str| (p.to_string(), c.to_string());
    assert_eq!(
        born("Vera Andreyevna SOKOLOVA, born 1911 in Riga, was recruited."),
        vec![
            pair("Vera Andreyevna Sokolova", "1911"),
            pair("Vera Andreyevna Sokolova", "Riga")
        ]
    );
    assert_eq!(
        born("СПРАВКА\nЛебедев Григорий Николаевич, 1919 г.р., оперработник резидентуры."),
        vec![pair("Лебедев Григорий Николаевич", "1919")]
    );
    // A form: the person on one line, the birth on the next ones.
    assert_eq!(
        born("Фамилия, имя, отчество: Соколова Вера Андреевна.\nГод рождения: 1911. Место рождения: г. Рига."),
        vec![pair("Соколова Вера Андреевна", "1911"), pair("Соколова Вера Андреевна", "Рига")]
    );
    // A year with no birth cue is no birth.
    assert!(born("Соколова Вера Андреевна в 1911 году жила в Риге.").is_empty());
}

#[test]
fn record_kinds_and_sentence_openers_are_not_names() {
    let persons = |t: &str| lemmas(&extract(t), MentionKind::Person);
    assert_eq!(
        persons("ф. 9001, оп. 1, д. 1, л. 2. Рапорт Кузьмина о вербовке «ХОЛЫ» 14.05.1937."),
        vec!["Кузьмин".to_string()],
        "a report of Kuzmin's: his name in the genitive"
    );
    assert!(persons("Eine Kopie ging an die Zentrale.").is_empty());
    // A dative of a man's surname after initials is his nominative.
    assert_eq!(
        persons("Доклад направлен Н. С. Хрущёву 5 декабря 1962 года."),
        vec!["Н. С. Хрущёв".to_string()]
    );
    assert_eq!(
        persons("The defector Grigory LEBEDEV left Helsinki."),
        vec!["Grigory Lebedev".to_string()]
    );
}

/// Issue 17, point 6: a surname in -ова/-ина is a woman's nominative or a man's genitive;
/// the words around it say which.
#[test]
fn the_words_around_a_name_settle_its_case_and_sex() {
    let persons = |t: &str| lemmas(&extract(t), MentionKind::Person);
    for (text, lemma) in [
        // A masculine noun in the genitive before it, an infinitive after it.
        (
            "ПРИКАЗ\nОперработника Кузьмина А. П. наградить знаком «Почетный чекист».",
            "Кузьмин А. П.",
        ),
        (
            "Приказ: старшего лейтенанта Петрова И. С. наградить.",
            "Петров И. С.",
        ),
        (
            "Капитана Иванова И. И. представить к награде.",
            "Иванов И. И.",
        ),
        // A noun the name belongs to, a preposition.
        ("Протокол допроса Кузьмина А. П.", "Кузьмин А. П."),
        ("Связь прервана из-за болезни Кузьмина.", "Кузьмин"),
        ("Письмо от Кузьмина А. П. получено.", "Кузьмин А. П."),
        // A verb in the feminine past tense: a woman in the nominative.
        ("Справку составила Кузьмина А. П.", "Кузьмина А. П."),
        ("Кузьмина А. П. доложила о встрече.", "Кузьмина А. П."),
        // A feminine role before her, nothing to say otherwise: left as written.
        ("Гражданка Кузьмина А. П. прибыла.", "Кузьмина А. П."),
        // A woman's own genitive keeps her nominative.
        ("Дело Соколовой В. А. закрыто.", "Соколова В. А."),
    ] {
        assert_eq!(persons(text), vec![lemma.to_string()], "{text}");
    }
}

#[test]
fn a_person_tagger_reads_back_what_it_wrote_and_refuses_what_it_did_not() {
    // Names after a word the rules do not know as a title ("гроссмейстер"): a tagger
    // trained on such sentences finds a new name there, in a sentence it never saw.
    let sentences = [
        "Вчера гроссмейстер Ткаченко выиграл партию.",
        "Потом гроссмейстер Бондарук сыграл вничью.",
        "Сегодня гроссмейстер Мельничук уступил сопернику.",
        "Утром гроссмейстер Кравчук отказался от матча.",
        "Вчера шахматист Гнатюк выиграл партию.",
        "Вчера Москва выиграла тендер.",
    ];
    let examples: Vec<(&str, Vec<(usize, usize)>)> = sentences
        .iter()
        .map(|s| {
            let chars: Vec<char> = s.chars().collect();
            let words: Vec<&str> = s.split(' ').collect();
            let spans = if s.contains("Москва") {
                vec![]
            } else {
                let start: usize = words[..2].iter().map(|w| w.chars().count() + 1).sum();
                let end = start + words[2].chars().count();
                assert!(chars[start].is_uppercase());
                vec![(start, end)]
            };
            (*s, spans)
        })
        .collect();
    let tagger = PersonTagger::train(&examples, 10);
    assert!(!tagger.is_empty());
    let bytes = tagger.to_bytes();
    let back = PersonTagger::from_bytes(&bytes).unwrap();
    assert_eq!(back.len(), tagger.len());
    let unseen = "Вчера гроссмейстер Гыртеску выиграл партию.";
    let by_rules = extract_with(unseen, None);
    assert!(
        find(&by_rules, MentionKind::Person).is_empty(),
        "{by_rules:?}"
    );
    let found = extract_with(unseen, Some(&back));
    let persons: Vec<&str> = found
        .mentions
        .iter()
        .filter(|m| m.kind == MentionKind::Person)
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(persons, ["Гыртеску"]);

    assert_eq!(
        PersonTagger::from_bytes(b"not a model"),
        Err(ModelError::Magic)
    );
    assert_eq!(
        PersonTagger::from_bytes(&bytes[..bytes.len() - 3]),
        Err(ModelError::Truncated(tagger.len() as u32))
    );
    assert!(PersonTagger::from_bytes(&bytes[..10]).is_err());
}
