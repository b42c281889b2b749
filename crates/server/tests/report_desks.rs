//! The analyst's and the reviewer's desks through the router: a claim kept with its
//! grade and citation (from the API and from a passage selected in the reader), and a
//! report's marking raised, lowered only with a reason, reviewed and approved, every
//! version kept with what changed.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use kartoteka_model::Role;
use serde_json::{json, Value};

use common::Room;

/// The number of the document at this path at ingest.
async fn doc_of(room: &Room, q: &str) -> i64 {
    let found = room
        .get_json(Role::Analyst, &format!("/api/search?q={q}"))
        .await;
    found["hits"][0]["doc"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reviewer_lowers_a_marking_only_with_a_reason_then_reviews_and_approves() {
    let room = common::room();
    let report = room.get_json(Role::Reviewer, "/api/reports/R-P3").await;
    let first = report["version"].as_u64().unwrap();
    let sources = report["paragraphs"][0]["marking"].clone();
    assert_eq!(report["status"], "draft");

    // Raised freely.
    let (status, raised) = room
        .post_json(
            Role::Reviewer,
            "/api/reports/R-P3/paragraphs/1",
            &json!({"marking": "SECRET//NOFORN"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{raised}");
    assert_eq!(raised["version"].as_u64().unwrap(), first + 1);
    assert_eq!(
        raised["paragraphs"][0]["marking_override"]["classification"],
        "SECRET"
    );
    // Lowered below the sources' marking (SECRET for Britain: the file's rule) without a
    // reason: refused, nothing kept.
    assert_eq!(sources["classification"], "SECRET", "{sources}");
    let (status, said) = room
        .post_json(
            Role::Reviewer,
            "/api/reports/R-P3/paragraphs/1",
            &json!({"marking": "CONFIDENTIAL//REL TO GBR"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{said}");
    assert!(said.to_string().contains("needs a reason"), "{said}");
    let now = room.get_json(Role::Reviewer, "/api/reports/R-P3").await;
    assert_eq!(now["version"].as_u64().unwrap(), first + 1);
    // With a reason, it is kept, and the reason with it.
    let (status, lowered) = room
        .post_json(
            Role::Reviewer,
            "/api/reports/R-P3/paragraphs/1",
            &json!({"marking": "CONFIDENTIAL//REL TO GBR", "why": "published in 1995"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{lowered}");
    assert!(lowered["why"]
        .as_str()
        .unwrap()
        .contains("published in 1995"));
    // Back to the sources' own marking is no lowering below them: no reason needed.
    let (status, back) = room.post_json(Role::Reviewer, "/api/reports/R-P3/paragraphs/1", &json!({"marking": kartoteka_model::Marking::parse(&marking_text(&sources)).unwrap().to_string()}))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{back}");

    // What changed between the raised version and the one before, with the markings.
    let diff = room
        .get_json(
            Role::Analyst,
            &format!("/api/reports/R-P3/diff?from={first}&to={}", first + 1),
        )
        .await;
    let changes: Vec<&str> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        changes
            .iter()
            .any(|c| c.starts_with("~ paragraph 1 marking:") && c.ends_with("SECRET//NOFORN")),
        "{changes:?}"
    );

    // Reviewed, then approved; approving a draft straight away is refused.
    let (status, _) = room
        .post_json(
            Role::Reviewer,
            "/api/reports/R-P3/status",
            &json!({"to": "approved"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for to in ["reviewed", "approved"] {
        let (status, r) = room
            .post_json(
                Role::Reviewer,
                "/api/reports/R-P3/status",
                &json!({"to": to, "why": "checked against the sheets"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
        assert_eq!(r["status"], to);
        assert_eq!(r["by"], "reviewer");
    }
    // Every version is kept: the first is still what it was.
    let kept = room
        .get_json(
            Role::Reviewer,
            &format!("/api/reports/R-P3?version={first}"),
        )
        .await;
    assert_eq!(kept["status"], "draft");
    assert!(kept["paragraphs"][0]["marking_override"].is_null());
    let queue = room
        .get_json(Role::Reviewer, "/api/reports?status=approved")
        .await;
    assert_eq!(queue["reports"][0]["id"], "R-P3");
    let drafts = room
        .get_json(Role::Reviewer, "/api/reports?status=draft")
        .await;
    assert_eq!(drafts["reports"].as_array().unwrap().len(), 0);

    // The page shows the portion marks, citations that open their sheets, and versions.
    let (status, page) = room.get_as(Role::Reviewer, "/reports/R-P3").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"<span class="mark">("#), "{page}");
    assert!(
        page.contains(r#"href="/documents/"#) && page.contains("#page-1"),
        "{page}"
    );
    assert!(page.contains(r#"<ol class="versions" reversed>"#), "{page}");
    // An analyst reads it but has no reviewer's forms.
    let (_, page) = room.get_as(Role::Analyst, "/reports/R-P3").await;
    assert!(!page.contains("/paragraphs/1"), "{page}");

    // Hostile paths and bodies: refused for their shape, nothing kept.
    for (uri, body) in [
        (
            "/api/reports/R-P3/paragraphs/0",
            json!({"marking": "SECRET"}),
        ),
        (
            "/api/reports/R-P3/paragraphs/999",
            json!({"marking": "SECRET"}),
        ),
        ("/api/reports/R-P3/paragraphs/1", json!({"marking": "<b>"})),
        ("/api/reports/R-P3/paragraphs/1", json!({})),
        (
            "/api/reports/..%2F..%2Fetc/paragraphs/1",
            json!({"marking": "SECRET"}),
        ),
        ("/api/reports/R-P3/status", json!({"to": "draft"})),
        ("/api/reports/R-P3/status", json!({"to": "shredded"})),
    ] {
        let (status, said) = room.post_json(Role::Reviewer, uri, &body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri} {body}: {said}");
    }
    let last = room.get_json(Role::Reviewer, "/api/reports/R-P3").await;
    assert_eq!(last["status"], "approved");
}

/// A marking's JSON as its written form.
fn marking_text(m: &Value) -> String {
    let mut text = m["classification"].as_str().unwrap().to_string();
    let list: Vec<&str> = m["releasable_to"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    if !list.is_empty() {
        text.push_str(&format!("//REL TO {}", list.join(", ")));
    }
    if m["noforn"] == true {
        text.push_str("//NOFORN");
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analysts_claim_is_kept_with_its_grade_and_citation_from_the_api_and_the_reader() {
    let room = common::room();
    let doc = doc_of(&room, "%D0%97%D0%98%D0%9C%D0%90").await;
    let before = room.get_json(Role::Analyst, "/api/claims?subject=P3").await;
    let count = before["claims"].as_array().unwrap().len();
    // Refused: a bad grade, no reason for the grade, a span off the page.
    for (grade, why, cite) in [
        ("Z9", "an official note", format!("{doc}/1:0-7")),
        ("B2", "", format!("{doc}/1:0-7")),
        ("B2", "an official note", format!("{doc}/1:0-999999")),
        ("B2", "an official note", "999999/1:0-7".to_string()),
    ] {
        let (status, said) = room.post_json(Role::Analyst, "/api/claims", &json!({"subject": "P3", "text": "Орлова — агент ЗИМА", "grade": grade, "why": why, "cites": [cite]}))
        .await;
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_FOUND,
            "{grade} {why:?}: {status} {said}"
        );
    }
    let (status, claim) = room.post_json(Role::Analyst, "/api/claims", &json!({"subject": "P3", "text": "Орлова — агент ЗИМА", "grade": "B2", "why": "an official note", "cites": [format!("{doc}/1:0-7")]}))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{claim}");
    assert_eq!(grade(&claim), "B2");
    assert_eq!(claim["citations"][0]["quote"], "Справка");
    assert_eq!(claim["by"], "analyst");

    // From the reader: the passage selected, found on its page where it was selected.
    let quote = "с агентом «ЗИМА» встречался";
    let form = format!(
        "page=1&start=&quote={}&subject=P3&text={}&grade=C3&why={}",
        urlencode(quote),
        urlencode("Петров встречался с ЗИМА"),
        urlencode("a witness's word"),
    );
    let request = room.with_token(
        room.token(Role::Analyst),
        Request::post(format!("/documents/{doc}/claims"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap(),
    );
    let (status, headers, body) = room.send(request).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let to = headers[header::LOCATION].to_str().unwrap();
    assert!(to.starts_with("/claims?subject=P3"), "{to}");
    let after = room.get_json(Role::Analyst, "/api/claims?subject=P3").await;
    let claims = after["claims"].as_array().unwrap();
    assert_eq!(claims.len(), count + 2);
    let from_reader = claims
        .iter()
        .find(|c| c["text"] == "Петров встречался с ЗИМА")
        .unwrap();
    assert_eq!(grade(from_reader), "C3");
    assert_eq!(from_reader["citations"][0]["quote"], quote);
    // A passage that is not on the page is refused with the reason, and nothing kept.
    let request = room.with_token(
        room.token(Role::Analyst),
        Request::post(format!("/documents/{doc}/claims"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "page=1&start=&quote={}&subject=P3&text=x&grade=C3&why=y",
                urlencode("nowhere on this page")
            )))
            .unwrap(),
    );
    let (status, _, body) = room.send(request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("not on page 1"), "{body}");
    let again = room.get_json(Role::Analyst, "/api/claims?subject=P3").await;
    assert_eq!(again["claims"].as_array().unwrap().len(), count + 2);

    // The claims page shows them with grades and citations; the analyst builds the report
    // and the new version says what changed.
    let (status, page) = room.get_as(Role::Analyst, "/claims?subject=P3").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Петров встречался с ЗИМА") && page.contains(">C3<"),
        "{page}"
    );
    let before = room.get_json(Role::Analyst, "/api/reports/R-P3").await;
    let (status, built) = room
        .post_json(
            Role::Analyst,
            "/api/reports/build",
            &json!({"subject": "P3"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{built}");
    let after = room.get_json(Role::Analyst, "/api/reports/R-P3").await;
    let text = after.to_string();
    assert!(
        after["version"].as_u64() > before["version"].as_u64(),
        "{built}"
    );
    assert!(text.contains("Петров встречался с ЗИМА"), "{text}");
}

/// A claim's grade as written ("B2").
fn grade(claim: &Value) -> String {
    format!(
        "{}{}",
        claim["grade"]["reliability"].as_str().unwrap(),
        claim["grade"]["credibility"]
    )
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}
