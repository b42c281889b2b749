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
    // Nor do the holdings' documents, persons or units answer it: a liaison is refused
    // them in the same words whatever it names, so a refusal says nothing of what exists.
    for uri in [
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

    // The search finds in its own variants only; a word of another partner's variant
    // finds what a word in nobody's does: nothing, in the same answer.
    let found = search(&room, "Themsebrücke").await;
    assert_eq!(found["total"], 1, "{found}");
    let hit = &found["hits"][0];
    assert_eq!(hit["package"], "PKG-GBR-MI5-1");
    assert_eq!(hit["report"], "R-KLIM");
    assert_eq!(hit["paragraph"], 1);
    assert_eq!(hit["mark"], "(S//REL TO GBR)");
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap()
            .contains("<b>Themsebrücke</b>"),
        "{hit}"
    );
    // The recall notice PKG-GBR-MI5-2 withdrew that version.
    assert_eq!(hit["recalled"], true);
    // A name in another case, as the index would find it.
    assert_eq!(search(&room, "Соколов").await["total"], 1);
    let theirs = search(&room, "Donaublick").await;
    assert_eq!(theirs, search(&room, "Zzyzxqwv").await);
    assert_eq!(theirs["total"], 0, "{theirs}");
    assert_eq!(search(&room, "R-SOKOLOV").await["total"], 0);
    // The holdings' filters have nothing to filter for a liaison.
    let (status, body) = get(&room, Role::Liaison, "/api/search?q=x&in=%D1%84.%201").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Anyone else's search is the holdings', as before.
    let (status, body) = get(&room, Role::Researcher, "/api/search?q=Themsebrücke").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#""total":0"#), "{body}");

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

