//! The administrator's desk: who may use the reading room and with what. Users are added
//! with a role (a liaison with its partner) and disabled; tokens for machines are made
//! with their scopes (the secret is shown once, never kept) and revoked. `/access` for
//! people, `/api/users` and `/api/tokens` for machines: the same services as `kartoteka
//! user` and `kartoteka token`, every change audited in the administrator's name.

use std::sync::Arc;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use kartoteka_archive::Caller;
use kartoteka_model::{ApiToken, Role, Scope};
use kartoteka_text::escape_html as esc;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::JsonBody;
use crate::error::ApiError;
use crate::pages::{error_page, frame, table_head, Lang, PageLang};
use crate::App;

/// A user's name from the path; the archive says whether there is such a user.
pub(crate) struct UserName(pub String);

impl<S: Send + Sync> FromRequestParts<S> for UserName {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let raw = crate::api::path_text(parts, state).await?;
        if raw.is_empty() || raw.chars().count() > 64 {
            return Err(ApiError::bad_request(format!(
                "{} is not a user name (1 to 64 characters)",
                kartoteka_model::excerpt(&raw)
            )));
        }
        Ok(UserName(raw))
    }
}

/// A token's id from the path ("T3").
pub(crate) struct TokenId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for TokenId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        crate::api::path_id(parts, state, 'T', "token id")
            .await
            .map(TokenId)
    }
}

/// A token as shown: never its secret nor the secret's hash.
fn token_json(t: &ApiToken) -> Value {
    serde_json::to_value(t.card()).unwrap_or_default()
}

/// Every user and token, as shown.
async fn everyone(app: &App) -> Result<(Vec<kartoteka_model::User>, Vec<ApiToken>), ApiError> {
    app.read(|a| Ok((a.access().users()?, a.access().tokens()?)))
        .await
}

/// GET /api/users: every user and every token, without secrets.
pub(crate) async fn list(State(app): State<Arc<App>>) -> Result<Json<Value>, ApiError> {
    let (users, tokens) = everyone(&app).await?;
    Ok(Json(json!({
        "users": users.iter().map(|u| u.card()).collect::<Vec<_>>(),
        "tokens": tokens.iter().map(token_json).collect::<Vec<_>>(),
    })))
}

/// A new user, as the API takes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewUser {
    name: String,
    role: String,
    #[serde(default)]
    partner: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

async fn add_user(app: &Arc<App>, caller: &Caller, new: NewUser) -> Result<Value, ApiError> {
    let role: Role = new
        .role
        .parse()
        .map_err(|e: kartoteka_model::AccessWordError| ApiError::bad_request(e.to_string()))?;
    // An empty field of a form is no partner and no password.
    let partner = new.partner.filter(|p| !p.trim().is_empty());
    let password = new.password.filter(|p| !p.is_empty());
    let user = app
        .write(caller.user.name.clone(), move |a| {
            Ok(a.access().add_user(
                new.name.trim(),
                role,
                partner.as_deref(),
                password.as_deref(),
            )?)
        })
        .await?;
    serde_json::to_value(user.card()).map_err(ApiError::internal)
}

/// POST /api/users: adds a user with a role (a liaison with its partner) and, for one
/// who signs in with a browser, a password.
pub(crate) async fn add_user_api(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    JsonBody(new): JsonBody<NewUser>,
) -> Result<Response, ApiError> {
    let user = add_user(&app, &caller, new).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

async fn disable(app: &Arc<App>, caller: &Caller, name: String) -> Result<Value, ApiError> {
    // Locking oneself out is never what was meant, and the last way in may be this one.
    if name == caller.user.name {
        return Err(ApiError::bad_request(
            "you cannot disable yourself; another administrator can",
        ));
    }
    let user = app
        .write(caller.user.name.clone(), move |a| {
            Ok(a.access().disable_user(&name)?)
        })
        .await?;
    serde_json::to_value(user.card()).map_err(ApiError::internal)
}

/// POST /api/users/{name}/disable: the user's sessions and tokens stop working at once.
pub(crate) async fn disable_api(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    UserName(name): UserName,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(disable(&app, &caller, name).await?))
}

