//! The desks beyond search and the reader: the archival tree with its gaps findings, a
//! person's dossier with candidate links and judgements, the archivist's page and the
//! background jobs, and the originals. Each through the router, as a client would call it.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use kartoteka_archive::{Archive, HeadKeys, IngestOptions, NoProgress};
use kartoteka_model::{Role, Scope};
use kartoteka_server::{router, App, Config};
use serde_json::Value;

use common::Room;

fn write(root: &Path, path: &str, text: &[u8]) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A 1x1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// An archive with an inventory of one fonds: file 1 of two sheets, file 2 listed but
/// absent, file 10 present, and a file of another inventory that no inventory lists; two
/// documents name the same person the same way; one scan; one file that cannot be read.
fn archive_room() -> Room {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    write(
        &docs,
        "ф. 1/оп. 1/д. 1/л. 1.txt",
        "Справка. Соколов Иван Петрович завербован в 1937 году.".as_bytes(),
    );
    write(
        &docs,
        "ф. 1/оп. 1/д. 1/л. 2.txt",
        "Донесение. Соколов Иван Петрович прибыл в Берлин.\n\nВстреча состоялась.".as_bytes(),
    );
    write(
        &docs,
        "ф. 1/оп. 1/д. 10/л. 1.txt",
        "Приказ о переводе.".as_bytes(),
    );
    write(
        &docs,
        "ф. 1/оп. 2/д. 1/л. 1.txt",
        "Опись не знает этого дела.".as_bytes(),
    );
    write(&docs, "ф. 1/оп. 1/д. 10/л. 2.png", PNG);
    write(
        &docs,
        "broken/report.pdf",
        b"%PDF-1.7\nthis is not a PDF body",
    );
    let inventory = dir.path().join("opis.csv");
    std::fs::write(
        &inventory,
        "reference,path,title,dates,sheets\n\
         \"ф. 1, оп. 1, д. 1\",docs/ф. 1/оп. 1/д. 1,Дело Соколова,1937-1940,2\n\
         \"ф. 1, оп. 1, д. 2\",docs/ф. 1/оп. 1/д. 2,Дело изъятое,1941,5\n\
         \"ф. 1, оп. 1, д. 10\",docs/ф. 1/оп. 1/д. 10,Приказы,1950,2\n",
    )
    .unwrap();
    let root = dir.path().join("archive");
    let archive = Archive::init(&root).unwrap();
    archive
        .ingest(
            &[docs],
            &IngestOptions {
                inventory: Some(inventory),
                ..IngestOptions::default()
            },
            &NoProgress,
        )
        .unwrap();
    archive.gaps(None).unwrap();
    archive
        .reports()
        .set_marking_rule("ф. 1, оп. 2", "SECRET//NOFORN", "operational file")
        .unwrap();
    archive.extract_mentions(None, &NoProgress).unwrap();
    archive.identities().resolve().unwrap();
    let mut tokens = Vec::new();
    for role in [Role::Archivist, Role::Researcher, Role::Analyst] {
        archive
            .access()
            .add_user(role.as_str(), role, None, Some(common::PASSWORD))
            .unwrap();
        let (_, secret) = archive
            .access()
            .create_token(role.as_str(), &Scope::ALL)
            .unwrap();
        tokens.push((role, secret));
    }
    let app = App::new(
        archive,
        HeadKeys::new(dir.path().join("keys")),
        Config {
            secure_cookies: false,
            upload_limit: 2 << 20,
            ..Config::default()
        },
    )
    .unwrap();
    Room {
        router: router(app.clone()),
        app,
        dir,
        tokens,
        read_tokens: Vec::new(),
        dead_tokens: Vec::new(),
    }
}

async fn get(room: &Room, role: Role, uri: &str) -> (StatusCode, String) {
    room.get_as(role, uri).await
}

fn unit_uri(base: &str, unit: &str) -> String {
    let q: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("unit", unit)
        .finish();
    format!("{base}?{q}")
}

