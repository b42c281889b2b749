//! The reading room's pages, rendered on the server: plain HTML that reads well on a slow
//! link and with a screen reader (landmarks, headings, labels), in Russian and English.
//! The interface's language is `?hl=ru|en`, else the browser's first choice.

use std::sync::Arc;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use kartoteka_archive::Caller;
use kartoteka_model::Action;
use kartoteka_text::escape_html as esc;
use serde::Deserialize;

use crate::api::{self, ClientAddr, QueryOf, SearchParams};

mod reader;
use crate::error::ApiError;
use crate::App;
pub(crate) use reader::{add_note, document, original};

/// The interface's language.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    En,
    Ru,
}

impl Lang {
    /// The language asked for by `?hl=`, else the browser's first choice.
    pub(crate) fn of(hl: Option<&str>, headers: &HeaderMap) -> Lang {
        match hl {
            Some("ru") => return Lang::Ru,
            Some("en") => return Lang::En,
            _ => {}
        }
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if accept.trim_start().to_lowercase().starts_with("ru") {
            Lang::Ru
        } else {
            Lang::En
        }
    }

    /// Its code, for `lang` and `?hl=`.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// One of two texts: English or Russian.
    pub(crate) fn pick<'a>(self, en: &'a str, ru: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Ru => ru,
        }
    }

    /// The text of a word of the interface.
    pub(crate) fn t(self, key: &str) -> &'static str {
        let (en, ru) = match key {
            "room" => ("Reading room", "Читальный зал"),
            "skip" => ("Skip to the content", "К содержанию"),
            "search" => ("Search", "Поиск"),
            "query" => ("Search the holdings", "Поиск по фондам"),
            "within" => ("Within unit", "В единице хранения"),
            "dates" => ("Dates", "Даты"),
            "language" => ("Language", "Язык"),
            "format" => ("Format", "Формат"),
            "exact" => ("Exact words", "Точные слова"),
            "results" => ("Results", "Результаты"),
            "found" => ("pages found", "страниц найдено"),
            "none" => ("Nothing found.", "Ничего не найдено."),
            "next" => ("Next page", "Следующая страница"),
            "prev" => ("Previous page", "Предыдущая страница"),
            "signin" => ("Sign in", "Вход"),
            "name" => ("Name", "Имя"),
            "password" => ("Password", "Пароль"),
            "signout" => ("Sign out", "Выйти"),
            "page" => ("Page", "Страница"),
            "sheet" => ("Sheet", "Лист"),
            "cite" => ("Citation", "Ссылка"),
            "notes" => ("Notes in the margin", "Заметки на полях"),
            "nonotes" => ("No notes on this page.", "На этой странице заметок нет."),
            "addnote" => ("Add a note", "Добавить заметку"),
            "quote" => (
                "Passage (select text on the page, or type it)",
                "Фрагмент (выделите текст на странице или введите)",
            ),
            "comment" => ("Your note", "Ваша заметка"),
            "tags" => ("Tags, separated by commas", "Метки через запятую"),
            "save" => ("Save the note", "Сохранить заметку"),
            "document" => ("Document", "Документ"),
            "source" => ("Source file", "Исходный файл"),
            "refused" => ("Not possible", "Невозможно"),
            "back" => ("Back to the search", "Назад к поиску"),
            "wrong" => (
                "The name or the password is wrong.",
                "Неверное имя или пароль.",
            ),
            _ => ("", ""),
        };
        match self {
            Lang::En => en,
            Lang::Ru => ru,
        }
    }
}

impl Lang {
    /// The language a request asks for, by its `?hl=` and its browser's preference.
    pub(crate) fn of_request(parts: &Parts) -> Lang {
        let hl = parts.uri.query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "hl")
                .map(|(_, v)| v.into_owned())
        });
        Lang::of(hl.as_deref(), &parts.headers)
    }
}

/// The interface's language of a page, for handlers that take no other query.
pub(crate) struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PageLang(Lang::of_request(parts)))
    }
}