/// A new token, as the API takes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewToken {
    user: String,
    scopes: Vec<String>,
}

fn scopes_of(words: &[String]) -> Result<Vec<Scope>, ApiError> {
    words
        .iter()
        .map(|s| {
            s.parse::<Scope>()
                .map_err(|e| ApiError::bad_request(format!("scopes: {e}")))
        })
        .collect()
}

async fn create_token(
    app: &Arc<App>,
    caller: &Caller,
    user: String,
    scopes: Vec<Scope>,
) -> Result<(ApiToken, String), ApiError> {
    app.write(caller.user.name.clone(), move |a| {
        Ok(a.access().create_token(user.trim(), &scopes)?)
    })
    .await
}

/// POST /api/tokens: makes a token for a user with these scopes; the answer carries its
/// secret, shown this once.
pub(crate) async fn create_token_api(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    JsonBody(new): JsonBody<NewToken>,
) -> Result<Response, ApiError> {
    let scopes = scopes_of(&new.scopes)?;
    let (token, secret) = create_token(&app, &caller, new.user, scopes).await?;
    let mut shown = token_json(&token);
    shown["token"] = json!(secret);
    Ok((StatusCode::CREATED, Json(shown)).into_response())
}

async fn revoke(app: &Arc<App>, caller: &Caller, id: String) -> Result<ApiToken, ApiError> {
    app.write(caller.user.name.clone(), move |a| {
        Ok(a.access().revoke_token(&id)?)
    })
    .await
}

/// DELETE /api/tokens/{id}: revokes a token; it authenticates nothing from then on.
pub(crate) async fn revoke_api(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    TokenId(id): TokenId,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(token_json(&revoke(&app, &caller, id).await?)))
}

/// A button that posts to `action` with the session's CSRF token.
fn button(caller: &Caller, action: &str, label: &str) -> String {
    format!(
        r#"<form method="post" action="{}" class="inline-form"><input type="hidden" name="csrf" value="{}"><button type="submit">{}</button></form>"#,
        esc(action),
        esc(caller.csrf.as_deref().unwrap_or("")),
        esc(label)
    )
}

