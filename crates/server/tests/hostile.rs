//! Hostile input at the reading room's door: oversized bodies, traversal in path
//! parameters, SQL and HTML in every text field, forged and replayed cookies, requests
//! without their CSRF token, guessing passwords, redirects elsewhere.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use kartoteka_model::Role;

use common::{room, PASSWORD};

fn json_post(uri: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap()
}

fn form_post(uri: &str, cookie: &str, body: String) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap()
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused_whole_and_nothing_is_written() {
    let room = room();
    let token = room.token(Role::Researcher).to_string();
    let huge = format!(
        r#"{{"target": "1", "quote": "Соколовым", "comment": "{}"}}"#,
        "x".repeat(200 * 1024)
    );
    let (status, _, body) = room
        .send(room.with_token(&token, json_post("/api/notes", huge)))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body.contains("payload_too_large"), "{body}");
    let (_, _, notes) = room
        .send(room.with_token(
            &token,
            Request::get("/api/notes").body(Body::empty()).unwrap(),
        ))
        .await;
    assert_eq!(notes, r#"{"notes":[]}"#);
    // Not JSON at all, and JSON of the wrong shape: refused with a reason.
    for (content_type, body) in [
        ("text/plain", "quote=x"),
        ("application/json", "{\"target\": 1"),
        ("application/json", "{\"quote\": \"x\"}"),
    ] {
        let request = Request::post("/api/notes")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        let (status, _, answer) = room.send(room.with_token(&token, request)).await;
        assert!(status.is_client_error(), "{content_type} {body}: {status}");
        assert!(answer.contains("\"code\":\"bad_request\""), "{answer}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_parameters_are_numbers_or_refused() {
    let room = room();
    let token = room.token(Role::Researcher).to_string();
    for path in [
        "/api/documents/..%2F..%2Fetc%2Fpasswd",
        "/api/documents/%2e%2e",
        "/api/documents/1%00",
        "/api/documents/-1",
        "/api/documents/0",
        "/api/documents/1e3",
        "/documents/..%2Farchive.db",
    ] {
        let (status, _, body) = room
            .send(room.with_token(&token, Request::get(path).body(Body::empty()).unwrap()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert!(!body.contains("root:"), "{path}");
    }
    let (status, _, body) = room
        .send(
            room.with_token(
                &token,
                Request::get("/api/documents/999999")
                    .body(Body::empty())
                    .unwrap(),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body.contains("\"code\":\"not_found\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_in_text_fields_is_text() {
    let room = room();
    let token = room.token(Role::Analyst).to_string();
    for q in [
        "'; DROP TABLE documents; --",
        "\" OR 1=1 --",
        "Соколов' UNION SELECT body FROM users --",
    ] {
        let uri = format!("/api/search?q={}", enc(q));
        let (status, _, body) = room
            .send(room.with_token(
                &token,
                Request::get(uri.as_str()).body(Body::empty()).unwrap(),
            ))
            .await;
        assert!(
            status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
            "{q}: {status} {body}"
        );
        assert!(!body.contains("argon2"), "{body}");
    }
    let comment = "'); DELETE FROM notes; DROP TABLE users; --";
    let body = serde_json::json!({"target": "1", "quote": "Соколовым", "comment": comment, "tags": ["' OR '1'='1"]});
    let (status, _, answer) = room
        .send(room.with_token(&token, json_post("/api/notes", body.to_string())))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let (_, _, notes) = room
        .send(
            room.with_token(
                &token,
                Request::get("/api/notes?doc=1")
                    .body(Body::empty())
                    .unwrap(),
            ),
        )
        .await;
    let notes: serde_json::Value = serde_json::from_str(&notes).unwrap();
    assert_eq!(notes["notes"][0]["comment"], comment, "kept as written");
    assert_eq!(notes["notes"][0]["tags"][0], "' OR '1'='1");
    // The users are all still there: the token still works, and so does signing in.
    let (status, _, _) = room
        .send(room.with_token(&token, Request::get("/api/me").body(Body::empty()).unwrap()))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_in_notes_and_queries_is_shown_as_text() {
    let room = room();
    let (cookie, csrf) = room.sign_in("researcher").await;
    let script = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    let form = format!(
        "csrf={}&quote={}&comment={}&tags={}",
        enc(&csrf),
        enc("в Берлине"),
        enc(script),
        enc("\"><b>tag</b>")
    );
    let (status, headers, body) = room
        .send(form_post("/documents/1/notes", &cookie, form))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let back = headers
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(back.starts_with("/documents/1"), "{back}");
    let (_, _, page) = room.get_with_cookie("/documents/1", &cookie).await;
    assert!(
        page.contains("&lt;script&gt;alert("),
        "the note is shown, escaped"
    );
    assert!(!page.contains("<script>alert"), "and never run");
    assert!(!page.contains("<img src=x"));
    let uri = format!("/?q={}", enc("\"><script>alert(1)</script>"));
    let (status, _, page) = room
        .send(
            Request::get(uri.as_str())
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
        "{status}"
    );
    assert!(
        !page.contains("<script>alert(1)"),
        "a query is never echoed as markup"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_replayed_cookies_open_nothing() {
    let room = room();
    let get = |cookie: &str| {
        Request::get("/api/me")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap()
    };
    let forged = format!("kartoteka_session=kt_{}", "ab".repeat(32));
    let (status, _, _) = room.send(get(&forged)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, headers, _) = room.get_with_cookie("/documents/1", &forged).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "a page sends the reader to sign in"
    );
    assert!(headers[header::LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/login?next="));

    let (cookie, csrf) = room.sign_in("researcher").await;
    let (status, _, me) = room.send(get(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(me.contains("\"researcher\""));
    // Signing out without the CSRF token is refused; with it, the cookie is dead.
    let (status, _, _) = room
        .send(form_post("/logout", &cookie, String::new()))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = room
        .send(form_post(
            "/logout",
            &cookie,
            format!("csrf={}", enc(&csrf)),
        ))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = room.send(get(&cookie)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a cookie replayed after signing out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_change_without_its_csrf_token_is_refused() {
    let room = room();
    let (cookie, csrf) = room.sign_in("analyst").await;
    assert!(
        csrf.starts_with("kt_"),
        "the page carries the token: {csrf:?}"
    );
    let (other_cookie, other_csrf) = room.sign_in("researcher").await;
    let quote = enc("в Берлине");
    for (why, form) in [
        ("no token", format!("quote={quote}")),
        (
            "a wrong token",
            format!("quote={quote}&csrf=kt_{}", "00".repeat(32)),
        ),
        (
            "another session's token",
            format!("quote={quote}&csrf={}", enc(&other_csrf)),
        ),
    ] {
        let (status, _, body) = room
            .send(form_post("/documents/1/notes", &cookie, form))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{why}: {body}");
        assert!(body.contains("csrf"), "{why}: {body}");
    }
    // A script sends it in the header.
    let request = Request::post("/api/notes")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, &other_cookie)
        .header("x-csrf-token", &other_csrf)
        .body(Body::from(r#"{"target": "1", "quote": "Соколовым"}"#))
        .unwrap();
    let (status, _, body) = room.send(request).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _, _) = room
        .send(form_post(
            "/documents/1/notes",
            &cookie,
            format!("quote={quote}&csrf={}", enc(&csrf)),
        ))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_passwords_is_slowed_to_a_stop() {
    let room = room();
    let sign_in = |name: &str, password: &str| {
        json_post(
            "/api/session",
            serde_json::json!({"name": name, "password": password}).to_string(),
        )
    };
    // A wrong password and an unknown name read the same.
    let (s1, _, wrong) = room.send(sign_in("reviewer", "not the password")).await;
    let (s2, _, unknown) = room
        .send(sign_in("nobody-at-all", "not the password"))
        .await;
    assert_eq!(
        (s1, s2),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(wrong, unknown);
    for _ in 0..4 {
        room.send(sign_in("reviewer", "guess")).await;
    }
    let (status, _, body) = room.send(sign_in("reviewer", PASSWORD)).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "after five failures even the right password waits: {body}"
    );
    // Others are not held up by it.
    let (status, _, _) = room.send(sign_in("archivist", PASSWORD)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_goes_back_only_to_a_page_of_this_site() {
    let room = room();
    for (next, expected) in [
        ("/documents/1", "/documents/1"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
    ] {
        let form = format!(
            "name=researcher&password={}&next={}",
            PASSWORD.replace(' ', "+"),
            enc(next)
        );
        let request = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap();
        let (status, headers, _) = room.send(request).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers[header::LOCATION], expected, "next={next}");
        let cookie = headers[header::SET_COOKIE].to_str().unwrap();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
    }
}

/// Names, scopes and ids at the administrator's desk: markup, SQL and traversal are
/// refused with a reason or found to be nobody, and no user or token is made of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_names_and_ids_at_the_administrators_desk_make_nothing() {
    let room = room();
    let token = room.token(Role::Administrator).to_string();
    let list = || async {
        let (_, _, body) = room
            .send(room.with_token(
                &token,
                Request::get("/api/users").body(Body::empty()).unwrap(),
            ))
            .await;
        body
    };
    let before = list().await;
    for name in [
        "<script>alert(1)</script>",
        "x' OR '1'='1",
        "'; DROP TABLE users; --",
        "../../etc/passwd",
        "a b",
        "",
        &"x".repeat(65),
    ] {
        let body =
            serde_json::json!({"name": name, "role": "researcher", "password": common::PASSWORD});
        let (status, _, answer) = room
            .send(room.with_token(&token, json_post("/api/users", body.to_string())))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name:?}: {answer}");
        let body = serde_json::json!({"user": name, "scopes": ["read"]});
        let (status, _, answer) = room
            .send(room.with_token(&token, json_post("/api/tokens", body.to_string())))
            .await;
        assert!(status.is_client_error(), "{name:?}: {status} {answer}");
    }
    for path in [
        "/api/users/..%2F..%2Fetc%2Fpasswd/disable",
        "/api/users/%27%20OR%201%3D1/disable",
        "/api/users/administrator%00/disable",
    ] {
        let (status, _, body) = room
            .send(room.with_token(&token, json_post(path, "")))
            .await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST,
            "{path}: {status} {body}"
        );
    }
    for path in [
        "/api/tokens/..%2FT1",
        "/api/tokens/T1%27",
        "/api/tokens/1",
        "/api/tokens/T",
    ] {
        let request = Request::delete(path).body(Body::empty()).unwrap();
        let (status, _, body) = room.send(room.with_token(&token, request)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
    }
    // Nothing was added, disabled or revoked.
    assert_eq!(list().await, before);
}
