//! A labelled set of cover names, Russian and English, KGB and Western conventions, with
//! the traps: quoted names that are newspapers, ships, factories, operations, agencies.
//! Each line: the text, then the cover names it holds (as written), separated by " | ".

use kartoteka_extract::{extract, MentionKind};

const LABELLED: &str = "\
Источнику присвоен псевдоним «ХОЛА». | ХОЛА
Связь с агентом «ГРОМ» поддерживалась через нелегала «ЛИРА». | ГРОМ | ЛИРА
Агент «Марта» сообщила о прибытии делегации. | Марта
Под псевдонимом «Ирма» работала машинистка посольства. | Ирма
Кличка «Сокол» была дана ему в 1941 году. | Сокол
Резидент «ДЕД» доложил в Центр. | ДЕД
Встреча с источником «ЛИСТ» состоялась в Вене. | ЛИСТ
Доверенное лицо «КРОТ» передало документы. | КРОТ
Статья в газете «Правда» вышла 5 мая. |
Теплоход «Победа» прибыл в порт. |
Завод «Серп и молот» выполнил план. |
Операция «Трест» длилась несколько лет. |
Агентство «Рейтер» сообщило о визите. |
Журнал «Огонёк» напечатал очерк. |
Книга «Мастер и Маргарита» вышла в 1966 году. |
Гостиница «Метрополь» приняла делегацию. |
В ресторане «Прага» состоялся ужин. |
Фабрика «Красный Октябрь» выпустила конфеты. |
Крейсер «Аврора» стоит у набережной. |
Фильм «Семнадцать мгновений весны» снят в 1973 году. |
Связь с «ХОЛОЙ» будет поддерживаться через «ЛИРУ». | ХОЛОЙ | ЛИРУ
Агенту «АНДРЕЙ» поручено наблюдение. | АНДРЕЙ
Нелегал «ЭРИК» выехал в Париж. | ЭРИК
Source HOMER passed the documents in 1944. | HOMER
The cryptonym AMLASH/1 refers to Rolando Cubela. | AMLASH/1
LIENVOY intercepts were forwarded to headquarters. | LIENVOY
Agent LISZT met the resident in Vienna. | LISZT
The report cites ZRRIFLE and AMWORLD. | ZRRIFLE | AMWORLD
The CIA and the FBI exchanged memoranda. |
SECRET MEMORANDUM FOR THE RECORD |
The DDP approved the plan on 12 May. |
He read the New York Times every morning. |
Codename KARL was given to the source in 1938. | KARL
Agent code-named ENORMOZ reported on the project. | ENORMOZ
The ship \"Baltika\" sailed from Leningrad. |
Operation \"Mongoose\" was reviewed by the President. |
The newspaper \"Izvestia\" printed the statement. |
Агент «ОСА» (Соколова) завербована в 1937 г. | ОСА
Информация от источника «ЯН» подтвердилась. | ЯН
Издательство «Наука» выпустило сборник. |
";

/// A second set, written after the extractor and scored before any change to it, so that
/// its first figures say how the rules do on sentences they were not fitted to: precision
/// 0.895, recall 0.944 (a stadium and an aircraft model taken for cover names, "дело на
/// «КАРЛА»" missed). The traps and rules were then widened; the test now holds both sets.
const HELD_OUT: &str = "\
От источника «БАБУШКИ» поступили сведения. | БАБУШКИ
Агентурное дело на «КАРЛА» заведено в 1950 г. | КАРЛА
Оперативный псевдоним — «ТЮЛЬПАН». | ТЮЛЬПАН
Завербован под кличкой «Бур». | Бур
Ценный источник «СИРИУС» освещал работу министерства. | СИРИУС
На связи у «ЗЕВСА» находились два агента. | ЗЕВСА
Нелегалы «ВАРДО» и «МАРК» прибыли в Берлин. | ВАРДО | МАРК
Агент «Марк» (Иванов И. И.) передал материалы. | Марк
Вербовка «ЛЕСНИКА» была проведена в 1952 году. | ЛЕСНИКА
Объект разработки «ТУРИСТ» выехал в Хельсинки. | ТУРИСТ
Газета «Известия» опубликовала заметку. |
Пароход «Смольный» ушёл в рейс. |
Колхоз «Заря» перевыполнил план. |
Кинотеатр «Ударник» показывал новый фильм. |
Конфеты фабрики «Рот Фронт» продавались повсюду. |
Стадион «ДИНАМО» был переполнен. |
Футбольный клуб «СПАРТАК» выиграл кубок. |
Самолёт «ТУ-104» приземлился во Внуково. |
Операция «ЛУЧ» завершилась успешно. |
Ансамбль «Берёзка» гастролировал в Лондоне. |
The KGB officer, code-named GRANIT, defected in 1962. | GRANIT
LITEMPO/8 reported on the meeting. | LITEMPO/8
Soviet agent SONIA transmitted from Switzerland. | SONIA
AMSPELL leaders met with their case officers. | AMSPELL
Source TOPHAT was run by the FBI for years. | TOPHAT
The cryptonym QKENCHANT was used for the contact. | QKENCHANT
The source, cryptonym ROSE, reported from Ottawa. | ROSE
The newspaper Pravda attacked the agency. |
He stayed at the Hotel \"Moskva\" in Havana. |
The NATO summit was held in Paris in May. |
MEXICO CITY STATION CABLE TO DIRECTOR |
The FBI and the USSR embassy were watched. |
";

