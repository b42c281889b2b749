//! The release officer's desk: partners added with their keys and refused on bad input,
//! suspended and resumed with a reason (a suspended partner is sent nothing), and the
//! page's forms.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use kartoteka_archive::PartnerKeys;
use kartoteka_model::Role;
use serde_json::{json, Value};

use common::Room;
async fn partner_ids(room: &Room) -> Vec<String> {
    let (status, body) = room.get_as(Role::ReleaseOfficer, "/api/release/plan").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let plan: Value = serde_json::from_str(&body).unwrap();
    plan["partners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partners_are_added_suspended_and_resumed_from_the_desk() {
    let room = common::room();
    let keys = PartnerKeys::generate().unwrap();
    let partner = |recipient: &str, verify: &str| {
        json!({
            "country": "nor", "service": "PST", "clearance": "secret",
            "groups": ["NATO"], "recipient": recipient, "verify_key": verify,
            "need_topics": ["illegals"], "why": "agreement 2001/3",
        })
    };
    let before = partner_ids(&room).await;
    // Bad keys, an unknown country, no reason: refused, naming what is wrong; nothing added.
    for (body, says) in [
        (partner("age1nonsense", &keys.verify_key()), "age1nonsense"),
        (partner(&keys.recipient(), "abc"), "64 hex digits"),
        (
            {
                let mut b = partner(&keys.recipient(), &keys.verify_key());
                b["country"] = json!("XXX");
                b
            },
            "XXX",
        ),
    ] {
        let (status, said) = room
            .post_json(Role::ReleaseOfficer, "/api/partners", &body)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{said}");
        assert!(said.to_string().contains(says), "{says}: {said}");
    }
    assert_eq!(partner_ids(&room).await, before);

    let (status, added) = room
        .post_json(
            Role::ReleaseOfficer,
            "/api/partners",
            &partner(&keys.recipient(), &keys.verify_key()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["id"], "NOR-PST");
    assert_eq!(added["clearance"], "SECRET");
    assert_eq!(added["by"], "release-officer");
    let (status, again) = room
        .post_json(
            Role::ReleaseOfficer,
            "/api/partners",
            &partner(&keys.recipient(), &keys.verify_key()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{again}");
    assert!(again.to_string().contains("exists already"), "{again}");

    // Suspended with a reason: a round to it is refused; resumed, it may be sent again.
    let (status, said) = room
        .post_json(
            Role::ReleaseOfficer,
            "/api/partners/NOR-PST/state",
            &json!({"state": "suspended", "why": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{said}");
    let (status, suspended) = room
        .post_json(
            Role::ReleaseOfficer,
            "/api/partners/NOR-PST/state",
            &json!({"state": "suspended", "why": "the agreement is under review"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{suspended}");
    assert_eq!(suspended["state"], "suspended");
    let (status, said) = room
        .post_json(
            Role::ReleaseOfficer,
            "/api/release/rounds",
            &json!({"partners": ["NOR-PST"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{said}");
    let (status, resumed) = room
        .post_json(
            Role::ReleaseOfficer,
            "/api/partners/NOR-PST/state",
            &json!({"state": "active", "why": "the agreement renewed"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resumed}");
    assert_eq!(resumed["state"], "active");
    for (uri, body) in [
        (
            "/api/partners/NOBODY/state",
            json!({"state": "active", "why": "x"}),
        ),
        (
            "/api/partners/NOR-PST/state",
            json!({"state": "shredded", "why": "x"}),
        ),
        (
            "/api/partners/..%2Fetc/state",
            json!({"state": "active", "why": "x"}),
        ),
    ] {
        let (status, said) = room.post_json(Role::ReleaseOfficer, uri, &body).await;
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_FOUND,
            "{uri}: {status} {said}"
        );
    }
    // The chain has each change in the officer's name.
    let (_, log) = room
        .get_as(Role::Administrator, "/api/audit?actor=release-officer")
        .await;
    assert!(log.contains("NOR-PST"), "{log}");

    // The page offers the forms to an officer, not to an administrator's read token.
    let (_, page) = room.get_as(Role::ReleaseOfficer, "/release").await;
    assert!(page.contains(r#"action="/release/partners?"#), "{page}");
    assert!(
        page.contains(r#"action="/release/partners/NOR-PST/state?"#),
        "{page}"
    );
    let request = room.with_token(
        room.read_token(Role::Administrator),
        Request::get("/release").body(Body::empty()).unwrap(),
    );
    let (_, _, page) = room.send(request).await;
    assert!(!page.contains(r#"action="/release/partners?"#), "{page}");
}
