//! The edition's pages, in English and Russian: the home page with the counts, the persons
//! and their pages, the reports and theirs, the timeline, search and the changes.
//!
//! Every page has the same frame: a link past the navigation, a header with the site's
//! name, the navigation and a search form, one `h1` in `main`, and a footer with the
//! edition. The address of a page is made of ids only (`en/persons/P3.html`,
//! `ru/reports/R-P3.html`), so it stays the same from edition to edition; a page's
//! content is hashed without its frame, so that a new edition alone does not count as a
//! change.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use kartoteka_model::{RelationKind, Report};
use kartoteka_text::escape_html as esc;

use crate::edition::{name_for, Changes, Content, Event, Other, Out, PublicPerson};
use crate::people::Why;
use crate::write::WriteError;

/// One file of the edition: its bytes, and what its content hash is taken over.
pub struct Page {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Its content without the frame (edition number and date).
    pub hashed: Vec<u8>,
}

impl Page {
    /// A data file, hashed whole.
    pub fn data(bytes: Vec<u8>) -> Page {
        Page {
            hashed: bytes.clone(),
            bytes,
        }
    }
}

/// The mark a withdrawn page's hash carries in the edition record.
pub const WITHDRAWN: &str = "withdrawn:";

/// The languages of the edition.
pub const LANGUAGES: [Lang; 2] = [Lang::En, Lang::Ru];

/// A language of the edition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Russian.
    Ru,
}

impl Lang {
    /// Its folder and its `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ru,
            Lang::Ru => Lang::En,
        }
    }

    /// The English or the Russian words.
    pub fn t<'a>(self, en: &'a str, ru: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Ru => ru,
        }
    }

    fn cyrillic(self) -> bool {
        self == Lang::Ru
    }
}

const STYLE: &str = include_str!("../assets/style.css");
const SEARCH_JS: &str = include_str!("../assets/search.js");

/// A count's label.
fn count_label(lang: Lang, key: &str) -> String {
    let ru = match key {
        "documents" => "документов",
        "units" => "единиц хранения",
        "pages" => "страниц",
        "reports" => "отчётов",
        "persons named" => "лиц названо",
        "persons protected" => "лиц защищено псевдонимом",
        "countries" => "стран",
        other => other,
    };
    lang.t(key, ru).to_string()
}

fn rule_label(lang: Lang, rule: &str) -> String {
    let ru = match rule {
        "agent" => "агент",
        "officer" => "оперативный работник",
        "named role" => "роль, названная правилами",
        "public figure" => "публичное лицо",
        "born long ago" => "родился более N лет назад",
        "died" => "умер, дата известна",
        "editor's decision" => "решение редактора",
        "private person" => "частное лицо",
        "private person (named in a report only)" => "частное лицо (только в отчёте)",
        other => other,
    };
    lang.t(rule, ru).to_string()
}

fn why_text(lang: Lang, why: &Why) -> String {
    match why {
        Why::Role { role } => format!("{}: {}", rule_label(lang, why.rule()), role),
        Why::BornLongAgo { year } => {
            format!("{} ({year})", lang.t("born long ago", "родился давно"))
        }
        Why::Died { date } => format!("{} ({date})", lang.t("died", "умер")),
        Why::Editor { why, .. } => format!("{}: {why}", rule_label(lang, "editor's decision")),
        other => rule_label(lang, other.rule()),
    }
}

/// How a link reads from the person's side.
fn link_label(lang: Lang, kind: RelationKind, outgoing: bool) -> &'static str {
    use RelationKind::*;
    match (kind, outgoing) {
        (RecruitedBy, true) => lang.t("recruited by", "завербован(а)"),
        (RecruitedBy, false) => lang.t("recruited", "завербовал(а)"),
        (HandledBy, true) => lang.t("handled by", "на связи у"),
        (HandledBy, false) => lang.t("handled", "вёл(а) на связи"),
        (ReportedOn, true) => lang.t("reported on", "сообщал(а) о"),
        (ReportedOn, false) => lang.t("reported on by", "о нём (ней) сообщал(а)"),
        (MetWith, _) => lang.t("met", "встречался(-лась) с"),
        (WorkedAt, _) => lang.t("worked at", "работал(а) в"),
        (OperatedIn, _) => lang.t("operated in", "действовал(а) в"),
        (HasRole, _) => lang.t("role", "роль"),
        (CodeNamed, _) => lang.t("cover name", "псевдоним"),
        (Born, _) => lang.t("born", "родился(-лась)"),
    }
}