fn references(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tree_leads_from_the_fonds_to_a_sheet_with_the_gaps_on_the_way() {
    let room = archive_room();
    let top = room.get_json(Role::Researcher, "/api/units").await;
    assert_eq!(references(&top["tree"]["children"]), ["ф. 1"]);
    let fonds = &top["tree"]["children"][0];
    assert_eq!(fonds["documents"], 5, "{fonds}");
    assert_eq!(
        fonds["worst"], "high",
        "a missing file is the worst: {fonds}"
    );
    assert_eq!(
        top["tree"]["unplaced"], 1,
        "the unreadable PDF has no place: {top}"
    );

    // The inventory: files in their numbering's order, the absent one among them.
    let inventory = room
        .get_json(Role::Researcher, &unit_uri("/api/units", "ф. 1, оп. 1"))
        .await;
    let files = &inventory["tree"]["children"];
    assert_eq!(
        references(files),
        [
            "ф. 1, оп. 1, д. 1",
            "ф. 1, оп. 1, д. 2",
            "ф. 1, оп. 1, д. 10"
        ]
    );
    assert_eq!(files[1]["listed"], true);
    assert_eq!(files[1]["documents"], 0);
    assert_eq!(files[1]["worst"], "high", "{}", files[1]);
    assert_eq!(files[0]["title"], "Дело Соколова");
    assert_eq!(inventory["tree"]["trail"][0]["reference"], "ф. 1");
    let kinds: Vec<&str> = inventory["tree"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"missing"), "{kinds:?}");

    // The other inventory's file is in the tree though no inventory lists it.
    let fonds = room
        .get_json(Role::Researcher, &unit_uri("/api/units", "ф. 1"))
        .await;
    let inventories = &fonds["tree"]["children"];
    assert_eq!(references(inventories), ["ф. 1, оп. 1", "ф. 1, оп. 2"]);
    assert_eq!(inventories[1]["documents"], 1);

    // A file: its documents by sheet, the way up, and its history.
    let file = room
        .get_json(
            Role::Researcher,
            &unit_uri("/api/units", "ф. 1, оп. 1, д. 1"),
        )
        .await;
    assert_eq!(
        references(&file["tree"]["documents"]),
        ["ф. 1, оп. 1, д. 1, л. 1", "ф. 1, оп. 1, д. 1, л. 2"]
    );
    assert_eq!(references(&file["tree"]["trail"]), ["ф. 1", "ф. 1, оп. 1"]);
    let moments = file["history"]["timeline"].as_array().unwrap();
    assert!(
        moments.iter().filter(|m| m["kind"] == "ingest").count() >= 2,
        "both sheets' ingest is in the file's history: {moments:?}"
    );

    // The page says the same to a person, and names the finding.
    let (status, page) = get(
        &room,
        Role::Researcher,
        &unit_uri("/holdings", "ф. 1, оп. 1"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("ф. 1, оп. 1, д. 2</a>"), "{page}");
    assert!(page.contains(r#"class="finding high""#), "{page}");
    assert!(
        page.contains("<nav aria-label=\"Place in the tree\""),
        "{page}"
    );

    // Bad units are refused with the reason; absent ones are not found.
    let (status, body) = get(
        &room,
        Role::Researcher,
        &unit_uri("/api/units", "ф. 1, оп. ???"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("is not a reference code"), "{body}");
    let (status, body) = get(&room, Role::Researcher, &unit_uri("/api/units", "ф. 77")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, page) = get(&room, Role::Researcher, &unit_uri("/holdings", "ф. 77")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("role=\"alert\""), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_judgement_splits_a_person_and_the_dossier_shows_the_link_it_cut() {
    let room = archive_room();
    let found = room
        .get_json(Role::Researcher, "/api/persons?q=Соколов")
        .await;
    assert_eq!(
        found["total"], 1,
        "one name written the same way is one person: {found}"
    );
    let id = found["persons"][0]["id"].as_str().unwrap().to_string();
    let dossier = room
        .get_json(Role::Researcher, &format!("/api/persons/{id}"))
        .await;
    let mentions: Vec<String> = dossier["dossier"]["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].to_string())
        .collect();
    assert_eq!(mentions.len(), 2, "{dossier}");

    // A researcher reads but does not judge; a judgement needs its reason.
    let judgement = |why: &str| serde_json::json!({"a": mentions[0], "b": mentions[1], "verdict": "different", "why": why});
    let (status, _) = room
        .post_json(Role::Researcher, "/api/judgements", &judgement("x"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = room
        .post_json(Role::Analyst, "/api/judgements", &judgement("  "))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = room.post_json(Role::Analyst, "/api/judgements", &serde_json::json!({"a": "P1'; DROP TABLE persons; --", "b": "P2", "verdict": "same", "why": "x"}))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let why = "born 1901 in one file, 1950 in the other: <b>two men</b>";
    let (status, answer) = room
        .post_json(Role::Analyst, "/api/judgements", &judgement(why))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["judgement"]["by"], "analyst");
    let number = answer["judgement"]["id"].as_i64().unwrap();

    // Two persons now, each the other's candidate, with the judgement that parted them.
    let found = room
        .get_json(Role::Researcher, "/api/persons?q=Соколов")
        .await;
    assert_eq!(found["total"], 2, "{found}");
    for p in found["persons"].as_array().unwrap() {
        let id = p["id"].as_str().unwrap();
        let d = room
            .get_json(Role::Researcher, &format!("/api/persons/{id}"))
            .await;
        let candidates = d["candidates"].as_array().unwrap();
        let other = candidates
            .iter()
            .find(|c| c["name"].as_str().unwrap().contains("Соколов"))
            .unwrap_or_else(|| panic!("{id} has no Соколов among its candidates: {d}"));
        assert_ne!(other["person_id"], id);
        assert_eq!(other["judgements"], serde_json::json!([number]), "{other}");
        assert_ne!(
            other["verdict"], "different",
            "the names alone agree: {other}"
        );

        // The page shows the reason, escaped, and a form to judge again.
        let (status, page) = get(&room, Role::Analyst, &format!("/persons/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("&lt;b&gt;two men&lt;/b&gt;"), "{page}");
        assert!(!page.contains("<b>two men</b>"));
        assert!(
            page.contains(&format!("action=\"/persons/{id}/judgements")),
            "{page}"
        );
        // A researcher sees the links but no form.
        let (_, page) = get(&room, Role::Researcher, &format!("/persons/{id}")).await;
        assert!(page.contains("id=\"candidates\""));
        assert!(!page.contains("/judgements"), "{page}");
    }
    // The judgement is in the audit chain, by name.
    let chain = room.audit_actors("judge");
    assert!(chain.iter().any(|actor| actor == "analyst"), "{chain:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_archivist_sees_the_failures_and_a_job_runs_to_its_end_and_stays_on_record() {
    let room = archive_room();
    // The unreadable PDF is a failure of the ledger, on the archivist's page, with a retry.
    let (status, page) = get(&room, Role::Archivist, "/keeping").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("report.pdf"), "{page}");
    assert!(page.contains(r#"name="kind" value="retry""#), "{page}");
    let status_json = room.get_json(Role::Archivist, "/api/status").await;
    let failing: Vec<&str> = status_json["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        failing.iter().any(|p| p.ends_with("broken/report.pdf")),
        "{status_json}"
    );
    // Researchers do not keep.
    let (status, _) = get(&room, Role::Researcher, "/keeping").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A fixity check as a job: answered at once, then followed to its end.
    let (status, bad) = room
        .post_json(
            Role::Archivist,
            "/api/jobs",
            &serde_json::json!({"kind": "format c:"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        bad["error"]["message"].as_str().unwrap().contains("verify"),
        "{bad}"
    );
    let (status, job) = room
        .post_json(
            Role::Archivist,
            "/api/jobs",
            &serde_json::json!({"kind": "verify"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let id = job["id"].as_str().unwrap().to_string();
    let done = follow(&room, &id).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(
        done["result"]["checked"], 6,
        "every original is checked: {done}"
    );
    assert_eq!(done["result"]["passed"], 6, "{done}");
    assert_eq!(done["by"], "archivist");
    assert_eq!(done["done"], done["total"]);

    // The retry, from the page's form, leads to the job's page.
    let (cookie, csrf) = room.sign_in("archivist").await;
    let (status, headers, _) = room
        .send(
            Request::post("/keeping/jobs")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={csrf}&kind=retry")))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers[header::LOCATION].to_str().unwrap().to_string();
    assert!(location.starts_with("/jobs/J"), "{location}");
    let retry = location
        .trim_start_matches("/jobs/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(retry, id, "a new job has a new number");
    let done = follow(&room, &retry).await;
    assert_eq!(done["state"], "done", "{done}");
    assert!(
        done["result"]["errors"].to_string().contains("report.pdf"),
        "the PDF still fails: {done}"
    );
    let (status, page) = get(&room, Role::Archivist, &format!("/jobs/{retry}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("still failing"), "{page}");

    // A new server over the same archive knows both jobs by their numbers.
    let archive = Archive::open(&room.dir.path().join("archive")).unwrap();
    let app = App::new(
        archive,
        HeadKeys::new(room.dir.path().join("keys")),
        Config::default(),
    )
    .unwrap();
    let again = Room {
        router: router(app.clone()),
        app,
        dir: tempfile::tempdir().unwrap(),
        tokens: room.tokens.clone(),
        read_tokens: Vec::new(),
        dead_tokens: Vec::new(),
    };
    let listed = again.get_json(Role::Archivist, "/api/jobs").await;
    let ids: Vec<&str> = listed["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [retry.as_str(), id.as_str()], "latest first");
    let (status, _) = get(&again, Role::Archivist, "/api/jobs/J999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&again, Role::Archivist, "/api/jobs/..%2F..%2Fetc%2Fpasswd").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Asks for a job until it has ended: no longer queued or running (at most a minute).
async fn follow(room: &Room, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let job = room
            .get_json(Role::Archivist, &format!("/api/jobs/{id}"))
            .await;
        if job["state"] != "running" && job["state"] != "queued" {
            return job;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "job {id} still running: {job}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reader_marks_mentions_shows_the_scan_and_serves_originals() {
    let room = archive_room();
    let found = room
        .get_json(Role::Researcher, "/api/search?q=Берлин")
        .await;
    let doc = found["hits"][0]["doc"].as_i64().unwrap();
    let (status, page) = get(&room, Role::Researcher, &format!("/documents/{doc}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(r#"<mark class="mention person" id="mention-"#),
        "the person is marked: {page}"
    );
    assert!(page.contains(r#"<p data-start="0">"#), "{page}");
    // The second paragraph says where it starts, in characters of the page's text.
    let text = "Донесение. Соколов Иван Петрович прибыл в Берлин.\n\nВстреча состоялась.";
    let second = text[..text.find("Встреча").unwrap()].chars().count();
    assert!(
        page.contains(&format!(r#"<p data-start="{second}">Встреча"#)),
        "{page}"
    );

    // The original of a text document downloads as it was.
    let request = room.with_token(
        room.token(Role::Researcher),
        Request::get(format!("/documents/{doc}/original"))
            .body(Body::empty())
            .unwrap(),
    );
    let (status, headers, body) = room.send(request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, text);
    assert!(headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment"));

    // The scan shows beside its text, and its original is an image in place.
    let listing = room
        .get_json(
            Role::Researcher,
            &unit_uri("/api/units", "ф. 1, оп. 1, д. 10"),
        )
        .await;
    let scan = listing["tree"]["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source_path"].as_str().unwrap().ends_with(".png"))
        .unwrap_or_else(|| panic!("{listing}"))["doc"]
        .as_i64()
        .unwrap();
    let (_, page) = get(&room, Role::Researcher, &format!("/documents/{scan}")).await;
    assert!(
        page.contains(&format!(r#"<img src="/documents/{scan}/original""#)),
        "{page}"
    );
    let request = room.with_token(
        room.token(Role::Researcher),
        Request::get(format!("/documents/{scan}/original"))
            .body(Body::empty())
            .unwrap(),
    );
    let response = room.send_raw(request).await;
    assert_eq!(response.0, StatusCode::OK);
    assert_eq!(response.1[header::CONTENT_TYPE], "image/png");
    assert_eq!(response.2, PNG);
    // Every answer forbids scripts from elsewhere and framing.
    let csp = response.1[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_selected_passage_that_occurs_twice_is_anchored_where_it_was_selected() {
    let room = archive_room();
    let found = room
        .get_json(Role::Researcher, "/api/search?q=Берлин")
        .await;
    let doc = found["hits"][0]["doc"].as_i64().unwrap();
    // "Соколов Иван Петрович" occurs once on this page; "в" occurs several times.
    let text = "Донесение. Соколов Иван Петрович прибыл в Берлин.";
    let second_v = text[..text.find("в Берлин").unwrap()].chars().count();
    let note = |selector: Value| serde_json::json!({"target": doc.to_string(), "quote": "в", "selector": selector});
    let (status, body) = room
        .post_json(Role::Researcher, "/api/notes", &note(Value::Null))
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "ambiguous without a selector: {body}"
    );
    let (status, body) = room
        .post_json(
            Role::Researcher,
            "/api/notes",
            &note(serde_json::json!({"page": 1, "start": second_v})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["anchor"]["start"], second_v, "{body}");
    assert!(
        body["anchor"]["suffix"]
            .as_str()
            .unwrap()
            .starts_with(" Берлин"),
        "{body}"
    );
    let (status, body) = room
        .post_json(
            Role::Researcher,
            "/api/notes",
            &note(serde_json::json!({"page": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_read_of_a_classified_document_is_in_the_audit_chain_with_the_reader() {
    let room = archive_room();
    let listing = room
        .get_json(
            Role::Researcher,
            &unit_uri("/api/units", "ф. 1, оп. 2, д. 1"),
        )
        .await;
    let secret = listing["tree"]["documents"][0]["doc"].as_i64().unwrap();
    let listing = room
        .get_json(
            Role::Researcher,
            &unit_uri("/api/units", "ф. 1, оп. 1, д. 1"),
        )
        .await;
    let open = listing["tree"]["documents"][0]["doc"].as_i64().unwrap();
    assert!(room.audit_actors("read").is_empty());

    // Reading the open file leaves no entry; each read of the secret one leaves one.
    let (status, _) = get(&room, Role::Researcher, &format!("/documents/{open}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        room.audit_actors("read").is_empty(),
        "an open document's read is not recorded"
    );
    let (status, page) = get(&room, Role::Researcher, &format!("/documents/{secret}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("SECRET//NOFORN"),
        "the reader says what it is held under: {page}"
    );
    assert_eq!(room.audit_actors("read"), ["researcher"]);
    let (status, _) = get(&room, Role::Analyst, &format!("/api/documents/{secret}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = get(
        &room,
        Role::Archivist,
        &format!("/documents/{secret}/original"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        room.audit_actors("read"),
        ["researcher", "analyst", "archivist"]
    );
    // And the chain still holds.
    let archive = Archive::open(&room.dir.path().join("archive")).unwrap();
    let report = archive.audit_verify(None, &NoProgress).unwrap();
    assert!(report.ok, "{:?}", report.problem);
}

async fn upload(room: &Room, bytes: Vec<u8>, name: &str) -> (StatusCode, Value) {
    let request = room.with_token(
        room.token(Role::Archivist),
        Request::post(format!("/api/uploads?name={name}"))
            .header(header::CONTENT_TYPE, "application/zip")
            .body(Body::from(bytes))
            .unwrap(),
    );
    let (status, _, body) = room.send(request).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_folder_and_an_uploaded_bag_are_ingested_and_a_hostile_zip_writes_nothing() {
    let room = archive_room();
    let before = room.get_json(Role::Archivist, "/api/status").await["documents"]
        .as_u64()
        .unwrap();

    // A folder of originals with its inventory at the top: placed by it.
    let folder = common::zip_of(&[
        (
            "postuplenie/opis.csv",
            "reference,path,title,dates,sheets\n\"ф. 2, оп. 1, д. 1\",д1,Дело из загрузки,1952,1\n"
                .as_bytes(),
        ),
        (
            "postuplenie/д1/л1.txt",
            "Донесение из загруженной папки.".as_bytes(),
        ),
    ]);
    let (status, job) = upload(&room, folder, "postuplenie.zip").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert_eq!(job["kind"], "ingest");
    assert_eq!(job["upload"], "postuplenie.zip");
    let done = follow(&room, job["id"].as_str().unwrap()).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["result"]["added"], 1, "{done}");
    let file = room
        .get_json(
            Role::Researcher,
            &unit_uri("/api/units", "ф. 2, оп. 1, д. 1"),
        )
        .await;
    assert_eq!(file["tree"]["unit"]["title"], "Дело из загрузки", "{file}");
    assert_eq!(file["tree"]["documents"].as_array().unwrap().len(), 1);
    let found = room
        .get_json(Role::Researcher, "/api/search?q=загруженной")
        .await;
    assert_eq!(found["total"], 1, "the upload is searchable: {found}");

    // A bag made by this archive, zipped, comes back in as a transfer.
    let bag = room.dir.path().join("bag");
    {
        // Written beside the server as the command line writes: under the seal.
        let archive = Archive::open(&room.dir.path().join("archive")).unwrap();
        let keys = HeadKeys::new(room.dir.path().join("keys"));
        archive.check_seal(&keys).unwrap();
        archive
            .export_bag(
                &kartoteka_archive::ExportOptions {
                    units: vec![kartoteka_model::Reference::parse("ф. 1, оп. 1, д. 1").unwrap()],
                    out: bag.clone(),
                    ..Default::default()
                },
                &NoProgress,
            )
            .unwrap();
        archive.seal_head(&keys).unwrap();
    }
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    for entry in walk(&bag) {
        let name = entry
            .strip_prefix(&bag)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        entries.push((format!("bag/{name}"), std::fs::read(&entry).unwrap()));
    }
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let (status, job) = upload(&room, common::zip_of(&refs), "bag.zip").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let done = follow(&room, job["id"].as_str().unwrap()).await;
    assert_eq!(done["state"], "done", "{done}");
    assert!(
        done["summary"].as_str().unwrap().starts_with("bag "),
        "{done}"
    );
    assert!(done["result"]["transfer"].as_i64().unwrap() > 0, "{done}");

    // Hostile uploads: a path out of the folder fails the job and writes nothing; what is
    // not a zip, or is too large, is refused before any job.
    let documents = room.get_json(Role::Archivist, "/api/status").await["documents"]
        .as_u64()
        .unwrap();
    let evil = common::hostile_zip("../../escaped.txt");
    let (status, job) = upload(&room, evil, "evil.zip").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let failed = follow(&room, job["id"].as_str().unwrap()).await;
    assert_eq!(failed["state"], "failed", "{failed}");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("outside the upload"),
        "{failed}"
    );
    assert!(!room.dir.path().join("escaped.txt").exists());
    assert!(!room.dir.path().join("archive/escaped.txt").exists());
    let after = room.get_json(Role::Archivist, "/api/status").await["documents"]
        .as_u64()
        .unwrap();
    assert_eq!(
        after, documents,
        "nothing of the hostile upload was ingested"
    );
    assert!(after > before);

    let (status, body) = upload(&room, b"not a zip at all".to_vec(), "x.zip").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a zip"),
        "{body}"
    );
    let request = room.with_token(
        room.token(Role::Archivist),
        Request::post("/api/uploads")
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from("x"))
            .unwrap(),
    );
    let (status, _, _) = room.send(request).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, body) = upload(&room, vec![0u8; 3 << 20], "big.zip").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    // Nothing half-received is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(room.dir.path().join("archive/uploads"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A researcher does not upload.
    let request = room.with_token(
        room.token(Role::Researcher),
        Request::post("/api/uploads")
            .header(header::CONTENT_TYPE, "application/zip")
            .body(Body::from(common::zip_of(&[("a.txt", b"a")])))
            .unwrap(),
    );
    let (status, _, _) = room.send(request).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persons_and_notes_export_for_other_tools_as_they_stream() {
    let room = archive_room();
    let request = room.with_token(
        room.token(Role::Researcher),
        Request::get("/api/export/persons")
            .body(Body::empty())
            .unwrap(),
    );
    let (status, headers, body) = room.send(request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/x-ndjson");
    let entities: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        entities
            .iter()
            .any(|e| e["schema"] == "Person"
                && e["properties"]["name"].to_string().contains("Соколов")),
        "{body}"
    );
    let found = room
        .get_json(Role::Researcher, "/api/search?q=Берлин")
        .await;
    let doc = found["hits"][0]["doc"].as_i64().unwrap();
    let (status, _) = room.post_json(Role::Researcher, "/api/notes", &serde_json::json!({"target": doc.to_string(), "quote": "прибыл в Берлин", "comment": "проверить"}))
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let request = room.with_token(
        room.token(Role::Researcher),
        Request::get("/api/export/notes")
            .body(Body::empty())
            .unwrap(),
    );
    let (status, headers, body) = room.send(request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/ld+json");
    let annotations: Value = serde_json::from_str(&body).unwrap();
    assert!(
        body.contains("TextQuoteSelector") && body.contains("прибыл в Берлин"),
        "{annotations}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archivist_says_where_a_finding_stands_and_an_explanation_needs_its_reason() {
    let room = archive_room();
    let inventory = room
        .get_json(Role::Archivist, &unit_uri("/api/units", "ф. 1, оп. 1"))
        .await;
    let missing = inventory["tree"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "missing")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let uri = format!("/api/findings/{missing}");
    let (status, body) = room
        .post_json(
            Role::Archivist,
            &uri,
            &serde_json::json!({"status": "explained"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "explained without a note: {body}"
    );
    let (status, _) = room
        .post_json(
            Role::Researcher,
            &uri,
            &serde_json::json!({"status": "open"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = room.post_json(Role::Archivist, &uri, &serde_json::json!({"status": "explained", "note": "destroyed by act no. 12 of 1956 <script>"}))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "explained");
    let (status, page) = get(
        &room,
        Role::Researcher,
        &unit_uri("/holdings", "ф. 1, оп. 1"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("destroyed by act no. 12 of 1956 &lt;script&gt;"),
        "{page}"
    );
    assert!(
        !page.contains("/holdings/findings/"),
        "a researcher gets no form: {page}"
    );
    let (_, page) = get(
        &room,
        Role::Archivist,
        &unit_uri("/holdings", "ф. 1, оп. 1"),
    )
    .await;
    assert!(
        page.contains(&format!("action=\"/holdings/findings/{missing}")),
        "{page}"
    );
    assert_eq!(room.audit_actors("annotate"), ["archivist"]);
    let (status, _) = room
        .post_json(
            Role::Archivist,
            "/api/findings/99999",
            &serde_json::json!({"status": "open"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The administrator's desk: users added, tokens made and revoked, users disabled, each
/// taking effect at once, audited in the administrator's name, and no secret shown twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_adds_and_disables_users_and_makes_and_revokes_tokens() {
    let room = common::room();
    let admin = Role::Administrator;
    let (status, made) = room.post_json(admin, "/api/users", &serde_json::json!({"name": "pavel", "role": "researcher", "password": common::PASSWORD}))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["role"], "researcher");
    assert_eq!(made["password"], true);
    // The new user signs in with the password given.
    let (cookie, _) = room.sign_in("pavel").await;
    assert!(!cookie.is_empty(), "pavel could not sign in");

    // A token for pavel: its secret comes back once and works.
    let (status, token) = room
        .post_json(
            admin,
            "/api/tokens",
            &serde_json::json!({"user": "pavel", "scopes": ["read"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    let secret = token["token"].as_str().unwrap().to_string();
    let id = token["id"].as_str().unwrap().to_string();
    let search = || {
        Request::get("/api/search?q=klim")
            .body(Body::empty())
            .unwrap()
    };
    let (status, _, _) = room.send(room.with_token(&secret, search())).await;
    assert_eq!(status, StatusCode::OK);

    // The listing has everyone, and neither a secret nor a hash of one.
    let (status, listing) = get(&room, admin, "/api/users").await;
    assert_eq!(status, StatusCode::OK, "{listing}");
    assert!(listing.contains(r#""name":"pavel""#), "{listing}");
    assert!(listing.contains(&format!(r#""id":"{id}""#)), "{listing}");
    for secretive in [secret.as_str(), "$argon2", "hash"] {
        assert!(!listing.contains(secretive), "{secretive} in {listing}");
    }

    // What cannot be done is refused with the reason, and nothing is made.
    for (body, why) in [
        (
            serde_json::json!({"name": "x1", "role": "curator"}),
            "curator",
        ),
        (
            serde_json::json!({"name": "<b>x</b>", "role": "researcher"}),
            "user name",
        ),
        (
            serde_json::json!({"name": "pavel", "role": "researcher"}),
            "already",
        ),
        (
            serde_json::json!({"name": "lia", "role": "liaison"}),
            "partner",
        ),
        (
            serde_json::json!({"name": "shorty", "role": "researcher", "password": "short"}),
            "password",
        ),
    ] {
        let (status, answer) = room.post_json(admin, "/api/users", &body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert!(answer.to_string().contains(why), "{body}: {answer}");
    }
    for (body, status_wanted) in [
        (serde_json::json!({"user": "pavel", "scopes": []}), 400),
        (
            serde_json::json!({"user": "pavel", "scopes": ["delete"]}),
            400,
        ),
        (
            serde_json::json!({"user": "nobody", "scopes": ["read"]}),
            404,
        ),
    ] {
        let (status, answer) = room.post_json(admin, "/api/tokens", &body.clone()).await;
        assert_eq!(status.as_u16(), status_wanted, "{body}: {answer}");
    }
    let (_, after) = get(&room, admin, "/api/users").await;
    for name in ["x1", "lia", "shorty"] {
        assert!(!after.contains(&format!(r#""name":"{name}""#)), "{after}");
    }

    // Revoked, the token authenticates nothing; revoked twice, the second is refused.
    let revoke = || {
        room.with_token(
            room.token(admin),
            Request::delete(format!("/api/tokens/{id}"))
                .body(Body::empty())
                .unwrap(),
        )
    };
    let (status, _, body) = room.send(revoke()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(r#""revoked":true"#), "{body}");
    let (status, _, _) = room.send(room.with_token(&secret, search())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, body) = room.send(revoke()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // Disabled, pavel's session ends at once; an administrator cannot disable themself.
    let (status, user) = room
        .post_json(admin, "/api/users/pavel/disable", &Value::Null)
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["disabled"], true);
    let (status, headers, _) = room.get_with_cookie("/", &cookie).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[header::LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    let (status, answer) = room
        .post_json(admin, "/api/users/administrator/disable", &Value::Null)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let (status, _) = room
        .post_json(admin, "/api/users/nobody/disable", &Value::Null)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // From the page: a token made with the form is shown once, on a page no cache keeps;
    // without the session's CSRF token the form does nothing.
    let (cookie, csrf) = room.sign_in("administrator").await;
    let form = |body: String| {
        Request::post("/access/tokens")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let (status, _, _) = room
        .send(form("user=researcher&scopes=read".to_string()))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, headers, page) = room
        .send(form(format!(
            "csrf={csrf}&user=researcher&scopes=read&scopes=write"
        )))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let shown = page
        .split(r#"id="secret" readonly value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no secret on the page: {page}"));
    let (status, _, _) = room.send(room.with_token(shown, search())).await;
    assert_eq!(status, StatusCode::OK);
    // The page lists pavel as disabled, with no button to disable him again.
    let (_, _, page) = room.get_with_cookie("/access", &cookie).await;
    assert!(
        page.contains(r#"<tr id="user-pavel" class="disabled">"#),
        "{page}"
    );
    assert!(!page.contains("/access/users/pavel/disable"), "{page}");
    assert!(!page.contains(shown), "the secret is shown once only");

    // Each change in the administrator's name.
    for action in ["user", "token"] {
        let actors = room.audit_actors(action);
        assert!(
            actors.iter().filter(|a| *a == "administrator").count() >= 2,
            "{action}: {actors:?}"
        );
    }
}
