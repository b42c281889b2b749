//! The reading room from the command line: `user` and `token` manage who may enter,
//! `serve` opens the room, as a user runs them.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

use common::{http, json, kartoteka, sample_archive, serve};
use predicates::prelude::*;

fn password_file(dir: &Path, password: &str) -> std::path::PathBuf {
    let path = dir.join("password.txt");
    std::fs::write(&path, format!("{password}\n")).unwrap();
    path
}

#[test]
fn users_and_tokens_are_managed_from_the_command_line_with_clear_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    kartoteka(&archive).arg("init").assert().success();
    let pw = password_file(dir.path(), "correct horse battery staple");
    kartoteka(&archive)
        .args([
            "user",
            "add",
            "vera",
            "--role",
            "researcher",
            "--password-file",
        ])
        .arg(&pw)
        .assert()
        .success()
        .stdout(predicate::str::contains("Added vera as researcher"));
    // Refusals, each naming the problem, each a usage error (2) or "no such thing" (3).
    let refusals: &[(&[&str], i32, &str)] = &[
        (
            &["user", "add", "vera", "--role", "analyst"],
            2,
            "already a user named",
        ),
        (
            &["user", "add", "anna", "--role", "curator"],
            2,
            "unknown role \"curator\"",
        ),
        (
            &["user", "add", "an na", "--role", "analyst"],
            2,
            "no spaces",
        ),
        (&["user", "add", "mi5", "--role", "liaison"], 2, "--partner"),
        (
            &[
                "user",
                "add",
                "mi5",
                "--role",
                "liaison",
                "--partner",
                "GBR-MI5",
            ],
            3,
            "partner GBR-MI5",
        ),
        (
            &[
                "user",
                "add",
                "anna",
                "--role",
                "analyst",
                "--partner",
                "GBR-MI5",
            ],
            2,
            "only a liaison",
        ),
        (&["user", "disable", "nobody"], 3, "user \"nobody\""),
        (
            &["token", "create", "vera", "--scope", "everything"],
            2,
            "unknown scope",
        ),
        (
            &["token", "create", "nobody", "--scope", "read"],
            3,
            "user \"nobody\"",
        ),
        (&["token", "revoke", "T9"], 3, "token T9"),
    ];
    for (args, code, says) in refusals {
        kartoteka(&archive)
            .args(*args)
            .assert()
            .code(*code)
            .stderr(predicate::str::contains(*says));
    }
    let short = password_file(dir.path(), "short");
    kartoteka(&archive)
        .args([
            "user",
            "add",
            "anna",
            "--role",
            "analyst",
            "--password-file",
        ])
        .arg(&short)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("at least 12 characters"));

    let token = json(kartoteka(&archive).args([
        "token",
        "create",
        "vera",
        "--scope",
        "read,write",
        "--json",
    ]));
    assert_eq!(token["id"], "T1");
    assert!(
        token["token"].as_str().unwrap().starts_with("kt_"),
        "{token}"
    );
    assert_eq!(token["scopes"], serde_json::json!(["read", "write"]));
    let users = json(kartoteka(&archive).args(["user", "list", "--json"]));
    assert_eq!(users["users"][0]["name"], "vera");
    assert_eq!(users["users"][0]["password"], true);
    let listed = kartoteka(&archive)
        .args(["user", "list", "--json"])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&listed.stdout).contains("argon2"),
        "no hash is shown"
    );
    let tokens = kartoteka(&archive)
        .args(["token", "list", "--json"])
        .output()
        .unwrap();
    let tokens = String::from_utf8_lossy(&tokens.stdout).into_owned();
    assert!(tokens.contains("\"T1\"") && !tokens.contains(token["token"].as_str().unwrap()));
    kartoteka(&archive)
        .args(["token", "revoke", "T1"])
        .assert()
        .success();
    kartoteka(&archive)
        .args(["token", "revoke", "T1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already revoked"));
    kartoteka(&archive)
        .args(["user", "disable", "vera"])
        .assert()
        .success();
    // Every change is in the audit chain, and no secret is.
    let log = kartoteka(&archive)
        .args(["audit", "log", "--json"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&log.stdout).into_owned();
    assert!(log.matches("\"user\"").count() >= 2, "{log}");
    assert!(log.contains("\"token\""), "{log}");
    assert!(!log.contains("argon2") && !log.contains(token["token"].as_str().unwrap()));
    kartoteka(&archive)
        .args(["audit", "verify"])
        .assert()
        .success();
}