fn section_label(lang: Lang, section: &str) -> String {
    let ru = match section {
        "subject" => "Объект",
        "service" => "Служба",
        "recruitment" => "Вербовка",
        "handling" => "Связь",
        "activity" => "Деятельность",
        "access" => "Доступ и материалы",
        "related" => "Связанные лица",
        "assessment" => "Оценка",
        "questions" => "Открытые вопросы",
        "sources" => "Источники",
        other => other,
    };
    lang.t(kartoteka_report::section_title(section), ru)
        .to_string()
}

/// The way back to the edition's root from a page at `path`.
fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// A page in the frame.
fn framed(content: &Content, lang: Lang, path: &str, title: &str, main: &str) -> Page {
    let root = root_of(path);
    let l = lang.code();
    let other = lang.other();
    let in_lang = path.split_once('/').map_or(path, |(_, rest)| rest);
    let mut html = String::with_capacity(main.len() + 2048);
    let _ = write!(
        html,
        r##"<!doctype html>
<html lang="{l}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · {site}</title>
<link rel="stylesheet" href="{root}assets/style.css">
</head>
<body>
<a class="skip" href="#main">{skip}</a>
<header>
<p class="site"><a href="{root}{l}/index.html">{site}</a></p>
<nav aria-label="{navlabel}">
<ul>
<li><a href="{root}{l}/persons.html">{persons}</a></li>
<li><a href="{root}{l}/reports.html">{reports}</a></li>
<li><a href="{root}{l}/timeline.html">{timeline}</a></li>
<li><a href="{root}{l}/changes.html">{changes}</a></li>
<li><a href="{root}data/README.md">{data}</a></li>
<li><a href="{root}{ol}/{in_lang}" hreflang="{ol}" lang="{ol}">{olname}</a></li>
</ul>
</nav>
<form role="search" action="{root}{l}/search.html">
<label for="q">{searchlabel}</label>
<input id="q" name="q" type="search" autocomplete="off">
<button type="submit">{searchbutton}</button>
</form>
</header>
<main id="main">
{main}
</main>
<footer>
<p>{edition} {number}, {date}. {footnote}</p>
</footer>
</body>
</html>
"##,
        title = esc(title),
        site = esc(&content.title),
        skip = lang.t("Skip to content", "К содержанию"),
        navlabel = lang.t("Sections", "Разделы"),
        persons = lang.t("Persons", "Лица"),
        reports = lang.t("Reports", "Отчёты"),
        timeline = lang.t("Timeline", "Хронология"),
        changes = lang.t("Changes", "Изменения"),
        data = lang.t("Dataset", "Данные"),
        ol = other.code(),
        olname = other.t("English", "Русский"),
        searchlabel = lang.t("Search names and reports", "Поиск по именам и отчётам"),
        searchbutton = lang.t("Search", "Найти"),
        edition = lang.t("Edition", "Издание"),
        number = content.number,
        date = esc(&content.date),
        footnote = lang.t(
            "Private persons are replaced by pseudonyms (Person A-1, ...); only unclassified material is published.",
            "Частные лица заменены псевдонимами (Person A-1, ...); публикуются только несекретные материалы."
        ),
    );
    Page {
        bytes: html.into_bytes(),
        hashed: format!("{title}\n{main}").into_bytes(),
    }
}

fn person_name(p: &PublicPerson, lang: Lang) -> String {
    name_for(&p.names, &p.name, lang.cyrillic())
}

fn text_lang(text: &str) -> &'static str {
    match kartoteka_text::language(text) {
        "ru" => "ru",
        "en" => "en",
        _ => "",
    }
}