/// Issue 17's tuning set: the shapes notes by other hands take, with made-up names, and
/// the traps of English prose with surnames in capitals. The rules were fitted to this
/// set; the public set in tests/data was labelled before and scored only after.
const OTHER_HANDS: &str = "\
Ilse Varga (TULPE) und Otto Brenner (KRAN) trafen sich in Prag. | TULPE | KRAN
Walter Koch (Deckname FALKE) kam 1950 nach Bonn. | FALKE
The chemist Lev Markin, who joined in 1943, was SOVA. | SOVA
The defector named ORION, the naval attache Belov, in his statement. | ORION
The telegram mentions KEDR (Dorn) and LAVA. | KEDR | LAVA
The Freedom of Information Act (FOIA) request was denied. |
Agents of the Security Service (SAVAK) watched the embassy. |
The report was SECRET, and the memo was BRIEF. |
The illegal KLIM (Pavel Orlov) reached Buenos Aires in 1952. | KLIM
Anna Berg (ROSA, later SKIF) typed the minutes of the cabinet. | ROSA | SKIF
The clerk was known first as LIRA; in 1944 the cover name was changed to ZHUK. | LIRA | ZHUK
The courier TAPIR, later BOBR, was Oskar Weiss. | TAPIR | BOBR
Miller appears in later cables under the cover name FROST. | FROST
The London station ran the agent FÜCHSIN through a cut-out. | FÜCHSIN
Her file calls her KÄTHE until 1938. | KÄTHE
Petrova was given the cover name PTITSA in 1940. | PTITSA
The engineer DRUG handed over the blueprints. | DRUG
SOKOLOV met KLIM in a park in Vienna. | KLIM
The FBI report says ORLOV gave the documents to KAZAKOV. |
IVANOVA and PETRENKO were arrested on the same day. |
Karl Mauer (Deckname SPERBER, später ADLER) arbeitete im Kanzleramt. | SPERBER | ADLER
Die Quelle LÖWE lieferte Berichte aus Bonn. | LÖWE
Анна Берг (псевдонимы «РОЗА», затем «СКИФ») работала машинисткой. | РОЗА | СКИФ
Курьер «ТАПИР», позднее «БОБР», — это Оскар Вайс. | ТАПИР | БОБР
The FBI and the CIA exchanged reports on the KGB and the GRU (NATO files). |
Walter Brandt (FALKE) was the source in the ministry. | FALKE
Her sister appears in the cables as LUK. | LUK
The clerk was ROK to the KGB for ten years. | ROK
The agent whose cover name was MALVA left Ottawa in 1946. | MALVA
Moscow called her WHITE ROSE in its cables. | WHITE ROSE
Анна Берг проходила в делах как «Роза», затем как «Скиф». | Роза | Скиф
Курьер работал под псевдонимом «Сыч», позднее «Филин». | Сыч | Филин
Sie erhielt den Decknamen „Lerche“. | Lerche
Die Quelle „Amsel“ berichtete aus Bonn. | Amsel
He signed his reports with the cover name \"Tapir\". | Tapir
He was sent to the FBI in 1950. |
The group called ORA was small. |
Walter met IVANOV in Berlin in 1950. |
The plan known as BARBAROSSA began in June. |
Они читали газету «Правда», а затем «Известия». |
Judith Coplon (DOJ) was arrested in 1949. |
";

/// Scores one labelled set: (found, false, missed, the errors).
fn score(set: &str) -> (usize, usize, usize, Vec<String>) {
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut errors = Vec::new();
    for line in set.lines() {
        let mut parts = line.split(" | ");
        let text = parts.next().unwrap().trim_end_matches(" |");
        let want: Vec<&str> = parts.map(str::trim).filter(|s| !s.is_empty()).collect();
        let got: Vec<String> = extract(text)
            .mentions
            .into_iter()
            .filter(|m| m.kind == MentionKind::CoverName)
            .map(|m| m.text)
            .collect();
        for g in &got {
            if want.contains(&g.as_str()) {
                tp += 1;
            } else {
                fp += 1;
                errors.push(format!("false: {g:?} in {text:?}"));
            }
        }
        for w in &want {
            if !got.iter().any(|g| g == w) {
                fn_ += 1;
                errors.push(format!("missed: {w:?} in {text:?}"));
            }
        }
    }
    (tp, fp, fn_, errors)
}

