//! The authorisation matrix: every endpoint, by every role and without credentials, is
//! allowed or refused exactly as this table says. An endpoint added to the server without
//! a row here fails the test.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use kartoteka_model::Role;
use kartoteka_server::endpoints::{Method, ENDPOINTS};

use common::{room, Room, PASSWORD};

/// Who may call an endpoint.
enum May {
    /// Anyone, signed in or not.
    Anyone,
    /// Only these roles.
    Roles(&'static [Role]),
    /// Only these roles get past the gate; what they send is then judged on its own (a
    /// partner's signed receipt cannot be made up for a table, so the test's is refused
    /// for what it is, never for who sent it).
    PastGateOnly(&'static [Role]),
    /// The first roles; the second may call it but find nothing there for them (a job of
    /// work they may not do answers 404, as none would); the rest are refused.
    RolesElseNone(&'static [Role], &'static [Role]),
}

use Role::*;

const READERS: &[Role] = &[
    Archivist,
    Researcher,
    Analyst,
    Reviewer,
    ReleaseOfficer,
    Administrator,
];
const EVERYONE: &[Role] = &Role::ALL;
/// Those who decide whether two names are one person.
const JUDGES: &[Role] = &[Analyst, Reviewer, ReleaseOfficer, Administrator];
/// Those who keep the holdings: ledger, fixity, transfers, jobs.
const KEEPERS: &[Role] = &[Archivist, Administrator];
/// Those who see the register of packages: a liaison its own partner's.
const RELEASES: &[Role] = &[Liaison, ReleaseOfficer, Administrator];
/// Those who decide who may use the room.
const ADMINISTRATORS: &[Role] = &[Administrator];
/// Those who read the reports and the claims.
const REPORT_READERS: &[Role] = &[Analyst, Reviewer, ReleaseOfficer, Administrator];
/// Those who write claims and build reports.
const ANALYSTS: &[Role] = &[Analyst, Administrator];
/// Those who edit markings, review and approve.
const REVIEWERS: &[Role] = &[Reviewer, Administrator];
/// Those who read and verify the audit chain.
const AUDITORS: &[Role] = &[Archivist, ReleaseOfficer, Administrator];
/// Those who plan and send releases to partners.
const OFFICERS: &[Role] = &[ReleaseOfficer, Administrator];

/// The expected matrix, written by hand from the roles' descriptions in the issues: a
/// liaison sees nothing of the reading room's holdings, only its partner's packages;
/// everyone else reads and writes notes in the margin.
const MATRIX: &[(&str, &str, May)] = &[
    ("GET", "/api/openapi.json", May::Anyone),
    ("POST", "/api/session", May::Anyone),
    ("DELETE", "/api/session", May::Roles(EVERYONE)),
    ("GET", "/api/me", May::Roles(EVERYONE)),
    // A liaison searches only what was released to it (tests/portal.rs).
    ("GET", "/api/search", May::Roles(EVERYONE)),
    ("GET", "/api/documents/{id}", May::Roles(READERS)),
    ("GET", "/api/notes", May::Roles(READERS)),
    ("POST", "/api/notes", May::Roles(READERS)),
    ("GET", "/api/units", May::Roles(READERS)),
    ("POST", "/api/findings/{id}", May::Roles(KEEPERS)),
    ("GET", "/api/persons", May::Roles(READERS)),
    ("GET", "/api/persons/{id}", May::Roles(READERS)),
    ("POST", "/api/judgements", May::Roles(JUDGES)),
    ("GET", "/api/export/persons", May::Roles(READERS)),
    ("GET", "/api/export/notes", May::Roles(READERS)),
    ("GET", "/api/status", May::Roles(KEEPERS)),
    // Everyone who starts jobs follows them: each only jobs of its own work.
    (
        "GET",
        "/api/jobs",
        May::Roles(&[Archivist, ReleaseOfficer, Administrator]),
    ),
    ("POST", "/api/jobs", May::Roles(KEEPERS)),
    ("POST", "/api/uploads", May::Roles(KEEPERS)),
    (
        "GET",
        "/api/jobs/{id}",
        May::RolesElseNone(KEEPERS, &[ReleaseOfficer]),
    ),
    ("GET", "/api/reports", May::Roles(REPORT_READERS)),
    ("GET", "/api/reports/{id}", May::Roles(REPORT_READERS)),
    ("GET", "/api/reports/{id}/diff", May::Roles(REPORT_READERS)),
    (
        "POST",
        "/api/reports/{id}/paragraphs/{n}",
        May::Roles(REVIEWERS),
    ),
    ("POST", "/api/reports/{id}/status", May::Roles(REVIEWERS)),
    ("POST", "/api/reports/build", May::Roles(ANALYSTS)),
    ("GET", "/api/claims", May::Roles(REPORT_READERS)),
    ("POST", "/api/claims", May::Roles(ANALYSTS)),
    ("GET", "/reports", May::Roles(REPORT_READERS)),
    ("GET", "/reports/{id}", May::Roles(REPORT_READERS)),
    (
        "POST",
        "/reports/{id}/paragraphs/{n}",
        May::Roles(REVIEWERS),
    ),
    ("POST", "/reports/{id}/status", May::Roles(REVIEWERS)),
    ("GET", "/claims", May::Roles(REPORT_READERS)),
    ("POST", "/claims/build", May::Roles(ANALYSTS)),
    ("POST", "/documents/{id}/claims", May::Roles(ANALYSTS)),
    ("GET", "/api/audit", May::Roles(AUDITORS)),
    ("GET", "/api/audit/chain", May::Roles(AUDITORS)),
    ("GET", "/audit", May::Roles(AUDITORS)),
    ("GET", "/api/release/plan", May::Roles(OFFICERS)),
    ("POST", "/api/release/rounds", May::Roles(OFFICERS)),
    // A partner is added once and suspended once: the second officer's call is refused
    // for what it asks (tests/release_desk.rs has what each does).
    ("POST", "/api/partners", May::PastGateOnly(OFFICERS)),
    (
        "POST",
        "/api/partners/{id}/state",
        May::PastGateOnly(OFFICERS),
    ),
    ("POST", "/release/partners", May::PastGateOnly(OFFICERS)),
    (
        "POST",
        "/release/partners/{id}/state",
        May::PastGateOnly(OFFICERS),
    ),
    ("POST", "/api/release/recalls", May::Roles(OFFICERS)),
    ("POST", "/api/release/receipts", May::PastGateOnly(OFFICERS)),
    ("POST", "/release/recalls", May::Roles(OFFICERS)),
    ("POST", "/release/receipts", May::PastGateOnly(OFFICERS)),
    ("GET", "/release", May::Roles(OFFICERS)),
    ("POST", "/release/rounds", May::Roles(OFFICERS)),
    ("GET", "/api/packages", May::Roles(RELEASES)),
    ("GET", "/api/packages/{id}", May::Roles(RELEASES)),
    (
        "GET",
        "/api/packages/{id}/reports/{report}",
        May::Roles(RELEASES),
    ),
    ("GET", "/packages", May::Roles(RELEASES)),
    ("GET", "/packages/{id}", May::Roles(RELEASES)),
    (
        "GET",
        "/packages/{id}/reports/{report}",
        May::Roles(RELEASES),
    ),
    (
        "GET",
        "/packages/{id}/reports/{report}/{file}",
        May::Roles(RELEASES),
    ),
    ("GET", "/api/users", May::Roles(ADMINISTRATORS)),
    ("POST", "/api/users", May::Roles(ADMINISTRATORS)),
    (
        "POST",
        "/api/users/{name}/disable",
        May::Roles(ADMINISTRATORS),
    ),
    ("POST", "/api/tokens", May::Roles(ADMINISTRATORS)),
    ("DELETE", "/api/tokens/{id}", May::Roles(ADMINISTRATORS)),
    ("GET", "/access", May::Roles(ADMINISTRATORS)),
    ("POST", "/access/users", May::Roles(ADMINISTRATORS)),
    (
        "POST",
        "/access/users/{name}/disable",
        May::Roles(ADMINISTRATORS),
    ),
    ("POST", "/access/tokens", May::Roles(ADMINISTRATORS)),
    (
        "POST",
        "/access/tokens/{id}/revoke",
        May::Roles(ADMINISTRATORS),
    ),
    ("GET", "/", May::Roles(READERS)),
    ("GET", "/documents/{id}", May::Roles(READERS)),
    ("GET", "/documents/{id}/original", May::Roles(READERS)),
    ("GET", "/holdings", May::Roles(READERS)),
    ("POST", "/holdings/findings/{id}", May::Roles(KEEPERS)),
    ("GET", "/persons", May::Roles(READERS)),
    ("GET", "/persons/{id}", May::Roles(READERS)),
    ("POST", "/persons/{id}/judgements", May::Roles(JUDGES)),
    ("GET", "/keeping", May::Roles(KEEPERS)),
    ("POST", "/keeping/jobs", May::Roles(KEEPERS)),
    (
        "GET",
        "/jobs/{id}",
        May::RolesElseNone(KEEPERS, &[ReleaseOfficer]),
    ),
    ("POST", "/documents/{id}/notes", May::Roles(READERS)),
    ("GET", "/login", May::Anyone),
    ("POST", "/login", May::Anyone),
    ("POST", "/logout", May::Roles(EVERYONE)),
    ("GET", "/assets/style.css", May::Anyone),
    ("GET", "/assets/room.js", May::Anyone),
];

/// A request that the endpoint would take from someone allowed: real parameters and body.
/// `tokens` are two live tokens' ids, one for each way of revoking.
fn request(method: Method, path: &str, tokens: &[String; 2]) -> Request<Body> {
    let id = if path.contains("/persons/") {
        "P1"
    } else if path.contains("/jobs/") {
        "J1"
    } else if path.contains("/partners/") {
        "NOR-PST"
    } else if path.contains("/packages/") {
        "PKG-GBR-MI5-1"
    } else if path.starts_with("/reports/") || path.starts_with("/api/reports/") {
        "R-P3"
    } else if path.starts_with("/api/tokens/") {
        &tokens[0]
    } else if path.starts_with("/access/tokens/") {
        &tokens[1]
    } else {
        "1"
    };
    // Each way of disabling takes a user the table's own adding made just before.
    let name = if path.starts_with("/api/") {
        "newcomer"
    } else {
        "newcomer2"
    };
    let uri = path
        .replace("{id}", id)
        .replace("{name}", name)
        .replace("{report}", "R-KLIM")
        .replace("{file}", "R-KLIM.json")
        .replace("{n}", "1");
    let uri = match uri.as_str() {
        "/api/search" | "/" => format!("{uri}?q=%D0%BA%D0%BB%D0%B8%D0%BC"),
        "/api/uploads" => format!("{uri}?name=upload.zip"),
        "/api/claims" | "/claims" if method == Method::Get => format!("{uri}?subject=P3"),
        _ => uri,
    };
    let builder = Request::builder().method(method.as_str()).uri(&uri);
    match (method, path) {
        (Method::Post, "/api/session") => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(format!(
                r#"{{"name": "researcher", "password": "{PASSWORD}"}}"#
            ))),
        (Method::Post, "/api/notes") => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                r#"{"target": "1", "quote": "встретился с Соколовым"}"#,
            )),
        (Method::Post, "/api/judgements") => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                r#"{"a": "P1", "b": "P2", "verdict": "unsure", "why": "too little to say"}"#,
            )),
        (Method::Post, "/api/findings/{id}") => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                r#"{"status": "under_investigation", "note": "asked the depository"}"#,
            )),
        (Method::Post, "/holdings/findings/{id}") => builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("status=open&note=")),
        (Method::Post, "/api/users") => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(format!(
                r#"{{"name": "newcomer", "role": "researcher", "password": "{PASSWORD}"}}"#
            ))),
        (Method::Post, "/access/users") => builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(
                "name=newcomer2&role=reviewer&partner=&password=",
            )),
        (Method::Post, "/api/tokens") => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"user": "researcher", "scopes": ["read"]}"#)),
        (Method::Post, "/access/tokens") => builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("user=researcher&scopes=read&scopes=write")),
        (Method::Post, "/api/reports/{id}/paragraphs/{n}") => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"marking": "TOP SECRET", "why": "raised"}"#)),
        (Method::Post, "/reports/{id}/paragraphs/{n}") => builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("marking=TOP+SECRET&why=raised")),
        (Method::Post, "/api/reports/{id}/status") => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"to": "reviewed"}"#)),
        (Method::Post, "/reports/{id}/status") => builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("to=reviewed&why=")),
        (Method::Post, "/api/reports/build") => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"subject": "P3"}"#)),
        (Method::Post, "/claims/build") => builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("subject=P3")),
        (Method::Post, "/api/claims") => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                r#"{"subject": "P3", "text": "Орлова is ЗИМА", "grade": "B2", "why": "an official note", "cites": ["4/1:0-8"]}"#,
            )),
        (Method::Post, "/documents/{id}/claims") => builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(
                "page=1&start=0&quote=%D0%90%D0%B3%D0%B5%D0%BD%D1%82&subject=P3&text=met&grade=C3&why=one+mention",
            )),
        (Method::Post, "/api/partners") => {
            let keys = kartoteka_archive::PartnerKeys::generate().unwrap();
            builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    serde_json::json!({
                        "country": "NOR", "service": "PST", "clearance": "SECRET",
                        "recipient": keys.recipient(), "verify_key": keys.verify_key(),
                        "why": "agreement 2001/3",
                    })
                    .to_string(),
                ))
        }
        (Method::Post, "/release/partners") => builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(
                "country=NOR&service=PST&clearance=SECRET&recipient=age1&verify_key=00&why=x",
            )),
        (Method::Post, "/api/partners/{id}/state") => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"state": "suspended", "why": "review of the agreement"}"#)),
        (Method::Post, "/release/partners/{id}/state") => builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("state=suspended&why=review")),
        (Method::Post, "/api/release/recalls") => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"report": "R-KLIM", "why": "a source withdrew"}"#)),
        (Method::Post, "/release/recalls") => builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("report=R-KLIM&why=a+source+withdrew")),
        (Method::Post, "/api/release/receipts") => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"package": "PKG-GBR-MI5-1"}"#)),
        (Method::Post, "/release/receipts") => builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("receipt=%7B%7D")),
        (Method::Post, "/api/release/rounds") => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"partners": ["GBR-MI5"]}"#)),
        (Method::Post, "/release/rounds") => builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("partners=GBR-MI5&partners=DEU-BND")),
        (Method::Post, "/api/jobs") => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"kind": "gaps"}"#)),
        (Method::Post, "/api/uploads") => builder
            .header(header::CONTENT_TYPE, "application/zip")
            .body(Body::from(common::zip_of(&[(
                "ф. 5/оп. 1/д. 1/л. 1.txt",
                "Загружено через читальный зал.".as_bytes(),
            )]))),
        (Method::Post, "/persons/{id}/judgements") => builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("other=P2&verdict=unsure&why=too+little+to+say")),
        (Method::Post, "/keeping/jobs") => builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("kind=gaps")),
        (Method::Post, "/login") => builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "name=researcher&password={}",
                PASSWORD.replace(' ', "+")
            ))),
        (Method::Post, "/documents/{id}/notes") => builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(
                "quote=%D0%B2%20%D0%91%D0%B5%D1%80%D0%BB%D0%B8%D0%BD%D0%B5",
            )),
        _ => builder.body(Body::empty()),
    }
    .unwrap()
}

