//! The audit viewer: entries filtered by actor, action, unit and period, the chain's head,
//! and the whole chain verified with its seal.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use kartoteka_model::Role;
use serde_json::{json, Value};

async fn log(room: &common::Room, query: &str) -> Value {
    let (status, body) = room
        .get_as(Role::ReleaseOfficer, &format!("/api/audit?{query}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn field<'a>(log: &'a Value, name: &str) -> Vec<&'a str> {
    log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[name].as_str().unwrap_or(""))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_viewer_filters_the_chain_and_verifies_it() {
    let room = common::room();
    // A reviewer's act, to find by its actor.
    let request = room.with_token(
        room.token(Role::Reviewer),
        Request::post("/api/reports/R-P3/status")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"to": "reviewed"}).to_string()))
            .unwrap(),
    );
    let (status, _, body) = room.send(request).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let all = log(&room, "limit=10000").await;
    let length = all["head"]["entries"].as_u64().unwrap();
    assert_eq!(all["entries"].as_array().unwrap().len() as u64, length);
    // The newest last, and the head is the last entry's hash.
    let last = all["entries"].as_array().unwrap().last().unwrap();
    assert_eq!(last["hash"], all["head"]["hash"]);
    assert_eq!(last["actor"], "reviewer");

    let by_reviewer = log(&room, "actor=reviewer").await;
    assert!(!by_reviewer["entries"].as_array().unwrap().is_empty());
    assert!(field(&by_reviewer, "actor")
        .iter()
        .all(|a| *a == "reviewer"));
    let releases = log(&room, "action=release").await;
    assert_eq!(
        releases["entries"].as_array().unwrap().len(),
        3,
        "the three packages of the register"
    );
    let on_unit = log(&room, "unit=%D1%84.%207").await;
    assert!(!on_unit["entries"].as_array().unwrap().is_empty());
    assert!(field(&on_unit, "unit")
        .iter()
        .all(|u| u.starts_with("ф. 7")));
    // A period: everything is of today; nothing before 2000 nor after 2100.
    let today = &last["at"].as_str().unwrap()[..10];
    let period = log(&room, &format!("since={today}&until={today}&limit=10000")).await;
    assert_eq!(period["entries"].as_array().unwrap().len() as u64, length);
    assert!(log(&room, "until=2000-01-01").await["entries"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(log(&room, "since=2100-01-01").await["entries"]
        .as_array()
        .unwrap()
        .is_empty());
    let newest = log(&room, "limit=2").await;
    assert_eq!(field(&newest, "hash").last(), field(&all, "hash").last());

    // Bad filters are refused with what is wrong.
    for query in [
        "since=yesterday",
        "until=2026-13-45",
        "limit=0",
        "limit=100001",
        "unit=%3Cscript%3E",
    ] {
        let (status, body) = room
            .get_as(Role::ReleaseOfficer, &format!("/api/audit?{query}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
    }

    // The whole chain holds, and the state of its seal is said.
    let (status, body) = room.get_as(Role::Archivist, "/api/audit/chain").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let verified: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(verified["chain"]["ok"], true, "{verified}");
    assert_eq!(verified["chain"]["entries"].as_u64().unwrap(), length);
    assert!(
        verified["seal"]
            .as_str()
            .unwrap()
            .starts_with("sealed at entry"),
        "{verified}"
    );
    // The page: the filters, the entries, and the verification when asked.
    let (status, page) = room
        .get_as(
            Role::ReleaseOfficer,
            "/audit?actor=reviewer&verify=true&hl=en",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("The chain holds"), "{page}");
    assert!(page.contains(r#"value="reviewer""#), "{page}");
    // A liaison, a researcher, an analyst: refused.
    for role in [Role::Liaison, Role::Researcher, Role::Analyst] {
        let (status, _) = room.get_as(role, "/api/audit").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
    }
}
