//! The partner portal: a liaison sees its own partner's packages and nothing else, and a
//! package of another partner answers exactly as one that does not exist, in body and in
//! time.

mod common;

use std::time::Instant;

use axum::http::StatusCode;
use kartoteka_model::Role;
use serde_json::Value;

use common::Room;

async fn get(room: &Room, role: Role, uri: &str) -> (StatusCode, String) {
    room.get_as(role, uri).await
}

fn ids(body: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(body).unwrap();
    v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_liaison_sees_its_own_packages_and_nothing_of_another_partners() {
    let room = common::room();
    let (status, body) = get(&room, Role::Liaison, "/api/packages").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body), ["PKG-GBR-MI5-1", "PKG-GBR-MI5-2"]);
    assert!(
        !body.contains("DEU") && !body.contains("R-SOKOLOV"),
        "{body}"
    );
    // Its release and the recall notice of it, with the reason.
    let (status, body) = get(&room, Role::Liaison, "/api/packages/PKG-GBR-MI5-2").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let recall: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(recall["kind"], "recall");
    assert_eq!(recall["reports"][0]["id"], "R-KLIM");
    assert_eq!(recall["why"], "a source withdrew");

    // Another partner's package, and one that does not exist: the same answer.
    let (theirs, their_body) = get(&room, Role::Liaison, "/api/packages/PKG-DEU-BND-1").await;
    let (none, none_body) = get(&room, Role::Liaison, "/api/packages/PKG-DEU-BND-7").await;
    assert_eq!(theirs, StatusCode::NOT_FOUND);
    assert_eq!(none, StatusCode::NOT_FOUND);
    assert_eq!(
        their_body.replace("PKG-DEU-BND-1", "ID"),
        none_body.replace("PKG-DEU-BND-7", "ID")
    );
    // The page lists its packages only, the recall with its reason.
    let (status, page) = get(&room, Role::Liaison, "/packages").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(r#"<tr id="PKG-GBR-MI5-1" class="release">"#),
        "{page}"
    );
    assert!(page.contains("a source withdrew"), "{page}");
    assert!(
        !page.contains("DEU") && !page.contains("R-SOKOLOV"),
        "{page}"
    );
    // Nor do the holdings' search, documents, persons or units answer it: a liaison is
    // refused them in the same words whatever it names, so a refusal says nothing of what
    // exists.
    for uri in [
        "/api/search?q=Sokolov",
        "/api/search?q=R-SOKOLOV",
        "/api/documents/1",
        "/api/documents/999999",
        "/api/persons/P1",
        "/api/persons/P999999",
        "/api/units?unit=%D1%84.%201",
    ] {
        let (status, body) = get(&room, Role::Liaison, uri).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{uri}");
        assert_eq!(
            body, r#"{"error":{"code":"forbidden","message":"a liaison may not do this"}}"#,
            "{uri}"
        );
    }

    // A release officer sees the whole register.
    let (_, body) = get(&room, Role::ReleaseOfficer, "/api/packages").await;
    assert_eq!(
        ids(&body),
        ["PKG-GBR-MI5-1", "PKG-DEU-BND-1", "PKG-GBR-MI5-2"]
    );
    let (status, _) = get(&room, Role::ReleaseOfficer, "/api/packages/PKG-DEU-BND-1").await;
    assert_eq!(status, StatusCode::OK);
    // An id of another shape is refused for its shape, the same whoever asks.
    let (status, _) = get(&room, Role::Liaison, "/api/packages/..%2FPKG-DEU-BND-1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

fn median_and_spread(mut times: Vec<f64>) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.75) - at(0.25))
}

/// Over 1,000 requests each, asked in turn, "not yours" takes no longer or shorter than
/// "not there" beyond the noise of the requests themselves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_partners_package_takes_as_long_to_refuse_as_none() {
    let room = common::room();
    let mut theirs = Vec::with_capacity(1000);
    let mut none = Vec::with_capacity(1000);
    for i in 0..2000 {
        let (uri, times) = if i % 2 == 0 {
            ("/api/packages/PKG-DEU-BND-1", &mut theirs)
        } else {
            ("/api/packages/PKG-DEU-BND-7", &mut none)
        };
        let started = Instant::now();
        let (status, _) = get(&room, Role::Liaison, uri).await;
        times.push(started.elapsed().as_secs_f64() * 1e6);
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (theirs, theirs_spread) = median_and_spread(theirs);
    let (none, none_spread) = median_and_spread(none);
    let noise = theirs_spread.max(none_spread) / 2.0 + 10.0;
    eprintln!(
        "median {theirs:.0} µs for another partner's package, {none:.0} µs for none; \
         interquartile {theirs_spread:.0} and {none_spread:.0} µs"
    );
    assert!(
        (theirs - none).abs() <= noise,
        "median {theirs:.0} µs for another's package, {none:.0} µs for none (noise {noise:.0} µs)"
    );
}
