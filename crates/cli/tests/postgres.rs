//! Archives whose records are in PostgreSQL (`--store postgres://...`), on the server
//! `scripts/postgres-local` names: the same answers as the embedded store, folders that
//! share one database, and the refusals.

mod common;

use std::path::Path;

use common::{json, kartoteka, sample};
use kartoteka_store::conformance::{scratch_postgres, ScratchDatabase};
use predicates::prelude::*;
use serde_json::Value;

fn database(name: &str) -> Option<ScratchDatabase> {
    scratch_postgres(name)
}

/// Adds a user of `role` through `archive` and makes it a token of `scopes`: the
/// `Authorization` header that carries it.
fn user_with_token(archive: &Path, name: &str, role: &str, scopes: &str) -> String {
    let password = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(password.path(), "a long enough password for the test").unwrap();
    kartoteka(archive)
        .args(["user", "add", name, "--role", role, "--password-file"])
        .arg(password.path())
        .assert()
        .success();
    let made =
        json(kartoteka(archive).args(["token", "create", name, "--scope", scopes, "--json"]));
    format!("Bearer {}", made["token"].as_str().unwrap())
}

/// Writes a note ("вербовка") on the recruitment in document 5 through `archive`.
fn note_the_recruitment(archive: &Path) {
    kartoteka(archive)
        .args(["note", "add", "5", "--quote", "Соколова Вера Андреевна"])
        .args(["--comment", "вербовка"])
        .assert()
        .success();
}

/// A folder `in` under `dir` holding `files` (name, text): what a test ingests.
fn documents(dir: &Path, files: &[(&str, &str)]) -> std::path::PathBuf {
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    for (name, text) in files {
        std::fs::write(input.join(name), text).unwrap();
    }
    input
}

/// Ingests the sample (with its inventory), extracts and resolves, through `store` when
/// given.
fn sample_pipeline(archive: &Path, store: Option<&str>) {
    let mut ingest = kartoteka(archive);
    if let Some(url) = store {
        ingest.arg("--store").arg(url);
    }
    let report = json(
        ingest
            .arg("ingest")
            .arg(sample().join("documents"))
            .arg("--inventory")
            .arg(sample().join("opis.csv"))
            .arg("--json"),
    );
    assert_eq!(report["failed"], 0, "{report}");
    for command in ["extract", "resolve"] {
        kartoteka(archive).arg(command).assert().success();
    }
}

/// A command's JSON with what differs from run to run (times, durations, the folder) set aside.
fn answer(archive: &Path, args: &[&str]) -> Value {
    let mut value = json(kartoteka(archive).args(args).arg("--json"));
    scrub(&mut value, &archive.display().to_string());
    value
}

fn scrub(value: &mut Value, folder: &str) {
    match value {
        Value::Object(map) => {
            for key in ["seconds", "first_seen", "at", "ingested_at"] {
                map.remove(key);
            }
            map.values_mut().for_each(|v| scrub(v, folder));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| scrub(v, folder)),
        Value::String(s) => *s = s.replace(folder, "ARCHIVE"),
        _ => {}
    }
}

#[test]
fn the_sample_answers_the_same_from_postgresql_as_from_the_folder() {
    let Some(db) = database("same") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("folder");
    let shared = dir.path().join("shared");
    sample_pipeline(&folder, None);
    sample_pipeline(&shared, Some(&db.url));
    // The records are in the database: the folder keeps its index, keys and a note of where.
    assert!(!shared.join("archive.db").exists());
    assert_eq!(
        std::fs::read_to_string(shared.join("store.url"))
            .unwrap()
            .trim(),
        db.url
    );
    for args in [
        &["status"][..],
        &["search", "Кузьмин"],
        &["search", "Sokolov", "--limit", "50"],
        &["search", "ХОЛА", "--in", "ф. 9001, оп. 1, д. 2"],
        &["show", "ф. 9001, оп. 1"],
        &["show", "5"],
        &["gaps"],
        &["mentions"],
        &["persons"],
        &["cover-names"],
        &["dossier", "P3"],
    ] {
        assert_eq!(
            answer(&shared, args),
            answer(&folder, args),
            "kartoteka {args:?}"
        );
    }
    let chain = answer(&shared, &["audit", "verify"]);
    assert_eq!(chain["ok"], true, "{chain}");
    assert_eq!(
        chain["entries"],
        answer(&folder, &["audit", "verify"])["entries"]
    );
}