/// Whether an answer means "refused for want of credentials or rights".
fn refused(status: StatusCode, headers: &axum::http::HeaderMap) -> bool {
    let to_login = status == StatusCode::SEE_OTHER
        && headers
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .is_some_and(|l| l.starts_with("/login?next="));
    matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) || to_login
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_by_every_role_is_allowed_or_refused_as_the_table_says() {
    let room: Room = room();
    // A job to ask about.
    let (status, _, body) = room
        .send(room.with_token(
            room.token(Administrator),
            request(Method::Post, "/api/jobs", &[String::new(), String::new()]),
        ))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    // Two tokens to revoke.
    let mut tokens = [String::new(), String::new()];
    for t in &mut tokens {
        let made = Request::post("/api/tokens")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"user": "analyst", "scopes": ["read"]}"#))
            .unwrap();
        let (status, _, body) = room
            .send(room.with_token(room.token(Administrator), made))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let made: serde_json::Value = serde_json::from_str(&body).unwrap();
        *t = made["id"].as_str().unwrap().to_string();
    }
    for e in ENDPOINTS {
        let row = MATRIX
            .iter()
            .find(|(m, p, _)| *m == e.method.as_str() && *p == e.path)
            .unwrap_or_else(|| {
                panic!(
                    "{} {} has no row in the authorisation matrix: add one",
                    e.method.as_str(),
                    e.path
                )
            });
        // Without credentials.
        let (status, headers, body) = room.send(request(e.method, e.path, &tokens)).await;
        match row.2 {
            May::Anyone => assert!(
                !refused(status, &headers) && status.is_success() || status.is_redirection(),
                "{} {} without credentials: {status} {body}",
                e.method.as_str(),
                e.path
            ),
            May::Roles(_) | May::RolesElseNone(..) | May::PastGateOnly(_) => {
                assert!(
                    refused(status, &headers),
                    "{} {} without credentials was not refused: {status} {body}",
                    e.method.as_str(),
                    e.path
                );
                if e.is_api() {
                    assert_eq!(
                        status,
                        StatusCode::UNAUTHORIZED,
                        "{} {}",
                        e.method.as_str(),
                        e.path
                    );
                    assert!(body.contains(r#""code":"unauthorized""#), "{body}");
                }
            }
        }
        // By each role, with a token of every scope.
        for role in Role::ALL {
            if e.path.ends_with("/status") {
                // A report moves on once from a draft: each call gets a fresh draft.
                let (status, _, body) = room
                    .send(room.with_token(
                        room.token(Administrator),
                        request(Method::Post, "/api/reports/{id}/paragraphs/{n}", &tokens),
                    ))
                    .await;
                assert_eq!(status, StatusCode::CREATED, "{body}");
            }
            let mut req = request(e.method, e.path, &tokens);
            req.headers_mut().insert(
                header::AUTHORIZATION,
                format!("Bearer {}", room.token(role)).parse().unwrap(),
            );
            let (status, headers, body) = room.send(req).await;
            let (allowed, finds_none) = match row.2 {
                May::Anyone => (true, false),
                May::Roles(roles) => (roles.contains(&role), false),
                May::RolesElseNone(roles, none) => (roles.contains(&role), none.contains(&role)),
                May::PastGateOnly(roles) => {
                    let past = roles.contains(&role);
                    if past {
                        assert!(
                            !refused(status, &headers) && status != StatusCode::NOT_FOUND,
                            "{} {} as {role}: expected past the gate, got {status} {body}",
                            e.method.as_str(),
                            e.path
                        );
                        continue;
                    }
                    (false, false)
                }
            };
            if finds_none {
                assert_eq!(
                    status,
                    StatusCode::NOT_FOUND,
                    "{} {} as {role}: expected 404, got {body}",
                    e.method.as_str(),
                    e.path
                );
            } else if allowed {
                assert!(
                    !refused(status, &headers) && status.as_u16() < 400,
                    "{} {} as {role}: expected it allowed and done, got {status} {body}",
                    e.method.as_str(),
                    e.path
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{} {} as {role}: expected 403, got {body}",
                    e.method.as_str(),
                    e.path
                );
            }
        }
    }
    // And no row for an endpoint that is not there.
    for (m, p, _) in MATRIX {
        assert!(
            ENDPOINTS
                .iter()
                .any(|e| e.method.as_str() == *m && e.path == *p),
            "the matrix has a row for {m} {p}, which the server does not have"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_does_no_more_than_its_scopes_allow_and_a_dead_one_nothing() {
    let room = room();
    let note = || {
        Request::post("/api/notes")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"target": "1", "quote": "Соколовым"}"#))
            .unwrap()
    };
    // A read token of an administrator reads, but does not write.
    let (status, _, body) = room
        .send(room.with_token(room.read_token(Administrator), note()))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("scopes"), "the refusal says why: {body}");
    let search = || {
        Request::get("/api/search?q=klim")
            .body(Body::empty())
            .unwrap()
    };
    let (status, _, _) = room
        .send(room.with_token(room.read_token(Administrator), search()))
        .await;
    assert_eq!(status, StatusCode::OK);
    // A revoked token, and the token of a disabled user, authenticate nothing.
    for dead in &room.dead_tokens {
        let (status, _, body) = room.send(room.with_token(dead, search())).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    // Nor does a made-up one, nor one of another shape.
    for forged in [
        "kt_0000000000000000000000000000000000000000000000000000000000000000",
        "abc",
        "",
    ] {
        let (status, _, _) = room.send(room.with_token(forged, search())).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{forged:?}");
    }
}
