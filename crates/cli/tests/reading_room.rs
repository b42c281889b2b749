//! The reading room in a real browser: headless Chromium driven through chromedriver
//! (WebDriver), through each role's journey on the sample archive, with screenshots in
//! target/tmp/screenshots to look at.

mod common;

use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::Duration;

use common::{kartoteka, sample_archive, serve};
use fantoccini::{Client, ClientBuilder, Locator};

const PASSWORD: &str = "correct horse battery staple";

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> bool {
    common::chromium()
        && std::process::Command::new("chromedriver")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn browser(port: u16) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1200,900", "--lang=en-GB"]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let mut last = None;
    for _ in 0..50 {
        match ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => return c,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not answer: {last:?}");
}

async fn shot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    std::fs::write(screenshots().join(format!("reading-room-{name}.png")), png).unwrap();
}

async fn sign_in(client: &Client, base: &str, name: &str) {
    client.goto(&format!("{base}/login")).await.unwrap();
    client
        .find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys(name)
        .await
        .unwrap();
    client
        .find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    let button = client
        .find(Locator::Css("form.login button"))
        .await
        .unwrap();
    submit(client, button).await;
}

async fn text(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// A reading room on the sample archive, prepared by `steps` (commands run first), with
/// these users (name, role), and chromedriver beside it. `None` without chromedriver.
struct Room {
    dir: tempfile::TempDir,
    base: String,
    port: u16,
    _server: common::Server,
    _driver: Running,
}

fn open_room(users: &[(&str, &str)], steps: &[&[&str]]) -> Option<Room> {
    if !chromedriver() {
        return None;
    }
    let dir = sample_archive();
    let archive = dir.path();
    for step in steps {
        kartoteka(archive).args(*step).assert().success();
    }
    let pw = archive.join("pw.txt");
    std::fs::write(&pw, PASSWORD).unwrap();
    for (name, role) in users {
        kartoteka(archive)
            .args(["user", "add", name, "--role", role, "--password-file"])
            .arg(&pw)
            .assert()
            .success();
    }
    let server = serve(archive);
    let base = format!("http://{}", server.addr);
    let port = free_port();
    let driver = Running(
        std::process::Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    Some(Room {
        dir,
        base,
        port,
        _server: server,
        _driver: driver,
    })
}

/// The archive's audit log as `audit log --json` prints it.
fn audit_log(archive: &std::path::Path) -> String {
    let out = kartoteka(archive)
        .args(["audit", "log", "--json"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Clicks what leads to another page, and waits until the browser is on it.
async fn click_through(client: &Client, element: fantoccini::elements::Element) {
    submit(client, element).await;
}

#[test]
fn each_role_walks_its_journey_in_a_real_browser() {
    let Some(room) = open_room(
        &[
            ("vera", "researcher"),
            ("ilya", "archivist"),
            ("olga", "release-officer"),
        ],
        &[],
    ) else {
        return;
    };
    let (archive, base, port) = (room.dir.path(), room.base.clone(), room.port);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = browser(port).await;

        // A reader who is not signed in is sent to sign in, and comes back where they were.
        client.goto(&format!("{base}/documents/4")).await.unwrap();
        assert!(client.current_url().await.unwrap().path().ends_with("/login"));
        shot(&client, "1-sign-in").await;
        // The first stop of the keyboard is the skip link: the page is walkable by Tab.
        let first = client
            .execute(
                "return document.querySelector('a[href], button, input:not([type=hidden]), textarea, select, summary').className;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(first, serde_json::json!("skip"));

        // A wrong password is refused with a message, and the form stays.
        client.find(Locator::Id("name")).await.unwrap().send_keys("vera").await.unwrap();
        client.find(Locator::Id("password")).await.unwrap().send_keys("wrong password!").await.unwrap();
        submit(&client, client.find(Locator::Css("form.login button")).await.unwrap()).await;
        assert!(text(&client, "[role=alert]").await.contains("wrong"));

        // The researcher signs in, and lands on the document asked for.
        sign_in(&client, &base, "vera").await;
        client.goto(&format!("{base}/")).await.unwrap();
        // Search in one case, find the name in others.
        let q = client.find(Locator::Id("q")).await.unwrap();
        q.send_keys("Соколовой").await.unwrap();
        submit(&client, client.find(Locator::Css("form.search button")).await.unwrap()).await;
        let count = text(&client, ".count").await;
        assert!(!count.starts_with('0'), "{count}");
        let first = client.find(Locator::Css(".hits li a")).await.unwrap();
        let marked = text(&client, ".hits li .snippet b").await;
        assert!(marked.to_lowercase().starts_with("соколов"), "{marked}");
        shot(&client, "2-search").await;
        let href = first.attr("href").await.unwrap().unwrap();
        assert!(href.contains("#page-"), "a hit links to its very page: {href}");
        submit(&client, first).await;
        let url = client.current_url().await.unwrap();
        let page = url.fragment().unwrap().to_string();
        let section = client.find(Locator::Id(&page)).await.unwrap();
        let citation = section
            .find(Locator::Css(".cite input"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap();
        assert!(citation.starts_with("ф. "), "the sheet's citation to copy: {citation}");
        shot(&client, "3-reader").await;

        // A note in the margin on a passage of that page.
        let sheet_text = section.find(Locator::Css(".text p:not(.cite)")).await.unwrap().text().await.unwrap();
        let passage: String = sheet_text.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
        section.find(Locator::Css("details summary")).await.unwrap().click().await.unwrap();
        section.find(Locator::Css("textarea[name=quote]")).await.unwrap().send_keys(&passage).await.unwrap();
        section
            .find(Locator::Css("textarea[name=comment]"))
            .await
            .unwrap()
            .send_keys("Проверить по делу-формуляру <b>не жирным</b>")
            .await
            .unwrap();
        submit(&client, section.find(Locator::Css(".note-form button")).await.unwrap()).await;
        let note = match client.wait().for_element(Locator::Css(".note")).await {
            Ok(n) => n,
            Err(e) => panic!("no note after saving ({e}); the page: {}", client.source().await.unwrap()),
        };
        let note_text = note.text().await.unwrap();
        assert!(note_text.contains(&passage), "{note_text}");
        assert!(note_text.contains("<b>не жирным</b>"), "markup in a note is text: {note_text}");
        assert!(note_text.contains("vera"));
        shot(&client, "4-note").await;

        // The same room in Russian.
        client.goto(&format!("{base}/?hl=ru")).await.unwrap();
        assert_eq!(text(&client, "main h1").await, "Поиск по фондам");
        assert_eq!(client.find(Locator::Css("html")).await.unwrap().attr("lang").await.unwrap().as_deref(), Some("ru"));
        shot(&client, "5-russian").await;

        // Signing out ends the session: the next page asks to sign in again.
        sign_out(&client).await;
        client.goto(&format!("{base}/")).await.unwrap();
        assert!(client.current_url().await.unwrap().path().ends_with("/login"));

        // The archivist reads the same holdings.
        sign_in(&client, &base, "ilya").await;
        client.goto(&format!("{base}/documents/4")).await.unwrap();
        assert!(text(&client, "main h1").await.starts_with("ф. "));
        sign_out(&client).await;

        // On a phone the reader is one column, and nothing runs off the screen.
        sign_in(&client, &base, "olga").await;
        client.set_window_size(390, 844).await.unwrap();
        client.goto(&format!("{base}/documents/4")).await.unwrap();
        let overflow = client
            .execute("return document.documentElement.scrollWidth > window.innerWidth + 1;", vec![])
            .await
            .unwrap();
        assert_eq!(overflow, serde_json::json!(false), "the page scrolls sideways on a phone");
        shot(&client, "6-phone").await;
        client.close().await.unwrap();
    });
    // Everything the browser did is in the audit chain, in each user's name.
    let log = audit_log(archive);
    for who in ["vera", "ilya", "olga"] {
        assert!(
            log.contains(&format!("\"actor\":\"{who}\"")),
            "{who} signed in: {log}"
        );
    }
    kartoteka(archive)
        .args(["audit", "verify"])
        .assert()
        .success();
}

/// Follows a job's page until the job ends (the page reloads itself then): its state
/// and summary. The form that starts a job navigates to its page, and the page reloads
/// when the job ends, so any one read may land between two pages: such a read is
/// retried, never taken for the answer.
async fn job_outcome(client: &Client) -> (String, String) {
    let read = "const s = document.getElementById('job-state'); \
                const m = document.getElementById('job-summary'); \
                return s ? [s.innerText.trim(), m ? m.innerText.trim() : ''] : null;";
    let mut last = (String::new(), String::new());
    for _ in 0..600 {
        if let Ok(serde_json::Value::Array(pair)) = client.execute(read, vec![]).await {
            let field = |i: usize| pair.get(i).and_then(|v| v.as_str()).unwrap_or_default();
            last = (field(0).to_string(), field(1).to_string());
            if last.0 == "done" || last.0 == "failed" {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    last
}

/// Clicks the link whose text is exactly `label`, and waits for the page it leads to.
async fn follow(client: &Client, label: &str) {
    let link = client
        .find(Locator::LinkText(label))
        .await
        .unwrap_or_else(|e| panic!("no link {label:?}: {e}"));
    click_through(client, link).await;
}

#[test]
fn the_archivist_and_the_analyst_work_at_their_desks_in_a_real_browser() {
    let Some(room) = open_room(
        &[("ilya", "archivist"), ("anna", "analyst")],
        &[&["gaps"], &["extract"], &["resolve"]],
    ) else {
        return;
    };
    let (archive, base, port) = (room.dir.path(), room.base.clone(), room.port);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = browser(port).await;

        // The archivist walks the tree down to the inventory whose file went missing.
        sign_in(&client, &base, "ilya").await;
        client.goto(&format!("{base}/holdings")).await.unwrap();
        shot(&client, "7-tree").await;
        follow(&client, "ф. 9001").await;
        follow(&client, "ф. 9001, оп. 1").await;
        let row = client
            .find(Locator::XPath("//tr[td/a[text()='ф. 9001, оп. 1, д. 3']]"))
            .await
            .unwrap();
        let finding = row.find(Locator::Css(".finding.high")).await;
        assert!(
            finding.is_ok(),
            "the missing file is marked on its row: {}",
            row.html(false).await.unwrap()
        );
        shot(&client, "8-inventory").await;
        follow(&client, "ф. 9001, оп. 1, д. 1").await;
        let history = text(&client, "#h-history").await;
        assert!(!history.is_empty());
        assert!(text(&client, ".timeline").await.contains("ingest"));

        // A fixity check, started from the keeping page and followed live to its end.
        client.goto(&format!("{base}/keeping")).await.unwrap();
        shot(&client, "9-keeping").await;
        client
            .find(Locator::XPath(
                "//button[text()='Fixity check of every original']",
            ))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let (state, summary) = job_outcome(&client).await;
        assert!(client
            .current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/jobs/J"));
        assert_eq!(state, "done");
        assert!(
            summary.contains("originals checked") && summary.contains("0 changed, 0 missing"),
            "{summary}"
        );
        shot(&client, "10-job").await;

        // An accession arrives as a zip with its inventory; uploaded from the browser, it
        // is ingested as a job and placed where its inventory says.
        let zip = archive.join("accession.zip");
        {
            use std::io::Write;
            let mut w = zip::ZipWriter::new(std::fs::File::create(&zip).unwrap());
            let options = zip::write::SimpleFileOptions::default();
            w.start_file("accession/opis.csv", options).unwrap();
            w.write_all("reference,path,title,dates,sheets\n\"ф. 9009, оп. 1, д. 1\",д1,Поступление 2026 года,1952,1\n".as_bytes()).unwrap();
            w.start_file("accession/д1/л1.txt", options).unwrap();
            w.write_all("Донесение о поступлении.".as_bytes()).unwrap();
            w.finish().unwrap();
        }
        client.goto(&format!("{base}/keeping")).await.unwrap();
        let input = client.find(Locator::Id("upload-file")).await.unwrap();
        assert!(input.is_displayed().await.unwrap(), "the upload form shows when scripts run");
        input.send_keys(zip.to_str().unwrap()).await.unwrap();
        client
            .find(Locator::Css("#upload button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let (state, summary) = job_outcome(&client).await;
        assert_eq!(state, "done", "{summary}");
        assert!(summary.starts_with("1 added"), "{summary}");
        shot(&client, "10b-upload").await;
        client
            .goto(&format!("{base}/holdings?unit=ф. 9009, оп. 1"))
            .await
            .unwrap();
        assert!(text(&client, "main").await.contains("Поступление 2026 года"));
        sign_out(&client).await;

        // The analyst finds a man the machine split from a Polish spelling of his name,
        // and says they are one.
        sign_in(&client, &base, "anna").await;
        client
            .goto(&format!("{base}/persons?q=Кузьмин"))
            .await
            .unwrap();
        follow(&client, "Кузьмин Арнольд Петрович").await;
        let dossier = client.current_url().await.unwrap().path().to_string();
        let candidates = text(&client, "#candidates").await;
        assert!(candidates.contains("Arnolda Kuzmina"), "{candidates}");
        shot(&client, "11-dossier").await;
        let form = client
            .find(Locator::XPath(
                "//article[contains(@class,'candidate')][.//a[text()='Arnolda Kuzmina']]//form",
            ))
            .await
            .unwrap();
        form.find(Locator::Css("input[value=same]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        form.find(Locator::Css("textarea[name=why]"))
            .await
            .unwrap()
            .send_keys(
                "Arnolda Kuzmina is the Polish genitive of Arnold Kuzmin; same file, same year",
            )
            .await
            .unwrap();
        submit(&client, form.find(Locator::Css("button")).await.unwrap()).await;
        // Back on the dossier, the spelling is now one of his names.
        let also = client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::XPath(
                "//p[starts-with(., 'Also written') and contains(., 'Arnolda Kuzmina')]",
            ))
            .await;
        assert!(
            also.is_ok(),
            "not merged: {}",
            client.source().await.unwrap()
        );
        assert_eq!(client.current_url().await.unwrap().path(), dossier);
        let candidates = text(&client, "#candidates").await;
        assert!(!candidates.contains("Arnolda Kuzmina"), "{candidates}");
        shot(&client, "12-judged").await;

        // In the reader, a passage selected with the mouse becomes the note's quote.
        let first_mention = client.find(Locator::Css(".mentions li a")).await.unwrap();
        click_through(&client, first_mention).await;
        let picked = client
            .execute(
                r#"const section = document.querySelector(".sheet");
                   const para = section.querySelector(".text p[data-start]");
                   const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
                   let node = walker.nextNode();
                   while (node && node.data.trim().length < 12) node = walker.nextNode();
                   const range = document.createRange();
                   range.setStart(node, 2);
                   range.setEnd(node, 11);
                   const sel = window.getSelection();
                   sel.removeAllRanges();
                   sel.addRange(range);
                   document.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
                   return [sel.toString(), section.querySelector("textarea[name=quote]").value,
                           section.querySelector("input[name=start]").value];"#,
                vec![],
            )
            .await
            .unwrap();
        let selected = picked[0].as_str().unwrap().trim().to_string();
        assert_eq!(
            picked[1].as_str().unwrap(),
            selected.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        assert!(
            picked[2].as_str().unwrap().parse::<u32>().is_ok(),
            "{picked}"
        );
        shot(&client, "13-selection").await;
        let save = client
            .find(Locator::Css(".sheet .note-form button"))
            .await
            .unwrap();
        submit(&client, save).await;
        let note = client
            .wait()
            .for_element(Locator::Css(".note"))
            .await
            .unwrap();
        assert!(note
            .text()
            .await
            .unwrap()
            .contains(selected.split_whitespace().next().unwrap()));
        client.close().await.unwrap();
    });
    // The judgement and the job are in the chain in their users' names, and it holds.
    let log = audit_log(archive);
    assert!(
        log.contains(r#""action":"judge""#) && log.contains(r#""actor":"anna""#),
        "{log}"
    );
    kartoteka(archive)
        .args(["audit", "verify"])
        .assert()
        .success();
}

/// A partner's keys and the partner itself, as the release officer adds it at the
/// command line: the liaison the administrator adds in the browser speaks for it.
fn add_partner(archive: &std::path::Path) {
    let keys = archive.join("mi5.keys");
    let made = common::json(
        kartoteka(archive)
            .args(["keys", "generate", "--json", "--out"])
            .arg(&keys),
    );
    kartoteka(archive)
        .args([
            "partner",
            "add",
            "GBR",
            "--service",
            "MI5",
            "--clearance",
            "secret",
        ])
        .args(["--recipient", made["recipient"].as_str().unwrap()])
        .args(["--verify-key", made["verify_key"].as_str().unwrap()])
        .args(["--why", "agreement 1994/7"])
        .assert()
        .success();
}

#[test]
fn the_reviewer_the_administrator_and_a_liaison_in_a_real_browser() {
    let Some(room) = open_room(
        &[("rita", "reviewer"), ("adam", "administrator")],
        &[&["extract"], &["resolve"]],
    ) else {
        return;
    };
    let (archive, base, port) = (room.dir.path(), room.base.clone(), room.port);
    add_partner(archive);
    let addr = base.trim_start_matches("http://").to_string();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = browser(port).await;

        // The reviewer narrows a search to one file with the filters: every hit is in it.
        sign_in(&client, &base, "rita").await;
        client.goto(&format!("{base}/?hl=en")).await.unwrap();
        client.find(Locator::Id("q")).await.unwrap().send_keys("Соколова").await.unwrap();
        client.find(Locator::Css("form.search summary")).await.unwrap().click().await.unwrap();
        client
            .find(Locator::Id("in"))
            .await
            .unwrap()
            .send_keys("ф. 9001, оп. 1, д. 1")
            .await
            .unwrap();
        let before = client.current_url().await.unwrap();
        submit(&client, client.find(Locator::Css("form.search button")).await.unwrap()).await;
        for _ in 0..100 {
            if client.current_url().await.unwrap() != before {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let hits = client.find_all(Locator::Css(".hits li .cite, .hits li")).await.unwrap();
        assert!(!hits.is_empty(), "nothing found in the file");
        for hit in client.find_all(Locator::Css(".hits li")).await.unwrap() {
            let text = hit.text().await.unwrap();
            assert!(text.contains("ф. 9001, оп. 1, д. 1"), "a hit outside the file: {text}");
        }
        shot(&client, "14-reviewer-filtered").await;

        // The reviewer weighs the candidate link the analyst has not judged, and is unsure.
        client.goto(&format!("{base}/persons?q=Кузьмин&hl=en")).await.unwrap();
        follow(&client, "Кузьмин Арнольд Петрович").await;
        let form = client
            .find(Locator::XPath(
                "//article[contains(@class,'candidate')][.//a[text()='Arnolda Kuzmina']]//form",
            ))
            .await
            .unwrap();
        form.find(Locator::Css("input[value=unsure]")).await.unwrap().click().await.unwrap();
        form.find(Locator::Css("textarea[name=why]"))
            .await
            .unwrap()
            .send_keys("The genitive fits, but the file gives no date of birth to compare")
            .await
            .unwrap();
        let button = form.find(Locator::Css("button")).await.unwrap();
        click_through(&client, button).await;
        let judged = client
            .find(Locator::XPath(
                "//article[contains(@class,'candidate')][.//a[text()='Arnolda Kuzmina']]//p[contains(., 'Already judged')]",
            ))
            .await
            .unwrap_or_else(|e| panic!("the judgement is not shown ({e})"))
            .text()
            .await
            .unwrap();
        assert!(
            judged.contains("unsure") && judged.contains("rita") && judged.contains("no date of birth"),
            "{judged}"
        );
        shot(&client, "15-reviewer-unsure").await;
        // The reviewer has no administrator's desk: no link, and the page itself refuses.
        assert!(client.find(Locator::LinkText("Access")).await.is_err());
        client.goto(&format!("{base}/access")).await.unwrap();
        assert!(text(&client, "[role=alert]").await.contains("reviewer may not"));
        client.goto(&format!("{base}/?hl=en")).await.unwrap();
        sign_out(&client).await;

        // The administrator adds a researcher and a liaison of the partner service.
        sign_in(&client, &base, "adam").await;
        client.goto(&format!("{base}/?hl=en")).await.unwrap();
        follow(&client, "Access").await;
        for (name, role, partner) in [("pavel", "researcher", ""), ("lena", "liaison", "GBR-MI5")] {
            client.find(Locator::Id("new-name")).await.unwrap().send_keys(name).await.unwrap();
            client
                .find(Locator::Css(&format!("#new-role option[value={role}]")))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            if !partner.is_empty() {
                client.find(Locator::Id("new-partner")).await.unwrap().send_keys(partner).await.unwrap();
            }
            client
                .find(Locator::Id("new-password"))
                .await
                .unwrap()
                .send_keys(PASSWORD)
                .await
                .unwrap();
            let add = client.find(Locator::XPath("//button[text()='Add a user']")).await.unwrap();
            submit(&client, add).await;
            let row = match client
                .wait()
                .at_most(Duration::from_secs(20))
                .for_element(Locator::Id(&format!("user-{name}")))
                .await
            {
                Ok(row) => row,
                Err(e) => panic!("{name} not added ({e}): {}", client.source().await.unwrap()),
            };
            let row = row.text().await.unwrap();
            assert!(row.contains(role) && row.contains(partner), "{row}");
        }
        // A token for pavel's scripts: its secret is shown once, and works.
        client
            .find(Locator::XPath("//select[@id='token-user']/option[text()='pavel']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let make = client.find(Locator::XPath("//button[text()='Make a token']")).await.unwrap();
        click_through(&client, make).await;
        let secret = client
            .wait()
            .for_element(Locator::Id("secret"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap();
        shot(&client, "16-token-made").await;
        let bearer = format!("Bearer {secret}");
        let search = |bearer: &str| {
            common::http(&addr, "GET", "/api/search?q=klim", &[("Authorization", bearer)], "").0
        };
        assert_eq!(search(&bearer), 200);

        // A resolve job from the keeping page, followed to its end.
        client.goto(&format!("{base}/keeping?hl=en")).await.unwrap();
        let start = client
            .find(Locator::XPath(
                "//button[text()='Extraction and resolution of persons']",
            ))
            .await
            .unwrap();
        click_through(&client, start).await;
        let (state, summary) = job_outcome(&client).await;
        assert_eq!(state, "done", "{summary}");
        assert!(summary.contains("persons"), "{summary}");
        shot(&client, "17-admin-job").await;

        // Pavel leaves: his token is revoked, then he is disabled.
        client.goto(&format!("{base}/access?hl=en")).await.unwrap();
        let revoke = client
            .find(Locator::XPath("//tr[td[2][text()='pavel']]//button[starts-with(text(), 'Revoke')]"))
            .await
            .unwrap();
        click_through(&client, revoke).await;
        assert_eq!(search(&bearer), 401, "a revoked token still works");
        let disable = client
            .find(Locator::XPath("//button[text()='Disable pavel']"))
            .await
            .unwrap();
        click_through(&client, disable).await;
        let row = client.find(Locator::Id("user-pavel")).await.unwrap();
        assert_eq!(row.attr("class").await.unwrap().as_deref(), Some("disabled"));
        shot(&client, "18-access").await;
        sign_out(&client).await;

        // Pavel cannot sign in any more.
        sign_in(&client, &base, "pavel").await;
        assert!(text(&client, "[role=alert]").await.contains("wrong"));

        // The liaison signs in to its packages (none sent yet), and finds nothing of the
        // holdings: no desk, no search, no count.
        sign_in(&client, &base, "lena").await;
        for _ in 0..100 {
            if client.current_url().await.unwrap().path() == "/packages" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(client.current_url().await.unwrap().path(), "/packages");
        assert!(text(&client, "main").await.contains("No packages yet"));
        client.goto(&format!("{base}/?q=Соколова&hl=en")).await.unwrap();
        assert!(text(&client, "[role=alert]").await.contains("liaison may not"));
        let main = text(&client, "main").await;
        assert!(!main.contains("Соколов") && !main.contains("found"), "{main}");
        let nav = text(&client, "header nav").await;
        for desk in ["Search", "Holdings", "Persons", "Keeping", "Access"] {
            assert!(!nav.contains(desk), "{desk} offered to a liaison: {nav}");
        }
        assert!(nav.contains("Packages"), "{nav}");
        follow(&client, "Back to the packages").await;
        assert_eq!(client.current_url().await.unwrap().path(), "/packages");
        shot(&client, "19-liaison").await;
        client.close().await.unwrap();
    });
    // The administrator's acts are in the chain in adam's name, and it holds.
    let log = audit_log(archive);
    for action in ["user", "token", "judge"] {
        assert!(
            log.contains(&format!(r#""action":"{action}""#)),
            "{action}: {log}"
        );
    }
    assert!(log.contains(r#""actor":"adam""#) && log.contains(r#""actor":"rita""#));
    kartoteka(archive)
        .args(["audit", "verify"])
        .assert()
        .success();
}

/// A partner service as the release officer adds it at the command line, with its keys.
fn add_partner_cleared(archive: &std::path::Path, service: &str, clearance: &str) {
    let keys = archive.join(format!("{service}.keys"));
    let made = common::json(
        kartoteka(archive)
            .args(["keys", "generate", "--json", "--out"])
            .arg(&keys),
    );
    kartoteka(archive)
        .args([
            "partner",
            "add",
            "GBR",
            "--service",
            service,
            "--clearance",
            clearance,
        ])
        .args(["--recipient", made["recipient"].as_str().unwrap()])
        .args(["--verify-key", made["verify_key"].as_str().unwrap()])
        .args(["--why", "agreement 1994/7"])
        .assert()
        .success();
}

#[test]
fn the_release_officer_sends_a_round_and_each_liaison_reads_only_its_own_in_a_real_browser() {
    let Some(room) = open_room(
        &[("olga", "release-officer")],
        &[
            &["extract"],
            &["resolve"],
            &[
                "marking",
                "set",
                "ф. 9002",
                "SECRET//REL TO GBR, USA",
                "--why",
                "agreement",
            ],
            &["report", "build", "--all"],
        ],
    ) else {
        return;
    };
    let (archive, base, port) = (room.dir.path(), room.base.clone(), room.port);
    // A report on Britain, its identification lowered to CONFIDENTIAL for Britain, approved.
    let reports = common::json(kartoteka(archive).args(["reports", "--json"]));
    let subject = reports["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["marking"] == "SECRET//REL TO GBR, USA"
                && r["countries"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c == "GBR")
        })
        .expect("a report on Britain")["id"]
        .as_str()
        .unwrap()
        .to_string();
    kartoteka(archive)
        .args(["report", "edit", &subject, "--paragraph", "1"])
        .args([
            "--marking",
            "CONFIDENTIAL//REL TO GBR",
            "--why",
            "from an open source",
        ])
        .assert()
        .success();
    kartoteka(archive)
        .args(["report", "review", &subject])
        .assert()
        .success();
    kartoteka(archive)
        .args(["report", "approve", &subject])
        .assert()
        .success();
    let approved =
        common::json(kartoteka(archive).args(["report", "show", &subject, "--format", "json"]));
    let paragraphs: Vec<(String, bool)> = approved["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let may_have = common::confidential_gbr_may_have(p);
            (p["text"].as_str().unwrap().trim().to_string(), may_have)
        })
        .collect();
    add_partner_cleared(archive, "MI5", "confidential");
    add_partner_cleared(archive, "GCHQ", "secret");
    for (name, partner) in [("lena", "GBR-MI5"), ("gleb", "GBR-GCHQ")] {
        kartoteka(archive)
            .args([
                "user",
                "add",
                name,
                "--role",
                "liaison",
                "--partner",
                partner,
                "--password-file",
            ])
            .arg(archive.join("pw.txt"))
            .assert()
            .success();
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = browser(port).await;

        // The release officer reads the plan: the report goes to both, and MI5's variant
        // loses what its clearance does not reach.
        sign_in(&client, &base, "olga").await;
        client.goto(&format!("{base}/?hl=en")).await.unwrap();
        follow(&client, "Release").await;
        let cell = client
            .find(Locator::Css(&format!(
                r#"td.cell[data-partner="GBR-MI5"][data-report="{subject}"]"#
            )))
            .await
            .unwrap();
        let class = cell.attr("class").await.unwrap().unwrap_or_default();
        assert!(
            class.contains("on"),
            "{class}: {}",
            cell.html(false).await.unwrap()
        );
        cell.find(Locator::Css("summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let why = cell.text().await.unwrap();
        assert!(
            why.contains("concerns GBR") && why.contains("the variant drops"),
            "{why}"
        );
        shot(&client, "20-release-plan").await;

        // Both partners are ticked (the plan sends each something); the round runs as a
        // job, and its page follows it to the end.
        for id in ["GBR-MI5", "GBR-GCHQ"] {
            let tick = client
                .find(Locator::Css(&format!(
                    r#"input[name=partners][value="{id}"]"#
                )))
                .await
                .unwrap();
            assert!(
                tick.prop("checked").await.unwrap().as_deref() == Some("true"),
                "{id}"
            );
        }
        let send = client
            .find(Locator::Css(
                "#h-round ~ form button, section[aria-labelledby=h-round] button",
            ))
            .await
            .unwrap();
        click_through(&client, send).await;
        let (state, summary) = job_outcome(&client).await;
        assert_eq!(state, "done");
        assert!(
            summary.contains("2 packages sent")
                && summary.contains("PKG-GBR-MI5-1")
                && summary.contains("PKG-GBR-GCHQ-1"),
            "{summary}"
        );
        shot(&client, "21-round-sent").await;
        sign_out(&client).await;

        // MI5's liaison finds its package, reads its variant: the paragraph it may have,
        // none of those above its clearance.
        sign_in(&client, &base, "lena").await;
        follow(&client, "PKG-GBR-MI5-1").await;
        follow(&client, &subject).await;
        let page = text(&client, "article.report").await;
        let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let page = flat(&page);
        assert!(page.contains("CONFIDENTIAL//REL TO GBR"), "{page}");
        let kept: Vec<&String> = paragraphs
            .iter()
            .filter(|(_, c)| *c)
            .map(|(t, _)| t)
            .collect();
        assert!(!kept.is_empty());
        for t in &kept {
            assert!(page.contains(&flat(t)), "{t} missing from {page}");
        }
        for (t, may_have) in &paragraphs {
            if !may_have && !kept.iter().any(|k| k.contains(t.as_str())) {
                assert!(
                    !page.contains(&flat(t)),
                    "a paragraph above MI5's clearance: {t}"
                );
            }
        }
        shot(&client, "22-liaison-variant").await;

        // Its search finds in its own variant; GCHQ's package and variant are as none.
        client
            .goto(&format!("{base}/packages?hl=en"))
            .await
            .unwrap();
        let word = kept[0]
            .split_whitespace()
            .find(|w| w.chars().count() > 5 && w.chars().all(char::is_alphabetic))
            .expect("a word to search for")
            .to_string();
        client
            .find(Locator::Id("q"))
            .await
            .unwrap()
            .send_keys(&word)
            .await
            .unwrap();
        let button = client
            .find(Locator::Css("form.search button"))
            .await
            .unwrap();
        click_through(&client, button).await;
        let hits = text(&client, "ol.hits").await;
        assert!(
            hits.contains("PKG-GBR-MI5-1") && !hits.contains("GCHQ"),
            "{hits}"
        );
        shot(&client, "23-liaison-search").await;
        let mut refusals = Vec::new();
        for (theirs, none) in [
            ("PKG-GBR-GCHQ-1".to_string(), "PKG-GBR-GCHQ-9".to_string()),
            (
                format!("PKG-GBR-GCHQ-1/reports/{subject}"),
                format!("PKG-GBR-GCHQ-9/reports/{subject}"),
            ),
        ] {
            client
                .goto(&format!("{base}/packages/{theirs}?hl=en"))
                .await
                .unwrap();
            let said = text(&client, "[role=alert]").await;
            client
                .goto(&format!("{base}/packages/{none}?hl=en"))
                .await
                .unwrap();
            let said_none = text(&client, "[role=alert]").await;
            assert_eq!(
                said.replace("GCHQ-1", "GCHQ-N"),
                said_none.replace("GCHQ-9", "GCHQ-N")
            );
            refusals.push(said);
        }
        assert!(refusals[0].contains("no package"), "{refusals:?}");
        client
            .goto(&format!("{base}/packages/PKG-GBR-GCHQ-1?hl=en"))
            .await
            .unwrap();
        shot(&client, "24-liaison-not-theirs").await;
        client.close().await.unwrap();
    });
    kartoteka(archive)
        .args(["audit", "verify"])
        .assert()
        .success();
}

/// Clicks what leaves the page (a form's button, a link), and waits until the browser
/// has loaded the page that answers, which may be at the very address it left. A click
/// alone returns before the next page is there, and a command sent meanwhile (another
/// `goto`, a `find`) would abort the answer or read the page being left.
async fn submit(client: &Client, element: fantoccini::elements::Element) {
    client
        .execute("window.__left = true;", vec![])
        .await
        .unwrap();
    element.click().await.unwrap();
    for _ in 0..400 {
        // While the pages change over, a script may fail to run: that is not an answer.
        let arrived = client
            .execute(
                "return window.__left === undefined && document.readyState === 'complete';",
                vec![],
            )
            .await;
        if matches!(arrived, Ok(serde_json::Value::Bool(true))) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the page's answer never came");
}

/// Signs out with the button in the page's header, and waits for the page that answers.
async fn sign_out(client: &Client) {
    let button = client
        .find(Locator::Css("header form button"))
        .await
        .unwrap();
    submit(client, button).await;
}

/// Sets a report paragraph's marking from its form on the report's page, and waits for
/// the answer.
async fn set_marking(client: &Client, paragraph: usize, marking: &str) {
    let para = client
        .find(Locator::Css(&format!("#para-{paragraph}")))
        .await
        .unwrap();
    para.find(Locator::Css("summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let field = para
        .find(Locator::Css("input[name=marking]"))
        .await
        .unwrap();
    field.clear().await.unwrap();
    field.send_keys(marking).await.unwrap();
    let save = para.find(Locator::Css("button")).await.unwrap();
    submit(client, save).await;
}

/// Selects the first stretch of `chars` characters of a sheet's text in the reader, as a
/// reader's mouse would, and lets the page hear the mouse let go: the selected text.
async fn select_passage(client: &Client, chars: usize) -> String {
    let script = r#"
        const [chars] = arguments;
        const para = document.querySelector('.sheet .text p[data-start]');
        const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
        let node = walker.nextNode();
        while (node && node.data.trim().length < chars) node = walker.nextNode();
        const start = node.data.length - node.data.trimStart().length;
        const range = document.createRange();
        range.setStart(node, start);
        range.setEnd(node, Math.min(node.data.length, start + chars));
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
        return sel.toString();
    "#;
    client
        .execute(script, vec![serde_json::json!(chars)])
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_analyst_claims_from_a_selection_and_the_reviewer_approves_in_a_real_browser() {
    let Some(room) = open_room(
        &[("anna", "analyst"), ("rita", "reviewer")],
        &[
            &["extract"],
            &["resolve"],
            // Her file is SECRET for Britain and the US: a report's paragraph citing it
            // may not be lowered below that without a reason.
            &[
                "marking",
                "set",
                "ф. 9001",
                "SECRET//REL TO GBR, USA",
                "--why",
                "agreement",
            ],
            &["report", "build", "--all"],
        ],
    ) else {
        return;
    };
    let (archive, base, port) = (room.dir.path(), room.base.clone(), room.port);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = browser(port).await;

        // The analyst finds the questionnaire, selects its opening words and claims from
        // them: the selection becomes the citation.
        sign_in(&client, &base, "anna").await;
        client
            .goto(&format!(
                "{base}/?q=%D0%90%D0%9D%D0%9A%D0%95%D0%A2%D0%90&hl=en"
            ))
            .await
            .unwrap();
        let first = client.find(Locator::Css(".hits li a")).await.unwrap();
        click_through(&client, first).await;
        let selected = select_passage(&client, 24).await;
        assert_eq!(selected.chars().count(), 24, "{selected:?}");
        let form = client.find(Locator::Css("form.claim-form")).await.unwrap();
        client
            .find(Locator::Css("details.claim-form summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let quoted = form
            .find(Locator::Css("textarea[name=quote]"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default();
        assert_eq!(
            quoted,
            selected.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        for (field, value) in [
            ("subject", "Соколова Вера Андреевна"),
            ("grade", "B2"),
            ("why", "the questionnaire in her own file"),
        ] {
            form.find(Locator::Css(&format!("input[name={field}]")))
                .await
                .unwrap()
                .send_keys(value)
                .await
                .unwrap();
        }
        form.find(Locator::Css("textarea[name=text]"))
            .await
            .unwrap()
            .send_keys("Sokolova filled in the questionnaire herself")
            .await
            .unwrap();
        shot(&client, "25-analyst-selection").await;
        let keep = form.find(Locator::Css("button")).await.unwrap();
        click_through(&client, keep).await;
        let url = client.current_url().await.unwrap();
        assert_eq!(url.path(), "/claims", "{url}");
        let claims = text(
            &client,
            "#h-all ~ article.claim:last-of-type, section[aria-labelledby=h-all]",
        )
        .await;
        assert!(
            claims.contains("Sokolova filled in the questionnaire herself")
                && claims.contains("B2"),
            "{claims}"
        );
        assert!(
            claims.contains(selected.trim()),
            "the citation quotes the selection: {claims}"
        );
        shot(&client, "26-analyst-claims").await;

        // The analyst rebuilds the report on her: the new version lists what changed.
        let build = client
            .find(Locator::XPath(
                "//button[text()='Build the report on this person']",
            ))
            .await
            .unwrap();
        click_through(&client, build).await;
        let changes = text(&client, "ul.changes").await;
        assert!(
            changes.contains("Sokolova filled in the questionnaire herself"),
            "{changes}"
        );
        let report_url = client.current_url().await.unwrap();
        shot(&client, "27-analyst-report-changes").await;
        sign_out(&client).await;

        // The reviewer finds it among the drafts, tries to lower a marking without a reason
        // (refused, with why), raises one freely, reviews and approves.
        sign_in(&client, &base, "rita").await;
        client.goto(&format!("{base}/?hl=en")).await.unwrap();
        follow(&client, "Reports").await;
        let drafts = text(&client, "section.queue.draft").await;
        let id = report_url
            .path()
            .trim_start_matches("/reports/")
            .to_string();
        assert!(drafts.contains(&id), "{drafts}");
        follow(&client, &id).await;
        let current = text(&client, "#para-1 .mark").await;
        set_marking(&client, 1, "UNCLASSIFIED").await;
        assert!(current.starts_with("(S"), "{current}");
        let said = text(&client, "[role=alert]").await;
        assert!(said.contains("needs a reason"), "{said}");
        shot(&client, "28-reviewer-needs-a-reason").await;
        client.goto(report_url.as_str()).await.unwrap();
        set_marking(&client, 1, "TOP SECRET//REL TO GBR, USA").await;
        assert!(text(&client, "#para-1 .mark").await.contains("(TS"));
        for label in ["Mark reviewed", "Approve"] {
            let button = client
                .find(Locator::XPath(&format!(
                    "//form[@class='advance']//button[text()='{label}']"
                )))
                .await
                .unwrap_or_else(|e| panic!("no {label} button: {e}"));
            submit(&client, button).await;
        }
        assert_eq!(text(&client, "#report-status").await, "approved");
        let versions = client
            .find_all(Locator::Css("ol.versions li"))
            .await
            .unwrap();
        assert!(
            versions.len() >= 4,
            "every version kept: {}",
            versions.len()
        );
        shot(&client, "29-reviewer-approved").await;
        client.close().await.unwrap();
    });
    // The claim, the edit, the review and the approval are in the chain, and it holds.
    let log = audit_log(archive);
    assert!(
        log.contains(r#""actor":"anna""#) && log.contains(r#""actor":"rita""#),
        "{log}"
    );
    kartoteka(archive)
        .args(["audit", "verify"])
        .assert()
        .success();
}