#[test]
fn a_second_folder_over_the_same_database_reads_the_same_archive() {
    let Some(db) = database("join") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    let second = dir.path().join("second");
    sample_pipeline(&first, Some(&db.url));
    // A new folder over a database that holds an archive joins it: its index is built
    // from the records it finds there.
    kartoteka(&second)
        .args(["--store", &db.url, "init"])
        .assert()
        .success();
    assert_eq!(
        answer(&second, &["search", "Кузьмин"]),
        answer(&first, &["search", "Кузьмин"])
    );
    assert_eq!(answer(&second, &["persons"]), answer(&first, &["persons"]));
    // Written through one, the records are there through the other, in one audit chain.
    note_the_recruitment(&second);
    let notes = answer(&first, &["note", "list"]);
    assert!(notes.to_string().contains("вербовка"), "{notes}");
    let chain = answer(&first, &["audit", "verify"]);
    assert_eq!(chain["ok"], true, "{chain}");
}

#[test]
fn a_store_that_cannot_be_used_is_refused_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    kartoteka(&archive)
        .args(["--store", "postgres://kartoteka@127.0.0.1:1/none", "init"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "cannot connect to postgres://kartoteka@127.0.0.1:1/none",
        ));
    assert!(!archive.exists(), "a failed init leaves no folder");
    kartoteka(&archive)
        .args(["--store", "mysql://root@localhost/db", "init"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--store").and(predicate::str::contains("postgres://")));
    // A password given in the URL is never shown.
    kartoteka(&archive)
        .args(["--store", "postgres://k:hunter2@127.0.0.1:1/none", "init"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("hunter2").not());
}

#[test]
fn an_archive_asked_for_in_another_store_is_refused() {
    let Some(db) = database("elsewhere") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("folder");
    kartoteka(&folder).arg("init").assert().success();
    kartoteka(&folder)
        .args(["--store", &db.url, "status"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("keeps its records in")
                .and(predicate::str::contains("archive.db")),
        );
    let shared = dir.path().join("shared");
    let input = documents(dir.path(), &[("a.txt", "Донесение.")]);
    kartoteka(&shared)
        .args(["--store", &db.url, "ingest"])
        .arg(&input)
        .assert()
        .success();
    kartoteka(&folder)
        .arg("ingest")
        .arg(&input)
        .assert()
        .success();
    let other = db.url.replace("kartoteka_elsewhere", "kartoteka_other");
    kartoteka(&shared)
        .args(["--store", &other, "status"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(&db.url));
    // A migration into a database that holds records already is refused, and makes nothing.
    let to = dir.path().join("moved");
    kartoteka(&folder)
        .args(["--store", &db.url, "migrate", "--to"])
        .arg(&to)
        .assert()
        .failure()
        .stderr(predicate::str::contains("empty store only"));
    assert!(!to.exists());
}

#[test]
fn an_archive_moves_into_postgresql_and_back_with_its_chain_intact() {
    let Some(db) = database("migrate") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (folder, shared, back) = (
        dir.path().join("folder"),
        dir.path().join("shared"),
        dir.path().join("back"),
    );
    sample_pipeline(&folder, None);
    note_the_recruitment(&folder);
    let there = json(
        kartoteka(&folder)
            .args(["--store", &db.url, "migrate", "--to"])
            .arg(&shared)
            .arg("--json"),
    );
    assert_eq!(there["store"], db.url.as_str(), "{there}");
    let chain = answer(&folder, &["audit", "verify"]);
    assert_eq!(there["audit_entries"], chain["entries"]);
    assert_eq!(there["audit_head"], chain["head"]);
    assert!(!shared.join("archive.db").exists());
    let back_again = json(
        kartoteka(&shared)
            .args(["migrate", "--to"])
            .arg(&back)
            .arg("--json"),
    );
    assert!(back.join("archive.db").is_file());
    // Every table arrived whole both ways: the same rows, counted and hashed.
    assert_eq!(back_again["tables"], there["tables"]);
    let rows: u64 = there["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["rows"].as_u64().unwrap())
        .sum();
    assert!(rows > 500, "{there}");
    for args in [
        &["status"][..],
        &["search", "Кузьмин"],
        &["persons"],
        &["note", "list"],
        &["audit", "log"],
    ] {
        let expected = answer(&folder, args);
        assert_eq!(
            answer(&shared, args),
            expected,
            "kartoteka {args:?} in PostgreSQL"
        );
        assert_eq!(
            answer(&back, args),
            expected,
            "kartoteka {args:?} back in a folder"
        );
    }
    // Numbers go on after the ones moved, in both.
    for archive in [&shared, &back] {
        let made = json(kartoteka(archive).args(["note", "add", "6", "--quote", "ХОЛА", "--json"]));
        assert_eq!(made["id"], 2, "{made}");
    }
}

/// The pages a search finds through `archive` (its own index), by document number.
fn found(archive: &Path, query: &str) -> Vec<u64> {
    let answer = json(kartoteka(archive).args(["search", query, "--json"]));
    let mut docs: Vec<u64> = answer["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["doc"].as_u64().unwrap())
        .collect();
    docs.sort();
    docs
}

#[test]
fn a_folder_takes_in_what_another_folder_wrote_to_the_shared_store() {
    let Some(db) = database("follow") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    let input = documents(
        dir.path(),
        &[("a.txt", "Донесение о встрече в Стокгольме.")],
    );
    kartoteka(&first)
        .args(["--store", &db.url, "ingest"])
        .arg(&input)
        .assert()
        .success();
    kartoteka(&second)
        .args(["--store", &db.url, "init"])
        .assert()
        .success();
    assert_eq!(found(&second, "Стокгольм"), [1]);
    // Added through the first folder after the second was made: found through the second.
    std::fs::write(
        input.join("b.txt"),
        "Шифровка из Хельсинки: встреча перенесена.",
    )
    .unwrap();
    kartoteka(&first)
        .arg("ingest")
        .arg(&input)
        .assert()
        .success();
    assert_eq!(found(&second, "Хельсинки"), [2]);
    // Changed through the first: the second finds the new words and not the old ones.
    std::fs::write(input.join("a.txt"), "Донесение о встрече в Осло.").unwrap();
    kartoteka(&first)
        .arg("ingest")
        .arg(&input)
        .assert()
        .success();
    assert_eq!(found(&second, "Осло"), [1]);
    assert!(found(&second, "Стокгольм").is_empty());
    // The second's own ingest is in its index at once, and the first takes it in.
    std::fs::write(input.join("c.txt"), "Резидентура в Вене.").unwrap();
    kartoteka(&second)
        .arg("ingest")
        .arg(&input)
        .assert()
        .success();
    assert_eq!(found(&second, "Вене"), [3]);
    assert_eq!(found(&first, "Вене"), [3]);
    assert_eq!(found(&first, "Осло"), [1]);
}

#[test]
fn two_servers_over_one_store_serve_the_same_archive() {
    let Some(db) = database("servers") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (one, two, desk) = (
        dir.path().join("one"),
        dir.path().join("two"),
        dir.path().join("desk"),
    );
    sample_pipeline(&one, Some(&db.url));
    kartoteka(&two)
        .args(["--store", &db.url, "init"])
        .assert()
        .success();
    // Made through the first folder, the user and the token hold on both servers.
    let bearer = user_with_token(&one, "reader", "researcher", "read");
    let (server_one, server_two) = (common::serve(&one), common::serve(&two));
    let search = |addr: &str, q: &str| -> Value {
        let (status, body) = common::http(
            addr,
            "GET",
            &format!("/api/search?q={q}"),
            &[("Authorization", &bearer)],
            "",
        );
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    };
    assert_eq!(
        search(&server_one.addr, "Kuzmin"),
        search(&server_two.addr, "Kuzmin")
    );
    // Ingested through a third folder: within seconds both servers find it.
    let input = documents(
        dir.path(),
        &[("new.txt", "Radiogram from Vilnius: the courier arrived.")],
    );
    kartoteka(&desk)
        .args(["--store", &db.url, "ingest"])
        .arg(&input)
        .assert()
        .success();
    for server in [&server_one, &server_two] {
        let started = std::time::Instant::now();
        loop {
            let answer = search(&server.addr, "Vilnius");
            if answer["total"] == 1 {
                break;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(15),
                "not found through {} after 15 s: {answer}",
                server.addr
            );
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }
}

/// Asks a server for a job until `done` says it has come where the test waits for it (at
/// most `seconds`): the job as the API shows it.
fn job_until(
    addr: &str,
    bearer: &str,
    id: &str,
    seconds: u64,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let started = std::time::Instant::now();
    loop {
        let (status, body) = common::http(
            addr,
            "GET",
            &format!("/api/jobs/{id}"),
            &[("Authorization", bearer)],
            "",
        );
        assert_eq!(status, 200, "{body}");
        let job: Value = serde_json::from_str(&body).unwrap();
        if done(&job) {
            return job;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(seconds),
            "job {id} through {addr} after {seconds} s: {job}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Issue 22, point 3: a server killed during a background job. The job is in the shared
/// store's queue; the other server takes it once the dead one's lease runs out, and
/// finishes it: one job, done once, by the second worker.
#[test]
fn a_job_whose_server_dies_is_finished_by_the_other_server() {
    let Some(db) = database("worker_death") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    // One store and one place for the originals, as servers that share an archive have.
    let blobs = format!("file://{}", dir.path().join("originals").display());
    kartoteka(&one)
        .args(["--store", &db.url, "--blobs", &blobs, "init"])
        .assert()
        .success();
    sample_pipeline(&one, None);
    kartoteka(&two)
        .args(["--store", &db.url, "--blobs", &blobs, "init"])
        .assert()
        .success();
    let bearer = user_with_token(&one, "keeper", "archivist", "read,write");
    let documents = json(kartoteka(&one).args(["status", "--json"]))["documents"]
        .as_u64()
        .unwrap();

    // The first server's worker takes the job, then waits for its folder's writer lock,
    // held here as a long ingest from the command line would hold it.
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(one.join("writer.lock"))
        .unwrap();
    lock.lock().unwrap();
    let mut first = common::serve_with(&one, &["--job-lease", "2"]);
    let (status, body) = common::http(
        &first.addr,
        "POST",
        "/api/jobs",
        &[
            ("Authorization", &bearer),
            ("Content-Type", "application/json"),
        ],
        r#"{"kind": "verify"}"#,
    );
    assert_eq!(status, 202, "{body}");
    let id = serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let taken = job_until(&first.addr, &bearer, &id, 15, |j| j["state"] == "running");
    assert_eq!(taken["attempts"], 1, "{taken}");
    std::thread::sleep(std::time::Duration::from_secs(3));
    let still = job_until(&first.addr, &bearer, &id, 1, |_| true);
    assert_eq!(
        (still["state"].as_str(), still["attempts"].as_u64()),
        (Some("running"), Some(1)),
        "a live worker keeps its job past the lease by renewing it: {still}"
    );
    first.child.kill().unwrap();
    first.child.wait().unwrap();

    let second = common::serve_with(&two, &["--job-lease", "2"]);
    let ended = job_until(&second.addr, &bearer, &id, 60, |j| {
        j["state"] != "running" && j["state"] != "queued"
    });
    assert_eq!(ended["state"], "done", "{ended}");
    assert_eq!(ended["attempts"], 2, "taken again once: {ended}");
    assert_eq!(ended["result"]["checked"], documents, "{ended}");
    assert_eq!(ended["result"]["passed"], documents, "{ended}");
    assert_eq!(
        (ended["total"].as_u64(), ended["done"].as_u64()),
        (Some(documents), Some(documents))
    );
    let (status, body) = common::http(
        &second.addr,
        "GET",
        "/api/jobs",
        &[("Authorization", &bearer)],
        "",
    );
    assert_eq!(status, 200, "{body}");
    let listed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        listed["jobs"].as_array().map(Vec::len),
        Some(1),
        "one job: {listed}"
    );
    drop(lock);
}

/// A PostgreSQL server of this test's own (initdb in a temporary folder, on a free port of
/// loopback), which the test may stop and start: the machine's shared server is never
/// stopped. `None` when PostgreSQL's programs are not installed.
struct PrivateServer {
    bin: std::path::PathBuf,
    data: tempfile::TempDir,
    port: u16,
}

impl PrivateServer {
    fn new() -> Option<PrivateServer> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("bin"))
            .find(|b| b.join("initdb").is_file())?;
        let data = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = PrivateServer { bin, data, port };
        if Self::as_root() {
            // PostgreSQL will not run as root: its files belong to its own user.
            let status = std::process::Command::new("chown")
                .args(["-R", "postgres"])
                .arg(server.data.path())
                .status()
                .unwrap();
            assert!(status.success());
        }
        let initdb = server
            .command("initdb")
            .args(["-A", "trust", "-U", "postgres", "-D"])
            .arg(server.dir())
            .output()
            .unwrap();
        assert!(
            initdb.status.success(),
            "{}",
            String::from_utf8_lossy(&initdb.stderr)
        );
        server.start();
        Some(server)
    }

    fn as_root() -> bool {
        std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
    }

    fn dir(&self) -> std::path::PathBuf {
        self.data.path().join("pg")
    }

    fn command(&self, program: &str) -> std::process::Command {
        let path = self.bin.join(program);
        if Self::as_root() {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            std::process::Command::new(path)
        }
    }

    fn start(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            self.data.path().display()
        );
        let out = self
            .command("pg_ctl")
            .args(["-w", "-l"])
            .arg(self.data.path().join("log"))
            .args(["-o", &options, "-D"])
            .arg(self.dir())
            .arg("start")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Stops the server at once, as a crash or a pulled cable would.
    fn kill(&self) {
        let out = self
            .command("pg_ctl")
            .args(["-m", "immediate", "-D"])
            .arg(self.dir())
            .arg("stop")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn documents(&self) -> i64 {
        let mut client = postgres::Client::connect(&self.url(), postgres::NoTls).unwrap();
        client
            .query_one("SELECT COUNT(*) FROM documents", &[])
            .map(|r| r.get(0))
            .unwrap_or(0)
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-m", "immediate", "-D"])
            .arg(self.dir())
            .arg("stop")
            .output();
    }
}

#[test]
fn an_ingest_cut_off_from_postgresql_fails_cleanly_and_resumes() {
    if std::env::var_os("KARTOTEKA_TEST_POSTGRES").is_none() {
        return;
    }
    let Some(server) = PrivateServer::new() else {
        eprintln!("skipped: PostgreSQL's programs are not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let total = 600;
    for i in 0..total {
        std::fs::write(
            input.join(format!("{i:04}.txt")),
            format!("Донесение номер {i}: агент сообщил о встрече {i}."),
        )
        .unwrap();
    }
    let archive = dir.path().join("archive");
    let ingest = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("kartoteka"))
            .arg("--archive")
            .arg(&archive)
            .args(["--store", &server.url(), "ingest"])
            .arg(&input)
            .env("KARTOTEKA_OCR", "off")
            .env("KARTOTEKA_HEAD_KEYS", common::head_keys())
            .env("KARTOTEKA_JOBS", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let running = ingest();
    // The server goes away while documents are being written.
    let started = std::time::Instant::now();
    while server.documents() < 50 {
        assert!(started.elapsed().as_secs() < 60, "the ingest did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    server.kill();
    let out = running.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("the ingest cut off said: {stderr}");
    assert!(
        !out.status.success(),
        "the ingest said it succeeded: {stderr}"
    );
    assert!(
        stderr.contains("PostgreSQL") || stderr.contains("connect"),
        "the message names what went away: {stderr}"
    );
    server.start();
    let stored = server.documents();
    assert!(
        stored < total,
        "the server went away before the end ({stored})"
    );
    // Run again: what was stored stays, the rest is added, nothing twice.
    let again = ingest().wait_with_output().unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(server.documents(), total);
    let mut client = postgres::Client::connect(&server.url(), postgres::NoTls).unwrap();
    let distinct: i64 = client
        .query_one("SELECT COUNT(DISTINCT source_path) FROM documents", &[])
        .unwrap()
        .get(0);
    assert_eq!(distinct, total);
    let chain = answer(&archive, &["audit", "verify"]);
    assert_eq!(chain["ok"], true, "{chain}");
    assert_eq!(
        found(&archive, "599").len(),
        1,
        "the last document is searchable"
    );
}

#[test]
fn the_store_is_named_by_flag_then_environment_then_config_file() {
    let (Some(by_file), Some(by_env), Some(by_flag)) =
        (database("file"), database("env"), database("flag"))
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kartoteka.toml"),
        format!("store = \"{}\"\n", by_file.url),
    )
    .unwrap();
    let recorded = |archive: &Path| {
        std::fs::read_to_string(archive.join("store.url"))
            .unwrap()
            .trim()
            .to_string()
    };
    let file_only = dir.path().join("file-only");
    kartoteka(&file_only)
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .success();
    assert_eq!(recorded(&file_only), by_file.url);
    let env_over_file = dir.path().join("env-over-file");
    kartoteka(&env_over_file)
        .current_dir(dir.path())
        .env("KARTOTEKA_STORE", &by_env.url)
        .arg("init")
        .assert()
        .success();
    assert_eq!(recorded(&env_over_file), by_env.url);
    let flag_over_env = dir.path().join("flag-over-env");
    kartoteka(&flag_over_env)
        .current_dir(dir.path())
        .env("KARTOTEKA_STORE", &by_env.url)
        .args(["--store", &by_flag.url, "init"])
        .assert()
        .success();
    assert_eq!(recorded(&flag_over_env), by_flag.url);
}