/// A whole page around `main`.
pub(crate) fn frame(lang: Lang, title: &str, caller: Option<&Caller>, main: &str) -> String {
    let user = match caller {
        Some(c) => format!(
            r#"<span class="who">{} ({})</span>
<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="{}"><button type="submit">{}</button></form>"#,
            esc(&c.user.name),
            esc(c.user.role.as_str()),
            esc(c.csrf.as_deref().unwrap_or("")),
            lang.t("signout")
        ),
        None => String::new(),
    };
    // The desks this caller may open; the gate refuses the rest whatever the links say.
    let desks: String = [
        ("/", Action::ReadHoldings, lang.t("search")),
        (
            "/holdings",
            Action::ReadHoldings,
            lang.pick("Holdings", "Фонды"),
        ),
        (
            "/persons",
            Action::ReadPersons,
            lang.pick("Persons", "Лица"),
        ),
        (
            "/keeping",
            Action::ReadKeeping,
            lang.pick("Keeping", "Хранение"),
        ),
        (
            "/claims",
            Action::Analyse,
            lang.pick("Claims", "Утверждения"),
        ),
        (
            "/reports",
            Action::ReadReports,
            lang.pick("Reports", "Справки"),
        ),
        (
            "/release",
            Action::PlanReleases,
            lang.pick("Release", "Выдача"),
        ),
        (
            "/packages",
            Action::ReadReleases,
            lang.pick("Packages", "Пакеты"),
        ),
        ("/audit", Action::ReadAudit, lang.pick("Audit", "Аудит")),
        (
            "/access",
            Action::ManageAccess,
            lang.pick("Access", "Доступ"),
        ),
    ]
    .iter()
    .filter(|(path, action, _)| match caller {
        Some(c) => kartoteka_model::allows(c.user.role, c.scopes.as_deref(), *action),
        // Signed out, only the search is offered (it leads to the sign-in).
        None => *path == "/",
    })
    .map(|(path, _, label)| format!(r#"<a href="{path}?hl={}">{label}</a>"#, lang.code()))
    .collect::<Vec<_>>()
    .join("\n");
    let other = match lang {
        Lang::En => r#"<a href="?hl=ru" hreflang="ru" lang="ru">Русский</a>"#,
        Lang::Ru => r#"<a href="?hl=en" hreflang="en" lang="en">English</a>"#,
    };
    format!(
        r##"<!doctype html>
<html lang="{code}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Kartoteka</title>
<link rel="stylesheet" href="/assets/style.css">
</head>
<body>
<a class="skip" href="#main">{skip}</a>
<header>
<nav aria-label="{room}">
<a href="/?hl={code}" class="brand">Kartoteka · {room}</a>
{desks}
{other}
{user}
</nav>
</header>
<main id="main" tabindex="-1">
{main}
</main>
</body>
</html>
"##,
        code = lang.code(),
        title = esc(title),
        skip = lang.t("skip"),
        room = lang.t("room"),
    )
}

/// The opening of a table of the room, with its column headings (escaped), up to the
/// open `<tbody>`.
pub(crate) fn table_head(columns: &[&str]) -> String {
    let heads: String = columns
        .iter()
        .map(|c| format!(r#"<th scope="col">{}</th>"#, esc(c)))
        .collect();
    format!(r#"<table class="units"><thead><tr>{heads}</tr></thead><tbody>"#)
}

/// A page that says why a request failed, with the error's status.
pub(crate) fn error_page(lang: Lang, caller: Option<&Caller>, e: &ApiError) -> Response {
    // Back to where the caller can go: a liaison has no search, only its packages.
    let (back, label) = match caller {
        Some(c) if c.user.role == kartoteka_model::Role::Liaison => {
            ("/packages", lang.pick("Back to the packages", "К пакетам"))
        }
        _ => ("/", lang.t("back")),
    };
    let main = format!(
        r#"<h1>{}</h1><p role="alert">{}</p><p><a href="{back}?hl={}">{}</a></p>"#,
        lang.t("refused"),
        esc(&e.message),
        lang.code(),
        label
    );
    (
        e.status,
        Html(frame(lang, lang.t("refused"), caller, &main)),
    )
        .into_response()
}

#[derive(Deserialize, Default)]
pub(crate) struct LoginQuery {
    next: Option<String>,
    hl: Option<String>,
}

/// Only a path of this site is a place to go after signing in (never `//elsewhere`).
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

fn login_page(lang: Lang, next: &str, error: Option<&str>) -> String {
    let alert = error
        .map(|e| format!(r#"<p role="alert" class="alert">{}</p>"#, esc(e)))
        .unwrap_or_default();
    let main = format!(
        r#"<h1>{signin}</h1>
{alert}
<form method="post" action="/login" class="login">
<input type="hidden" name="next" value="{next}">
<input type="hidden" name="hl" value="{code}">
<label for="name">{name}</label>
<input id="name" name="name" autocomplete="username" required autofocus>
<label for="password">{password}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">{signin}</button>
</form>"#,
        signin = lang.t("signin"),
        next = esc(next),
        code = lang.code(),
        name = lang.t("name"),
        password = lang.t("password"),
    );
    frame(lang, lang.t("signin"), None, &main)
}

/// GET /login.
pub(crate) async fn login_form(
    headers: HeaderMap,
    QueryOf(q): QueryOf<LoginQuery>,
) -> Html<String> {
    let lang = Lang::of(q.hl.as_deref(), &headers);
    Html(login_page(lang, &local_path(q.next.as_deref()), None))
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    name: String,
    password: String,
    next: Option<String>,
    hl: Option<String>,
}

/// POST /login.
pub(crate) async fn login(
    State(app): State<Arc<App>>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let lang = Lang::of(form.hl.as_deref(), &headers);
    let next = local_path(form.next.as_deref());
    match api::sign_in_checked(&app, form.name, form.password, address).await {
        Ok((caller, _, secret)) => {
            // A liaison has no search: the room's door for it is its packages.
            let next = if next == "/" && caller.user.role == kartoteka_model::Role::Liaison {
                "/packages".to_string()
            } else {
                next
            };
            let mut response = Redirect::to(&next).into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                api::session_cookie_header(&app, &secret),
            );
            response
        }
        Err(e) => {
            let message = if e.code == "unauthorized" {
                lang.t("wrong").to_string()
            } else {
                e.message.clone()
            };
            (e.status, Html(login_page(lang, &next, Some(&message)))).into_response()
        }
    }
}

/// POST /logout.
pub(crate) async fn logout(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
) -> Response {
    match api::end_session(&app, &caller, &headers).await {
        Ok(()) => {
            let mut response = Redirect::to("/login").into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, api::cleared_cookie());
            response
        }
        Err(e) => error_page(Lang::En, Some(&caller), &e),
    }
}

/// Whether a search narrows by any filter (the filters are then shown open).
fn filtered(p: &SearchParams) -> bool {
    p.exact
        || [&p.within, &p.dates, &p.lang, &p.format]
            .iter()
            .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()))
}

fn search_form(lang: Lang, p: &SearchParams) -> String {
    let v = |s: &Option<String>| esc(s.as_deref().unwrap_or(""));
    format!(
        r#"<form method="get" action="/" role="search" class="search">
<input type="hidden" name="hl" value="{code}">
<label for="q">{query}</label>
<input id="q" name="q" type="search" value="{q}" required>
<details{open}><summary>{filters}</summary>
<label for="in">{within}</label><input id="in" name="in" value="{within_v}" placeholder="ф. 17, оп. 171">
<label for="dates">{dates}</label><input id="dates" name="dates" value="{dates_v}" placeholder="1937..1945">
<label for="lang">{language}</label><input id="lang" name="lang" value="{lang_v}" placeholder="ru">
<label for="format">{format}</label><input id="format" name="format" value="{format_v}" placeholder="pdf">
<label class="check"><input type="checkbox" name="exact" value="true"{exact}> {exact_l}</label>
</details>
<button type="submit">{search}</button>
</form>"#,
        code = lang.code(),
        query = lang.t("query"),
        q = esc(&p.q),
        open = if filtered(p) { " open" } else { "" },
        filters = if lang == Lang::Ru {
            "Фильтры"
        } else {
            "Filters"
        },
        within = lang.t("within"),
        within_v = v(&p.within),
        dates = lang.t("dates"),
        dates_v = v(&p.dates),
        language = lang.t("language"),
        lang_v = v(&p.lang),
        format = lang.t("format"),
        format_v = v(&p.format),
        exact = if p.exact { " checked" } else { "" },
        exact_l = lang.t("exact"),
        search = lang.t("search"),
    )
}

/// The query string of a search, for links to its other pages.
fn search_link(p: &SearchParams, lang: Lang, offset: usize) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("q", &p.q);
    for (k, v) in [
        ("in", &p.within),
        ("dates", &p.dates),
        ("lang", &p.lang),
        ("format", &p.format),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            s.append_pair(k, v);
        }
    }
    if p.exact {
        s.append_pair("exact", "true");
    }
    if let Some(l) = p.limit {
        s.append_pair("limit", &l.to_string());
    }
    s.append_pair("offset", &offset.to_string());
    s.append_pair("hl", lang.code());
    format!("/?{}", s.finish())
}

/// GET /: the search page, with results when there is a query.
pub(crate) async fn search(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    QueryOf(params): QueryOf<SearchParams>,
) -> Response {
    let lang = Lang::of(params.hl.as_deref(), &headers);
    let mut main = format!(
        "<h1>{}</h1>\n{}",
        lang.t("query"),
        search_form(lang, &params)
    );
    if !params.q.trim().is_empty() {
        let response = match api::run_search(&app, &params).await {
            Ok(r) => r,
            Err(e) => return error_page(lang, Some(&caller), &e),
        };
        let offset = params.offset.unwrap_or(0);
        let limit = params.limit.unwrap_or(10);
        main.push_str(&format!(
            r#"<section aria-labelledby="results"><h2 id="results">{}</h2><p class="count">{} {}</p>"#,
            lang.t("results"),
            response.total,
            lang.t("found")
        ));
        if response.hits.is_empty() {
            main.push_str(&format!("<p>{}</p>", lang.t("none")));
        }
        main.push_str(r#"<ol class="hits">"#);
        for hit in &response.hits {
            let place = hit.citation.clone().unwrap_or_else(|| hit.path.clone());
            // The snippet is the archive's: its text escaped, its matches in <b>.
            main.push_str(&format!(
                r#"<li><a href="/documents/{doc}?hl={code}#page-{page}">{place}</a>
<p class="snippet">{snippet}</p></li>"#,
                doc = hit.doc.0,
                code = lang.code(),
                page = hit.page,
                place = esc(&place),
                snippet = hit.snippet,
            ));
        }
        main.push_str("</ol>");
        let mut nav = Vec::new();
        if offset > 0 {
            nav.push(format!(
                r#"<a rel="prev" href="{}">{}</a>"#,
                esc(&search_link(&params, lang, offset.saturating_sub(limit))),
                lang.t("prev")
            ));
        }
        if offset + response.hits.len() < response.total && offset + limit <= api::MAX_OFFSET {
            nav.push(format!(
                r#"<a rel="next" href="{}">{}</a>"#,
                esc(&search_link(&params, lang, offset + limit)),
                lang.t("next")
            ));
        }
        if !nav.is_empty() {
            main.push_str(&format!(
                r#"<nav aria-label="{}" class="pages">{}</nav>"#,
                lang.t("results"),
                nav.join(" ")
            ));
        }
        main.push_str("</section>");
    }
    Html(frame(lang, lang.t("search"), Some(&caller), &main)).into_response()
}

/// GET /assets/room.js.
pub(crate) async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/room.js"),
    )
        .into_response()
}

/// GET /assets/style.css.
pub(crate) async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/style.css"),
    )
        .into_response()
}