fn lang_attr(text: &str) -> String {
    match text_lang(text) {
        "" => String::new(),
        l => format!(r#" lang="{l}""#),
    }
}

/// Every page of the edition but the changes and the withdrawn ones.
/// Lays out the site's pages into `out`, one at a time.
pub fn pages(content: &Content, out: &mut Out<'_>) -> Result<(), WriteError> {
    out.page(
        "assets/style.css".to_string(),
        Page::data(STYLE.as_bytes().to_vec()),
    )?;
    out.page(
        "assets/search.js".to_string(),
        Page::data(SEARCH_JS.as_bytes().to_vec()),
    )?;
    out.page("index.html".to_string(), landing(content))?;
    for lang in LANGUAGES {
        let l = lang.code();
        out.page(format!("{l}/index.html"), home(content, lang))?;
        out.page(format!("{l}/persons.html"), persons(content, lang))?;
        out.page(format!("{l}/reports.html"), reports(content, lang))?;
        out.page(format!("{l}/timeline.html"), timeline(content, lang))?;
        out.page(format!("{l}/search.html"), search(content, lang))?;
        for p in content.persons.values() {
            let path = format!("{l}/persons/{}.html", p.id);
            let page = person(content, lang, p, &path);
            out.page(path, page)?;
        }
        for r in &content.reports {
            let path = format!("{l}/reports/{}.html", r.id);
            let page = report(content, lang, r, &path);
            out.page(path, page)?;
        }
    }
    Ok(())
}

fn landing(content: &Content) -> Page {
    let main = format!(
        r#"<h1>{title}</h1>
<p lang="en">A public edition of counter-intelligence findings: the agents and officers the documents name, the reports on them with the document excerpts they rest on, a timeline and search. <a href="en/index.html" hreflang="en">Read in English</a>.</p>
<p lang="ru">Публичное издание контрразведывательных материалов: агенты и сотрудники, названные в документах, отчёты о них с выдержками из документов, хронология и поиск. <a href="ru/index.html" hreflang="ru">Читать по-русски</a>.</p>"#,
        title = esc(&content.title)
    );
    framed(content, Lang::En, "index.html", &content.title, &main)
}

fn table_of_counts(caption: &str, head: (&str, &str), rows: &[(String, String)]) -> String {
    let mut t = format!(
        "<div class=\"table\"><table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        esc(caption),
        esc(head.0),
        esc(head.1)
    );
    for (k, v) in rows {
        let _ = write!(t, "<tr><th scope=\"row\">{k}</th><td>{v}</td></tr>");
    }
    t.push_str("</tbody></table></div>");
    t
}

fn home(content: &Content, lang: Lang) -> Page {
    let path = format!("{}/index.html", lang.code());
    let mut main = format!("<h1>{}</h1>\n", esc(&content.title));
    let _ = write!(
        main,
        "<p>{} {} ({}).</p>",
        lang.t("Edition", "Издание"),
        content.number,
        esc(&content.date)
    );
    let _ = write!(
        main,
        "<p>{}</p>",
        lang.t(
            "The agents, case officers and officials the documents name, the approved reports on them with the excerpts they rest on, cited by reference code, a timeline, and search. Only unclassified material is here; every other person is shown by a pseudonym.",
            "Агенты, оперативные работники и должностные лица, названные в документах; утверждённые отчёты о них с выдержками, на которых они основаны, со ссылками на шифры дел; хронология и поиск. Здесь только несекретные материалы; все прочие лица названы псевдонимами."
        )
    );
    const ORDER: [&str; 7] = [
        "documents",
        "units",
        "pages",
        "reports",
        "persons named",
        "persons protected",
        "countries",
    ];
    let rank = |k: &str| ORDER.iter().position(|o| *o == k).unwrap_or(ORDER.len());
    let mut counts: Vec<(&String, &u64)> = content.counts.iter().collect();
    counts.sort_by_key(|(k, _)| rank(k));
    let rows: Vec<(String, String)> = counts
        .into_iter()
        .map(|(k, v)| (esc(&count_label(lang, k)), v.to_string()))
        .collect();
    main.push_str(&table_of_counts(
        lang.t("The collection in numbers", "Собрание в цифрах"),
        (lang.t("What", "Что"), lang.t("How many", "Сколько")),
        &rows,
    ));
    let rows: Vec<(String, String)> = content
        .by_country
        .iter()
        .map(|(k, v)| {
            let name = kartoteka_model::country_name(k).unwrap_or(k);
            (format!("{} ({})", esc(name), esc(k)), v.to_string())
        })
        .collect();
    if !rows.is_empty() {
        main.push_str(&table_of_counts(
            lang.t("Reports by country", "Отчёты по странам"),
            (lang.t("Country", "Страна"), lang.t("Reports", "Отчёты")),
            &rows,
        ));
    }
    let rows: Vec<(String, String)> = content
        .by_service
        .iter()
        .map(|(k, v)| (esc(k), v.to_string()))
        .collect();
    if !rows.is_empty() {
        main.push_str(&table_of_counts(
            lang.t("Reports by service", "Отчёты по службам"),
            (lang.t("Service", "Служба"), lang.t("Reports", "Отчёты")),
            &rows,
        ));
    }
    let rows: Vec<(String, String)> = content
        .rule_counts
        .iter()
        .map(|(k, (named, protected))| {
            (
                esc(&rule_label(lang, k)),
                format!(
                    "{named} {} / {protected} {}",
                    lang.t("named", "названо"),
                    lang.t("protected", "защищено")
                ),
            )
        })
        .collect();
    main.push_str(&table_of_counts(
        lang.t(
            "Who is named, and by which rule",
            "Кто назван и по какому правилу",
        ),
        (lang.t("Rule", "Правило"), lang.t("Persons", "Лица")),
        &rows,
    ));
    framed(content, lang, &path, &content.title, &main)
}

fn persons(content: &Content, lang: Lang) -> Page {
    let path = format!("{}/persons.html", lang.code());
    let title = lang.t("Persons", "Лица");
    let mut list: Vec<(&PublicPerson, String)> = content
        .persons
        .values()
        .map(|p| (p, person_name(p, lang)))
        .collect();
    list.sort_by(|a, b| {
        a.1.to_lowercase()
            .cmp(&b.1.to_lowercase())
            .then(a.0.id.cmp(&b.0.id))
    });
    let mut main = format!("<h1>{title}</h1>\n<p>{}</p>", lang.t(
        "Agents, officers and officials the documents name. Private persons are not listed: they appear in the reports under pseudonyms.",
        "Агенты, сотрудники и должностные лица, названные в документах. Частные лица не перечислены: в отчётах они названы псевдонимами."
    ));
    main.push_str(&format!(
        "<div class=\"table\"><table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        esc(title),
        lang.t("Name", "Имя"),
        lang.t("Cover names", "Псевдонимы"),
        lang.t("Named as", "Назван(а) как"),
    ));
    for (p, name) in list {
        let covers: Vec<String> = p.cover_names.iter().map(|c| esc(&c.name)).collect();
        let _ = write!(
            main,
            "<tr><th scope=\"row\"><a href=\"persons/{id}.html\"{la}>{name}</a></th><td>{covers}</td><td>{why}</td></tr>",
            id = esc(&p.id),
            la = lang_attr(&name),
            name = esc(&name),
            covers = covers.join(", "),
            why = esc(&why_text(lang, &p.why)),
        );
    }
    main.push_str("</tbody></table></div>");
    framed(content, lang, &path, title, &main)
}

fn person(content: &Content, lang: Lang, p: &PublicPerson, path: &str) -> Page {
    let name = person_name(p, lang);
    let mut main = format!("<h1{}>{}</h1>\n", lang_attr(&name), esc(&name));
    main.push_str("<dl>");
    let others: Vec<&String> = p.names.iter().filter(|n| **n != name).collect();
    if !others.is_empty() {
        let _ = write!(
            main,
            "<dt>{}</dt><dd>{}</dd>",
            lang.t("Also written", "Другие написания"),
            others.iter().map(|n| esc(n)).collect::<Vec<_>>().join("; ")
        );
    }
    if !p.roles.is_empty() {
        let _ = write!(
            main,
            "<dt>{}</dt><dd>{}</dd>",
            lang.t("Roles", "Роли"),
            p.roles
                .iter()
                .map(|r| esc(r))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !p.born.is_empty() {
        let _ = write!(
            main,
            "<dt>{}</dt><dd>{}</dd>",
            lang.t("Born", "Родился(-лась)"),
            p.born.iter().map(|r| esc(r)).collect::<Vec<_>>().join(", ")
        );
    }
    let _ = write!(
        main,
        "<dt>{}</dt><dd>{}</dd></dl>",
        lang.t("Named in this edition as", "Назван(а) в издании как"),
        esc(&why_text(lang, &p.why))
    );
    if !p.cover_names.is_empty() {
        let _ = write!(
            main,
            "<h2>{}</h2><div class=\"table\"><table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            lang.t("Cover names in time", "Псевдонимы во времени"),
            lang.t("Cover names, earliest first", "Псевдонимы, начиная с раннего"),
            lang.t("Cover name", "Псевдоним"),
            lang.t("From", "С"),
            lang.t("Until", "По"),
        );
        for c in &p.cover_names {
            let _ = write!(
                main,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>",
                esc(&c.name),
                esc(c.from.as_deref().unwrap_or("?")),
                esc(c.to.as_deref().unwrap_or("?"))
            );
        }
        main.push_str("</tbody></table></div>");
    }
    if !p.links.is_empty() {
        let _ = write!(main, "<h2>{}</h2><ul>", lang.t("Links", "Связи"));
        for l in &p.links {
            let other = match &l.other {
                Other::Person { id, name } => {
                    let shown = content
                        .persons
                        .get(id)
                        .map_or(name.clone(), |o| person_name(o, lang));
                    format!(
                        "<a href=\"{}.html\"{}>{}</a>",
                        esc(id),
                        lang_attr(&shown),
                        esc(&shown)
                    )
                }
                Other::Protected { pseudonym } => {
                    format!("<span class=\"pseudonym\">{}</span>", esc(pseudonym))
                }
                Other::Thing { name } => format!("<span{}>{}</span>", lang_attr(name), esc(name)),
            };
            let _ = write!(
                main,
                "<li>{} {other}</li>",
                esc(link_label(lang, l.kind, l.outgoing))
            );
        }
        main.push_str("</ul>");
    }
    if !p.reports.is_empty() {
        let _ = write!(main, "<h2>{}</h2><ul>", lang.t("Reports", "Отчёты"));
        for id in &p.reports {
            let title = content
                .reports
                .iter()
                .find(|r| r.id == *id)
                .map_or(id.clone(), |r| r.title.clone());
            let _ = write!(
                main,
                "<li><a href=\"../reports/{}.html\"{}>{}</a></li>",
                esc(id),
                lang_attr(&title),
                esc(&title)
            );
        }
        main.push_str("</ul>");
    }
    framed(content, lang, path, &name, &main)
}

fn reports(content: &Content, lang: Lang) -> Page {
    let path = format!("{}/reports.html", lang.code());
    let title = lang.t("Reports", "Отчёты");
    let mut main = format!(
        "<h1>{title}</h1>\n<p>{}</p><div class=\"table\"><table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        lang.t(
            "Approved reports, with the paragraphs that are unclassified; every paragraph cites the documents it rests on.",
            "Утверждённые отчёты, с несекретными абзацами; каждый абзац ссылается на документы, на которых основан."
        ),
        esc(title),
        lang.t("Report", "Отчёт"),
        lang.t("Period", "Период"),
        lang.t("Countries", "Страны"),
    );
    for r in &content.reports {
        let period = r.period.map_or(String::new(), |(a, b)| format!("{a}–{b}"));
        let _ = write!(
            main,
            "<tr><th scope=\"row\"><a href=\"reports/{id}.html\"{la}>{title}</a></th><td>{period}</td><td>{countries}</td></tr>",
            id = esc(&r.id),
            la = lang_attr(&r.title),
            title = esc(&r.title),
            countries = esc(&r.countries.join(", ")),
        );
    }
    main.push_str("</tbody></table></div>");
    framed(content, lang, &path, title, &main)
}

fn report(content: &Content, lang: Lang, r: &Report, path: &str) -> Page {
    let (citations, per) = kartoteka_report::numbered_citations(r);
    let mut main = format!("<h1{}>{}</h1>\n<dl>", lang_attr(&r.title), esc(&r.title));
    let subject = match content.persons.get(&r.subject) {
        Some(p) => {
            let n = person_name(p, lang);
            format!(
                "<a href=\"../persons/{}.html\"{}>{}</a>",
                esc(&p.id),
                lang_attr(&n),
                esc(&n)
            )
        }
        None => esc(&r.subject_name),
    };
    let _ = write!(
        main,
        "<dt>{}</dt><dd>{subject}</dd>",
        lang.t("Subject", "Объект")
    );
    if !r.cover_names.is_empty() {
        let _ = write!(
            main,
            "<dt>{}</dt><dd>{}</dd>",
            lang.t("Cover names", "Псевдонимы"),
            esc(&r.cover_names.join(", "))
        );
    }
    if let Some((a, b)) = r.period {
        let _ = write!(
            main,
            "<dt>{}</dt><dd>{a}–{b}</dd>",
            lang.t("Period", "Период")
        );
    }
    if !r.countries.is_empty() {
        let _ = write!(
            main,
            "<dt>{}</dt><dd>{}</dd>",
            lang.t("Countries", "Страны"),
            esc(&r.countries.join(", "))
        );
    }
    if !r.services.is_empty() {
        let _ = write!(
            main,
            "<dt>{}</dt><dd>{}</dd>",
            lang.t("Services", "Службы"),
            esc(&r.services.join(", "))
        );
    }
    let _ = write!(
        main,
        "<dt>{}</dt><dd>{}</dd></dl>",
        lang.t("Version", "Версия"),
        r.version
    );
    let mut section = "";
    for (p, cited) in r.paragraphs.iter().zip(&per) {
        if p.section != section {
            section = &p.section;
            let _ = write!(main, "<h2>{}</h2>", esc(&section_label(lang, section)));
        }
        let refs: Vec<String> = cited
            .iter()
            .map(|n| {
                format!(
                    "<a href=\"#c{n}\" aria-label=\"{} {n}\">[{n}]</a>",
                    lang.t("source", "источник")
                )
            })
            .collect();
        let _ = write!(
            main,
            "<p{}>{} <sup>{}</sup></p>",
            lang_attr(&p.text),
            esc(&p.text),
            refs.join("")
        );
    }
    if !r.related.is_empty() {
        let _ = write!(
            main,
            "<h2>{}</h2><ul>",
            lang.t("Persons named in it", "Лица в отчёте")
        );
        for rel in &r.related {
            let who = match rel.person.as_deref().and_then(|id| content.persons.get(id)) {
                Some(p) => {
                    let n = person_name(p, lang);
                    format!(
                        "<a href=\"../persons/{}.html\"{}>{}</a>",
                        esc(&p.id),
                        lang_attr(&n),
                        esc(&n)
                    )
                }
                None => format!("<span{}>{}</span>", lang_attr(&rel.name), esc(&rel.name)),
            };
            let _ = write!(
                main,
                "<li>{who}: {}</li>",
                esc(&rel.relation.replace('_', " "))
            );
        }
        main.push_str("</ul>");
    }
    if !citations.is_empty() {
        let _ = write!(
            main,
            "<h2>{}</h2><ol class=\"sources\">",
            lang.t("Document excerpts", "Выдержки из документов")
        );
        for (i, c) in citations.iter().enumerate() {
            let place = if c.withheld {
                lang.t("a source that is not public", "непубличный источник")
                    .to_string()
            } else {
                kartoteka_report::citation_place(c)
            };
            let _ = write!(main, "<li id=\"c{}\"><cite>{}</cite>", i + 1, esc(&place));
            if !c.withheld && !c.quote.is_empty() {
                let _ = write!(
                    main,
                    "<blockquote{}>{}</blockquote>",
                    lang_attr(&c.quote),
                    esc(&c.quote)
                );
            }
            main.push_str("</li>");
        }
        main.push_str("</ol>");
    }
    framed(content, lang, path, &r.title, &main)
}

fn timeline(content: &Content, lang: Lang) -> Page {
    let path = format!("{}/timeline.html", lang.code());
    let title = lang.t("Timeline", "Хронология");
    let mut main = format!(
        "<h1>{title}</h1>\n<p>{}</p><ol class=\"timeline\">",
        lang.t(
            "Cover names given, births, and the dated paragraphs of the reports, earliest first.",
            "Присвоение псевдонимов, рождения и датированные абзацы отчётов, начиная с ранних."
        )
    );
    for item in &content.timeline {
        let who = item
            .person
            .as_ref()
            .and_then(|id| content.persons.get(id))
            .map(|p| person_name(p, lang))
            .unwrap_or_default();
        let said = match item.what {
            Event::Born => format!("{who}: {}", lang.t("born", "родился(-лась)")),
            Event::CoverName => {
                format!("{who}: {} {}", lang.t("cover name", "псевдоним"), item.text)
            }
            Event::Paragraph => item.text.clone(),
        };
        let _ = write!(
            main,
            "<li><time>{}</time> <a href=\"{}\"{}>{}</a></li>",
            esc(&item.date),
            esc(&item.href),
            lang_attr(&said),
            esc(&said)
        );
    }
    main.push_str("</ol>");
    framed(content, lang, &path, title, &main)
}

fn search(content: &Content, lang: Lang) -> Page {
    let path = format!("{}/search.html", lang.code());
    let title = lang.t("Search", "Поиск");
    let main = format!(
        r#"<h1>{title}</h1>
<p>{help}</p>
<form role="search" id="search-form">
<label for="search-q">{label}</label>
<input id="search-q" name="q" type="search" autocomplete="off">
<button type="submit">{button}</button>
</form>
<p id="search-status" role="status" aria-live="polite"></p>
<ol id="search-results"></ol>
<noscript><p>{noscript}</p></noscript>
<script src="../assets/search.js" data-lang="{l}"></script>"#,
        help = lang.t(
            "Names are found in any grammatical case and in either script, Cyrillic or Latin, in any of the usual romanisations (English, German, Polish, French, scholarly).",
            "Имена находятся в любом падеже и в любом написании: кириллицей или латиницей, в любой из принятых транслитераций."
        ),
        label = lang.t("Words or names", "Слова или имена"),
        button = lang.t("Search", "Найти"),
        noscript = lang.t(
            "Search needs JavaScript. Every page is also reached from the lists of persons and reports.",
            "Для поиска нужен JavaScript. Все страницы доступны и из списков лиц и отчётов."
        ),
        l = lang.code(),
    );
    framed(content, lang, &path, title, &main)
}

/// The changes pages: what this edition added, changed and withdrew.
pub fn changes_pages(content: &Content, changes: &Changes) -> BTreeMap<String, Page> {
    let mut out = BTreeMap::new();
    for lang in LANGUAGES {
        let path = format!("{}/changes.html", lang.code());
        let title = lang.t("Changes", "Изменения");
        let mut main = format!("<h1>{title}</h1>\n");
        if changes.since == 0 {
            let _ = write!(
                main,
                "<p>{}</p>",
                lang.t("This is the first edition.", "Это первое издание.")
            );
        } else {
            let _ = write!(
                main,
                "<p>{} {} {} {}.</p>",
                lang.t("Edition", "Издание"),
                content.number,
                lang.t("against edition", "по сравнению с изданием"),
                changes.since
            );
        }
        for (heading, list) in [
            (lang.t("Added", "Добавлено"), &changes.added),
            (lang.t("Changed", "Изменено"), &changes.changed),
            (lang.t("Withdrawn", "Отозвано"), &changes.withdrawn),
        ] {
            let mine: Vec<&String> = list
                .iter()
                .filter(|p| p.starts_with(&format!("{}/", lang.code())) && p.ends_with(".html"))
                .collect();
            let _ = write!(main, "<h2>{heading} ({})</h2>", mine.len());
            if mine.is_empty() {
                continue;
            }
            main.push_str("<ul>");
            for p in mine {
                let rel = p.split_once('/').map_or(p.as_str(), |(_, r)| r);
                let _ = write!(main, "<li><a href=\"{}\">{}</a></li>", esc(rel), esc(rel));
            }
            main.push_str("</ul>");
        }
        let page = framed(content, lang, &path, title, &main);
        out.insert(path, page);
    }
    out
}

/// The page left at the address of a page an edition no longer makes, or `None` for a
/// file that is not a page.
pub fn withdrawn_page(content: &Content, path: &str, _first_time: bool) -> Option<Page> {
    if !path.ends_with(".html") {
        return None;
    }
    let lang = if path.starts_with("ru/") {
        Lang::Ru
    } else {
        Lang::En
    };
    let title = lang.t("Withdrawn", "Отозвано");
    let main = format!(
        "<h1>{title}</h1>\n<p>{}</p>",
        lang.t(
            "What this page showed is no longer in the edition: the evidence changed, or it is no longer public. The address is kept so that links to it still lead somewhere; see the changes.",
            "То, что было на этой странице, больше не входит в издание: изменились данные или материал больше не публичен. Адрес сохранён, чтобы ссылки вели сюда; см. изменения."
        )
    );
    let mut page = framed(content, lang, path, title, &main);
    // The same content whenever it is withdrawn: its hash does not change between editions.
    page.hashed = format!("{WITHDRAWN}{path}").into_bytes();
    Some(page)
}