#[test]
fn cover_names_meet_the_precision_and_recall_targets() {
    let mut all = (0, 0, 0, Vec::new());
    for (name, set) in [
        ("labelled", LABELLED),
        ("held out", HELD_OUT),
        ("other hands (tuning)", OTHER_HANDS),
    ] {
        let (tp, fp, fn_, errors) = score(set);
        eprintln!(
            "cover names, {name}: precision {:.3}, recall {:.3} ({tp} found, {fp} false, {fn_} missed)",
            tp as f64 / (tp + fp).max(1) as f64,
            tp as f64 / (tp + fn_).max(1) as f64
        );
        for e in &errors {
            eprintln!("  {name}: {e}");
        }
        all.0 += tp;
        all.1 += fp;
        all.2 += fn_;
        all.3.extend(errors);
    }
    let (tp, fp, fn_, errors) = all;
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    eprintln!("cover names, both: precision {precision:.3}, recall {recall:.3}");
    assert!(
        precision >= 0.97 && recall >= 0.95,
        "precision {precision:.3}, recall {recall:.3}:\n{}",
        errors.join("\n")
    );
}

/// Scores a file of tab-separated lines (language, sentence, cover names), per language
/// and in all: (found, false, missed, the errors, sentences).
fn score_file(name: &str) -> (usize, usize, usize, Vec<String>, usize) {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect(&path);
    let mut by_language: std::collections::BTreeMap<&str, String> = Default::default();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut fields = line.splitn(3, '\t');
        let (Some(language), Some(sentence), labels) =
            (fields.next(), fields.next(), fields.next())
        else {
            panic!("a line without a language and a sentence: {line:?}");
        };
        let set = by_language.entry(language).or_default();
        set.push_str(sentence);
        set.push_str(" | ");
        set.push_str(labels.unwrap_or(""));
        set.push('\n');
    }
    let (mut tp, mut fp, mut fn_, mut errors) = (0, 0, 0, Vec::new());
    for (language, set) in &by_language {
        let (t, f, m, e) = score(set);
        eprintln!(
            "cover names, {name}, {language}: {} sentences, precision {:.3}, recall {:.3} ({t} found, {f} false, {m} missed)",
            set.lines().count(),
            t as f64 / (t + f).max(1) as f64,
            t as f64 / (t + m).max(1) as f64
        );
        tp += t;
        fp += f;
        fn_ += m;
        errors.extend(e);
    }
    let sentences = by_language.values().map(|s| s.lines().count()).sum();
    (tp, fp, fn_, errors, sentences)
}

/// Issue 17: the first public set, labelled before the rules were changed and scored as
/// counts only while they grew: recall 0.419 before any change, then 0.856, 0.892 and
/// 0.914, with precision 1.000 throughout but once (0.995). It then became a tuning set
/// (its errors read; recall 0.946 after), when the second set (`cover_names_fresh.txt`)
/// was written to be held out in its place.
#[test]
fn cover_names_in_public_descriptions_written_by_others() {
    let (tp, fp, fn_, errors, sentences) = score_file("cover_names_public.txt");
    assert!(sentences >= 200, "only {sentences} sentences");
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    eprintln!("cover names, public set: precision {precision:.3}, recall {recall:.3}");
    for e in &errors {
        eprintln!("  public set (tuning): {e}");
    }
    assert!(
        precision >= 0.98 && recall >= 0.93,
        "precision {precision:.3}, recall {recall:.3}:\n{}",
        errors.join("\n")
    );
}

/// Issue 17: the second public set, written and labelled after the first had been read,
/// and held out while the rules were fitted to the first. Only its counts are printed.
/// Recall was 0.669 before that round and 0.669 after it (precision 1.000 both times):
/// what the first set taught did not carry over, and the floor guards only what is held.
#[test]
fn cover_names_in_a_second_set_nobody_tuned_on() {
    let (tp, fp, fn_, _, sentences) = score_file("cover_names_fresh.txt");
    assert!(sentences >= 120, "only {sentences} sentences");
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    eprintln!("cover names, second public set: precision {precision:.3}, recall {recall:.3}");
    assert!(
        precision >= 0.98 && recall >= 0.65,
        "precision {precision:.3}, recall {recall:.3} ({tp} found, {fp} false, {fn_} missed)"
    );
}