/// The page, with a secret just made shown at its top (once: it is never kept).
async fn render(
    app: &App,
    caller: &Caller,
    lang: Lang,
    made: Option<(&ApiToken, &str)>,
) -> Response {
    let (users, tokens) = match everyone(app).await {
        Ok(found) => found,
        Err(e) => return error_page(lang, Some(caller), &e),
    };
    let code = lang.code();
    let csrf = esc(caller.csrf.as_deref().unwrap_or(""));
    let mut main = format!("<h1>{}</h1>\n", lang.pick("Access", "Доступ"));
    if let Some((token, secret)) = made {
        main.push_str(&format!(
            r#"<section class="made" role="status" aria-labelledby="h-made"><h2 id="h-made">{title}</h2>
<p>{say}</p>
<p class="cite"><label for="secret">{token}</label> <input id="secret" readonly value="{secret}"></p></section>
"#,
            title = lang.pick("Token made", "Токен создан"),
            say = esc(&format!(
                "{} {} ({}, {}): {}",
                lang.pick("Token", "Токен"),
                token.id,
                token.user,
                kartoteka_model::scope_list(&token.scopes),
                lang.pick(
                    "copy the secret now; it is not kept and will not be shown again.",
                    "скопируйте секрет сейчас: он не хранится и больше не будет показан."
                )
            )),
            token = lang.pick("Secret", "Секрет"),
            secret = esc(secret),
        ));
    }
    main.push_str(&format!(
        r#"<section aria-labelledby="h-users"><h2 id="h-users">{title}</h2>
{head}"#,
        title = lang.pick("Users", "Пользователи"),
        head = table_head(&[
            lang.t("name"),
            lang.pick("Role", "Роль"),
            lang.pick("Partner", "Партнёр"),
            lang.pick("Signs in", "Вход"),
            lang.pick("Added", "Добавлен"),
            "",
        ]),
    ));
    for u in &users {
        let state = if u.disabled {
            lang.pick("disabled", "отключён").to_string()
        } else if u.password_hash.is_some() {
            lang.pick("password", "пароль").to_string()
        } else {
            lang.pick("tokens only", "только токены").to_string()
        };
        let action = if u.disabled || u.name == caller.user.name {
            String::new()
        } else {
            button(
                caller,
                &format!(
                    "/access/users/{}/disable?hl={code}",
                    form_urlencoded::byte_serialize(u.name.as_bytes()).collect::<String>()
                ),
                &format!("{} {}", lang.pick("Disable", "Отключить"), u.name),
            )
        };
        main.push_str(&format!(
            r#"<tr id="user-{name}"{class}><td>{name}</td><td>{role}</td><td>{partner}</td><td class="state">{state}</td><td>{by} {at}</td><td>{action}</td></tr>
"#,
            name = esc(&u.name),
            class = if u.disabled { r#" class="disabled""# } else { "" },
            role = esc(u.role.as_str()),
            partner = esc(u.partner.as_deref().unwrap_or("")),
            by = esc(&u.by),
            at = esc(u.at.get(..10).unwrap_or(&u.at)),
        ));
    }
    let roles: String = Role::ALL
        .iter()
        .map(|r| format!(r#"<option value="{0}">{0}</option>"#, r.as_str()))
        .collect();
    main.push_str(&format!(
        r#"</tbody></table>
<form method="post" action="/access/users?hl={code}" class="stacked" aria-labelledby="h-add">
<h3 id="h-add">{add}</h3>
<input type="hidden" name="csrf" value="{csrf}">
<label for="new-name">{name}</label>
<input id="new-name" name="name" required maxlength="64" autocomplete="off">
<label for="new-role">{role}</label>
<select id="new-role" name="role">{roles}</select>
<label for="new-partner">{partner}</label>
<input id="new-partner" name="partner" autocomplete="off">
<label for="new-password">{password}</label>
<input id="new-password" name="password" type="password" autocomplete="new-password">
<button type="submit">{add}</button>
</form></section>
"#,
        add = lang.pick("Add a user", "Добавить пользователя"),
        name = lang.t("name"),
        role = lang.pick("Role", "Роль"),
        partner = lang.pick(
            "Partner (a liaison's only)",
            "Партнёр (только для связного)"
        ),
        password = lang.pick(
            "Password (at least 12 characters; leave empty for tokens only)",
            "Пароль (не короче 12 символов; пусто — только токены)"
        ),
    ));
    main.push_str(&format!(
        r#"<section aria-labelledby="h-tokens"><h2 id="h-tokens">{title}</h2>
{head}"#,
        title = lang.pick("Tokens", "Токены"),
        head = table_head(&[
            "Id",
            lang.pick("User", "Пользователь"),
            lang.pick("Scopes", "Права"),
            lang.pick("Made", "Создан"),
            "",
        ]),
    ));
    for t in tokens.iter().rev() {
        let action = if t.revoked {
            lang.pick("revoked", "отозван").to_string()
        } else {
            button(
                caller,
                &format!("/access/tokens/{}/revoke?hl={code}", t.id),
                &format!("{} {}", lang.pick("Revoke", "Отозвать"), t.id),
            )
        };
        main.push_str(&format!(
            r#"<tr id="token-{id}"><td>{id}</td><td>{user}</td><td>{scopes}</td><td>{by} {at}</td><td>{action}</td></tr>
"#,
            id = esc(&t.id),
            user = esc(&t.user),
            scopes = esc(&kartoteka_model::scope_list(&t.scopes)),
            by = esc(&t.by),
            at = esc(t.at.get(..10).unwrap_or(&t.at)),
        ));
    }
    let owners: String = users
        .iter()
        .filter(|u| !u.disabled)
        .map(|u| format!(r#"<option>{}</option>"#, esc(&u.name)))
        .collect();
    let scopes: String = Scope::ALL
        .iter()
        .map(|s| {
            format!(
                r#"<label class="check"><input type="checkbox" name="scopes" value="{0}"{1}> {0}</label>"#,
                s.as_str(),
                if *s == Scope::Read { " checked" } else { "" }
            )
        })
        .collect();
    main.push_str(&format!(
        r#"</tbody></table>
<form method="post" action="/access/tokens?hl={code}" class="stacked" aria-labelledby="h-token">
<h3 id="h-token">{make}</h3>
<input type="hidden" name="csrf" value="{csrf}">
<label for="token-user">{user}</label>
<select id="token-user" name="user">{owners}</select>
<fieldset><legend>{scopes_label}</legend>{scopes}</fieldset>
<button type="submit">{make}</button>
</form></section>"#,
        make = lang.pick("Make a token", "Создать токен"),
        user = lang.pick("For the user", "Для пользователя"),
        scopes_label = lang.pick("Scopes", "Права"),
    ));
    Html(frame(
        lang,
        lang.pick("Access", "Доступ"),
        Some(caller),
        &main,
    ))
    .into_response()
}

/// GET /access: users and tokens, with the forms to add, disable, make and revoke.
pub(crate) async fn page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
) -> Response {
    render(&app, &caller, lang, None).await
}

/// The add-a-user form.
#[derive(Deserialize)]
pub(crate) struct UserForm {
    name: String,
    role: String,
    #[serde(default)]
    partner: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

fn back_to_access(lang: Lang, anchor: &str) -> Response {
    Redirect::to(&format!("/access?hl={}#{anchor}", lang.code())).into_response()
}

/// POST /access/users: the add-a-user form.
pub(crate) async fn add_user_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    Form(form): Form<UserForm>,
) -> Response {
    let new = NewUser {
        name: form.name,
        role: form.role,
        partner: form.partner,
        password: form.password,
    };
    match add_user(&app, &caller, new).await {
        Ok(_) => back_to_access(lang, "h-users"),
        Err(e) => error_page(lang, Some(&caller), &e),
    }
}

/// POST /access/users/{name}/disable: the disable button.
pub(crate) async fn disable_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    UserName(name): UserName,
) -> Response {
    match disable(&app, &caller, name).await {
        Ok(_) => back_to_access(lang, "h-users"),
        Err(e) => error_page(lang, Some(&caller), &e),
    }
}

/// POST /access/tokens: the make-a-token form; answers with the page showing the secret.
pub(crate) async fn create_token_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    body: axum::body::Bytes,
) -> Response {
    // Several `scopes` fields: a plain `Form` of a struct takes only one.
    let mut user = String::new();
    let mut words = Vec::new();
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "user" => user = v.into_owned(),
            "scopes" => words.push(v.into_owned()),
            _ => {}
        }
    }
    let made = match scopes_of(&words) {
        Ok(scopes) => create_token(&app, &caller, user, scopes).await,
        Err(e) => Err(e),
    };
    match made {
        Ok((token, secret)) => {
            let mut page = render(&app, &caller, lang, Some((&token, &secret))).await;
            // The secret is on this page only: not to be kept by any cache.
            page.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            page
        }
        Err(e) => error_page(lang, Some(&caller), &e),
    }
}

/// POST /access/tokens/{id}/revoke: the revoke button.
pub(crate) async fn revoke_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    TokenId(id): TokenId,
) -> Response {
    match revoke(&app, &caller, id).await {
        Ok(_) => back_to_access(lang, "h-tokens"),
        Err(e) => error_page(lang, Some(&caller), &e),
    }
}