/// A liaison's search, answered 200: the JSON.
async fn search(room: &Room, q: &str) -> Value {
    let uri = format!("/api/search?q={}", urlencode(q));
    let (status, body) = get(room, Role::Liaison, &uri).await;
    assert_eq!(status, StatusCode::OK, "{q}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// A liaison's GET answered 404: the body.
async fn not_found(room: &Room, uri: &str) -> String {
    let (status, body) = get(room, Role::Liaison, uri).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {body}");
    body
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_liaison_reads_its_variants_exactly_as_packaged_and_none_of_anothers() {
    let room = common::room();
    let (text, marking) = (common::VARIANTS[0].1, common::VARIANTS[0].2);
    let packaged = common::variant_json("R-KLIM", "GBR-MI5", text, marking);
    // The variant's JSON, byte for byte as kept from the package.
    let (status, body) = get(
        &room,
        Role::Liaison,
        "/api/packages/PKG-GBR-MI5-1/reports/R-KLIM",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body.as_bytes(), packaged.as_slice());
    // The file to save, the same bytes, as an attachment.
    let (status, headers, body) = room
        .send(
            room.with_token(
                room.token(Role::Liaison),
                axum::http::Request::get("/packages/PKG-GBR-MI5-1/reports/R-KLIM/R-KLIM.json")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_bytes(), packaged.as_slice());
    assert_eq!(
        headers["content-disposition"],
        r#"attachment; filename="R-KLIM.json""#
    );
    // The page shows its paragraph with its portion mark, the banner, and the recall.
    let (status, page) = get(
        &room,
        Role::Liaison,
        "/packages/PKG-GBR-MI5-1/reports/R-KLIM",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(text), "{page}");
    assert!(page.contains("(S//REL TO GBR)"), "{page}");
    assert!(
        page.contains(r#"<div class="banner">SECRET//REL TO GBR</div>"#),
        "{page}"
    );
    assert!(page.contains("a source withdrew"), "{page}");
    let (status, page) = get(&room, Role::Liaison, "/packages/PKG-GBR-MI5-1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(r#"href="/packages/PKG-GBR-MI5-1/reports/R-KLIM/R-KLIM.json""#),
        "{page}"
    );

    // Another partner's variant, by API, page and file, and ones that do not exist, or
    // another's report asked in its own package: one answer, naming only what was asked.
    let theirs = not_found(&room, "/api/packages/PKG-DEU-BND-1/reports/R-SOKOLOV").await;
    let none = not_found(&room, "/api/packages/PKG-DEU-BND-7/reports/R-SOKOLOV").await;
    assert_eq!(
        theirs.replace("BND-1", "BND-N"),
        none.replace("BND-7", "BND-N")
    );
    let mixed = not_found(&room, "/api/packages/PKG-GBR-MI5-1/reports/R-SOKOLOV").await;
    assert_eq!(mixed.replace("GBR-MI5-1", "DEU-BND-1"), theirs);
    let theirs = not_found(&room, "/packages/PKG-DEU-BND-1/reports/R-SOKOLOV").await;
    let none = not_found(&room, "/packages/PKG-DEU-BND-7/reports/R-SOKOLOV").await;
    assert_eq!(
        theirs.replace("BND-1", "BND-N"),
        none.replace("BND-7", "BND-N")
    );
    assert!(!theirs.contains("Donaublick") && !theirs.contains("Справка"));
    let theirs = not_found(
        &room,
        "/packages/PKG-DEU-BND-1/reports/R-SOKOLOV/R-SOKOLOV.json",
    )
    .await;
    let none = not_found(
        &room,
        "/packages/PKG-DEU-BND-7/reports/R-SOKOLOV/R-SOKOLOV.json",
    )
    .await;
    assert_eq!(
        theirs.replace("BND-1", "BND-N"),
        none.replace("BND-7", "BND-N")
    );
    let theirs = not_found(&room, "/packages/PKG-DEU-BND-1").await;
    let none = not_found(&room, "/packages/PKG-DEU-BND-7").await;
    assert_eq!(
        theirs.replace("BND-1", "BND-N"),
        none.replace("BND-7", "BND-N")
    );
    // A file name or report id of another shape is refused for its shape.
    for uri in [
        "/packages/PKG-GBR-MI5-1/reports/R-KLIM/..%2F..%2Fetc%2Fpasswd",
        "/packages/PKG-GBR-MI5-1/reports/R-KLIM/.R-KLIM.json",
        "/packages/PKG-GBR-MI5-1/reports/R%2FKLIM",
        "/api/packages/PKG-GBR-MI5-1/reports/R-KLIM%00",
    ] {
        let (status, body) = get(&room, Role::Liaison, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
    }
    // A release officer reads any partner's variant.
    let (status, body) = get(
        &room,
        Role::ReleaseOfficer,
        "/api/packages/PKG-DEU-BND-1/reports/R-SOKOLOV",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Donaublick"));
}

fn median_and_spread(mut times: Vec<f64>) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.75) - at(0.25))
}

/// Over 1,000 requests each, asked in turn, "not yours" takes no longer or shorter than
/// "not there" beyond the noise of the requests themselves: for a package, a variant, and
/// a search for a word of another partner's variant against a word in none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_partners_package_takes_as_long_to_refuse_as_none() {
    let room = common::room();
    for (mine, none, status) in [
        (
            "/api/packages/PKG-DEU-BND-1",
            "/api/packages/PKG-DEU-BND-7",
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/packages/PKG-DEU-BND-1/reports/R-SOKOLOV",
            "/api/packages/PKG-DEU-BND-7/reports/R-SOKOLOV",
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/search?q=Donaublick",
            "/api/search?q=Zzyzxqwvbl",
            StatusCode::OK,
        ),
    ] {
        let mut theirs_times = Vec::with_capacity(1000);
        let mut none_times = Vec::with_capacity(1000);
        for i in 0..2000 {
            let (uri, times) = if i % 2 == 0 {
                (mine, &mut theirs_times)
            } else {
                (none, &mut none_times)
            };
            let started = Instant::now();
            let (got, _) = get(&room, Role::Liaison, uri).await;
            times.push(started.elapsed().as_secs_f64() * 1e6);
            assert_eq!(got, status, "{uri}");
        }
        let (theirs, theirs_spread) = median_and_spread(theirs_times);
        let (none_median, none_spread) = median_and_spread(none_times);
        let noise = theirs_spread.max(none_spread) / 2.0 + 10.0;
        eprintln!(
            "{mine}: median {theirs:.0} µs for another partner's, {none_median:.0} µs for none; \
             interquartile {theirs_spread:.0} and {none_spread:.0} µs"
        );
        assert!(
            (theirs - none_median).abs() <= noise,
            "{mine}: median {theirs:.0} µs for another's, {none_median:.0} µs for none (noise {noise:.0} µs)"
        );
    }
}
