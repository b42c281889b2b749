//! A labelled set of cover names, Russian and English, KGB and Western conventions, with
//! the traps: quoted names that are newspapers, ships, factories, operations, agencies.
//! Each line: the text, then the cover names it holds (as written), separated by " | ".

use kartoteka_extract::{extract, Kind};

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

#[test]
fn cover_names_meet_the_precision_and_recall_targets() {
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut errors = Vec::new();
    for line in LABELLED.lines() {
        let mut parts = line.split(" | ");
        let text = parts.next().unwrap().trim_end_matches(" |");
        let want: Vec<&str> = parts.map(str::trim).filter(|s| !s.is_empty()).collect();
        let got: Vec<String> = extract(text)
            .mentions
            .into_iter()
            .filter(|m| m.kind == Kind::CoverName)
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
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    eprintln!("cover names: precision {precision:.3}, recall {recall:.3} ({tp} found, {fp} false, {fn_} missed)");
    assert!(
        precision >= 0.97 && recall >= 0.95,
        "precision {precision:.3}, recall {recall:.3}:\n{}",
        errors.join("\n")
    );
}