fn query(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[test]
fn serve_answers_a_token_as_the_command_line_answers_and_refuses_a_request_without_one() {
    let dir = sample_archive();
    let archive = dir.path();
    kartoteka(archive)
        .args(["user", "add", "vera", "--role", "researcher"])
        .assert()
        .success()
        .stdout(predicate::str::contains("tokens only"));
    let token =
        json(kartoteka(archive).args(["token", "create", "vera", "--scope", "read", "--json"]));
    let bearer = format!("Bearer {}", token["token"].as_str().unwrap());
    let server = serve(archive);

    let (status, body) = http(&server.addr, "GET", "/api/openapi.json", &[], "");
    assert_eq!(status, 200);
    let openapi: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(openapi["openapi"], "3.1.0");
    assert!(openapi["paths"]["/api/search"]["get"].is_object());

    let path = format!("/api/search?q={}&limit=5", query("Соколовой"));
    let (status, body) = http(&server.addr, "GET", &path, &[], "");
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("\"unauthorized\""));
    let (status, body) = http(
        &server.addr,
        "GET",
        &path,
        &[("Authorization", &bearer)],
        "",
    );
    assert_eq!(status, 200, "{body}");
    let served: serde_json::Value = serde_json::from_str(&body).unwrap();
    let cli = json(kartoteka(archive).args(["search", "Соколовой", "--limit", "5", "--json"]));
    assert!(served["total"].as_u64().unwrap() > 0, "{served}");
    assert_eq!(served["total"], cli["total"]);
    let docs = |v: &serde_json::Value| {
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h["doc"].clone(), h["page"].clone(), h["snippet"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        docs(&served),
        docs(&cli),
        "the same hits, in the same order, with the same snippets"
    );

    // The read token may not write.
    let (status, body) = http(
        &server.addr,
        "POST",
        "/api/notes",
        &[
            ("Authorization", &bearer),
            ("Content-Type", "application/json"),
        ],
        r#"{"target": "1", "quote": "x"}"#,
    );
    assert_eq!(status, 403, "{body}");
    // The server holds no writer lock while idle: a command-line writer runs beside it.
    kartoteka(archive)
        .args(["user", "add", "anna", "--role", "analyst"])
        .assert()
        .success();
    drop(server);
    kartoteka(archive)
        .args(["audit", "verify"])
        .assert()
        .success();
}

#[test]
fn serve_refuses_a_bad_address_a_bad_lease_and_a_missing_archive() {
    let dir = tempfile::tempdir().unwrap();
    kartoteka(&dir.path().join("nowhere"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no archive at"));
    let archive = dir.path().join("archive");
    kartoteka(&archive).arg("init").assert().success();
    kartoteka(&archive)
        .args(["serve", "--addr", "localhost-8080"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--addr"));
    // A job lease of no time would let every server take every job.
    for lease in ["0", "soon"] {
        kartoteka(&archive)
            .args(["serve", "--addr", "127.0.0.1:0", "--job-lease", lease])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--job-lease"));
    }
}

#[test]
fn a_server_killed_while_writing_leaves_nothing_half_written() {
    let dir = sample_archive();
    let archive = dir.path();
    kartoteka(archive)
        .args(["user", "add", "vera", "--role", "researcher"])
        .assert()
        .success();
    let token = json(kartoteka(archive).args([
        "token",
        "create",
        "vera",
        "--scope",
        "read,write",
        "--json",
    ]));
    let bearer = format!("Bearer {}", token["token"].as_str().unwrap());
    let mut server = serve(archive);
    let addr = server.addr.clone();
    let writer = std::thread::spawn(move || {
        let mut written = 0;
        for i in 0..10_000 {
            let body = serde_json::json!({"target": "1", "quote": "KUZMIN met HOLA", "comment": format!("note {i}")}).to_string();
            let Ok(mut stream) = TcpStream::connect(&addr) else {
                break;
            };
            let request = format!(
                "POST /api/notes HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {bearer}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            if stream.write_all(request.as_bytes()).is_err() {
                break;
            }
            let mut answer = String::new();
            if stream.read_to_string(&mut answer).is_err() || !answer.starts_with("HTTP/1.1 201") {
                eprintln!("the writer stops at: {answer}");
                break;
            }
            written += 1;
        }
        written
    });
    std::thread::sleep(std::time::Duration::from_millis(1500));
    // SIGKILL: no graceful shutdown, wherever the server is in a write.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let acknowledged = writer.join().unwrap();
    assert!(
        acknowledged > 0,
        "the server wrote nothing before it was killed"
    );

    kartoteka(archive)
        .args(["audit", "verify"])
        .assert()
        .success();
    let notes = json(kartoteka(archive).args(["note", "list", "--json"]));
    let kept = notes["notes"].as_array().unwrap().len();
    let log = json(kartoteka(archive).args(["audit", "log", "--json"]));
    let audited = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "note")
        .count();
    assert_eq!(
        kept, audited,
        "every note kept is audited, and no entry lacks its note"
    );
    assert!(
        kept >= acknowledged,
        "every note the server acknowledged is kept ({kept} < {acknowledged})"
    );
    assert!(
        kept <= acknowledged + 1,
        "at most the one in flight beyond those acknowledged"
    );
    // The room opens again over the same archive.
    let server = serve(archive);
    let (status, _) = http(&server.addr, "GET", "/api/openapi.json", &[], "");
    assert_eq!(status, 200);
}
