//! A reading room over a small archive, called in-process, for the server's tests.
#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use kartoteka_archive::{Archive, HeadKeys, IngestOptions, NoProgress};
use kartoteka_model::{
    KeptFile, KeptVariant, Marking, Package, PackageKind, PackagedReport, Paragraph, Report,
    ReportStatus, Role, Scope,
};
use kartoteka_server::{router, App, Config};
use tower::ServiceExt;

/// A zip of these files, as an upload.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A zip with one good file and one named `evil` as written (a zip writer would clean
/// the name): written with a placeholder of the same length, then patched.
pub fn hostile_zip(evil: &str) -> Vec<u8> {
    let placeholder = "x".repeat(evil.len());
    let bytes = zip_of(&[("ok.txt", b"fine"), (&placeholder, b"evil")]);
    let (from, to) = (placeholder.as_bytes(), evil.as_bytes());
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// What each partner's variant says (one paragraph), and its marking. The words
/// "Donaublick" and "Themsebrücke" are each in one partner's variant only.
pub const VARIANTS: &[(&str, &str, &str)] = &[
    (
        "GBR-MI5",
        "Агент КЛИМ встретился с Соколовым у моста Themsebrücke в Лондоне.",
        "SECRET//REL TO GBR",
    ),
    (
        "DEU-BND",
        "Курьер СОКОЛОВ передал пакет в кафе Donaublick в Вене.",
        "SECRET//REL TO DEU",
    ),
];

/// A report variant's JSON, as `release send` packages it: one paragraph.
pub fn variant_json(report: &str, partner: &str, text: &str, marking: &str) -> Vec<u8> {
    let r = Report {
        id: report.into(),
        version: 1,
        subject: "P1".into(),
        subject_name: "КЛИМ".into(),
        title: format!("Справка {report}"),
        status: ReportStatus::Approved,
        paragraphs: vec![Paragraph {
            section: "subject".into(),
            text: text.into(),
            claims: Vec::new(),
            citations: Vec::new(),
            marking: Marking::parse(marking).unwrap(),
            marking_override: None,
            edited: false,
            marking_notes: Vec::new(),
        }],
        countries: vec![partner[..3].into()],
        period: None,
        cover_names: Vec::new(),
        related: Vec::new(),
        places: Vec::new(),
        services: Vec::new(),
        by: "analyst".into(),
        at: "2026-12-01T00:00:00Z".into(),
        why: String::new(),
        released_to: Some(partner.into()),
    };
    kartoteka_report::json(&r).to_string().into_bytes()
}

/// The password every test user has.
pub const PASSWORD: &str = "correct horse battery staple";

/// A reading room with one user of each role (named after the role), each with a token of
/// every scope.
pub struct Room {
    pub dir: tempfile::TempDir,
    pub app: Arc<App>,
    pub router: axum::Router,
    /// Each role's full-scope token.
    pub tokens: Vec<(Role, String)>,
    /// Each role's read-only token.
    pub read_tokens: Vec<(Role, String)>,
    /// A token that was revoked, and one of a user since disabled.
    pub dead_tokens: Vec<String>,
}

pub fn room() -> Room {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(
        docs.join("report.txt"),
        "Агент КЛИМ встретился с Соколовым в Берлине 3 мая 1951 года.\n\nОтчёт передан в центр.",
    )
    .unwrap();
    std::fs::write(
        docs.join("second.txt"),
        "Second document: a meeting in Vienna.",
    )
    .unwrap();
    std::fs::write(
        docs.join("third.txt"),
        "Справка. Петров Иван Петрович, 1920 года рождения, проживал в Вене.",
    )
    .unwrap();
    // A file on an agent: a report to review, claims to weigh.
    std::fs::write(
        {
            std::fs::create_dir_all(docs.join("zz-agent")).unwrap();
            docs.join("zz-agent/sheet 1.txt")
        },
        "Справка. Псевдоним «ЗИМА» присвоен Орловой Анне Сергеевне в 1950 г.\n\nДопрошенный Петров Иван Петрович показал, что с агентом «ЗИМА» встречался ежемесячно до 1953 года.",
    )
    .unwrap();
    // An inventory that lists a file the archive does not hold: a gaps finding to annotate.
    let inventory = dir.path().join("opis.csv");
    std::fs::write(
        &inventory,
        "reference,path,title,dates,sheets\n\"ф. 3, оп. 1, д. 1\",absent,Дело,1950,3\n\"ф. 7, оп. 1, д. 1\",docs/zz-agent,Дело агента,1950,1\n",
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
    assert_eq!(archive.gaps(None).unwrap().findings.len(), 1);
    // Persons found and resolved, for the dossiers and judgements.
    archive.extract_mentions(None, &NoProgress).unwrap();
    archive.identities().resolve().unwrap();
    // The reports on the agents the text names, for the analyst's and reviewer's desks;
    // the agent's file is SECRET for Britain, so that its paragraphs are too.
    archive
        .reports()
        .set_marking_rule("ф. 7", "SECRET//REL TO GBR", "agreement 1994/7")
        .unwrap();
    archive.reports().build_reports(None).unwrap();
    // Two partner services, each sent a package; the first also a recall notice. The
    // liaison speaks for the first.
    for (country, service) in [("GBR", "MI5"), ("DEU", "BND")] {
        let keys = kartoteka_archive::PartnerKeys::generate().unwrap();
        archive
            .release()
            .add_partner(&kartoteka_archive::NewPartner {
                country: country.into(),
                service: service.into(),
                clearance: "SECRET".into(),
                caveats: Vec::new(),
                groups: Vec::new(),
                recipient: keys.recipient(),
                verify_key: keys.verify_key(),
                need_countries: Vec::new(),
                need_topics: Vec::new(),
                why: "agreement".into(),
            })
            .unwrap();
    }
    for (id, partner, kind, report) in [
        ("PKG-GBR-MI5-1", "GBR-MI5", PackageKind::Release, "R-KLIM"),
        (
            "PKG-DEU-BND-1",
            "DEU-BND",
            PackageKind::Release,
            "R-SOKOLOV",
        ),
        ("PKG-GBR-MI5-2", "GBR-MI5", PackageKind::Recall, "R-KLIM"),
    ] {
        // A release keeps its variant's JSON in the blob store, as `release send` does.
        let variants = if kind == PackageKind::Release {
            let (text, marking) = VARIANTS
                .iter()
                .find(|(p, _, _)| *p == partner)
                .map(|(_, t, m)| (*t, *m))
                .unwrap();
            let json = variant_json(report, partner, text, marking);
            let hash = archive.blobs().put(&json).unwrap();
            vec![KeptVariant {
                report: report.into(),
                version: 1,
                marking: marking.into(),
                files: vec![KeptFile {
                    name: format!("{report}.json"),
                    sha256: hash.to_hex(),
                    bytes: json.len() as u64,
                }],
            }]
        } else {
            Vec::new()
        };
        archive
            .store()
            .add_package(&Package {
                id: id.into(),
                kind,
                partner: partner.into(),
                country: partner[..3].into(),
                reports: vec![PackagedReport {
                    id: report.into(),
                    version: 1,
                }],
                sha256: "0".repeat(64),
                file: format!("{id}.tar"),
                sent_at: String::new(),
                officer: String::new(),
                why: if kind == PackageKind::Recall {
                    "a source withdrew".into()
                } else {
                    String::new()
                },
                receipt: None,
                variants,
            })
            .unwrap();
    }
    let mut tokens = Vec::new();
    let mut read_tokens = Vec::new();
    for role in Role::ALL {
        let name = role.as_str().to_string();
        let partner = (role == Role::Liaison).then_some("GBR-MI5");
        archive
            .access()
            .add_user(&name, role, partner, Some(PASSWORD))
            .unwrap();
        let (_, secret) = archive.access().create_token(&name, &Scope::ALL).unwrap();
        tokens.push((role, secret));
        let (_, secret) = archive
            .access()
            .create_token(&name, &[Scope::Read])
            .unwrap();
        read_tokens.push((role, secret));
    }
    let (revoked, secret) = archive
        .access()
        .create_token("researcher", &[Scope::Read])
        .unwrap();
    archive.access().revoke_token(&revoked.id).unwrap();
    let mut dead_tokens = vec![secret];
    archive
        .access()
        .add_user("gone", Role::Researcher, None, Some(PASSWORD))
        .unwrap();
    let (_, secret) = archive
        .access()
        .create_token("gone", &[Scope::Read])
        .unwrap();
    archive.access().disable_user("gone").unwrap();
    dead_tokens.push(secret);
    let keys = HeadKeys::new(dir.path().join("keys"));
    let app = App::new(
        archive,
        keys,
        Config {
            secure_cookies: false,
            body_limit: 64 * 1024,
            ..Config::default()
        },
    )
    .expect("the job queue opens");
    let router = router(app.clone());
    Room {
        dir,
        app,
        router,
        tokens,
        read_tokens,
        dead_tokens,
    }
}

impl Room {
    /// The token of a role's user.
    pub fn token(&self, role: Role) -> &str {
        &self.tokens.iter().find(|(r, _)| *r == role).unwrap().1
    }

    /// The read-only token of a role's user.
    pub fn read_token(&self, role: Role) -> &str {
        &self.read_tokens.iter().find(|(r, _)| *r == role).unwrap().1
    }

    /// A request with a bearer token.
    pub fn with_token(&self, token: &str, mut request: Request<Body>) -> Request<Body> {
        request.headers_mut().insert(
            header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
        request
    }

    /// A GET with the token of a role's user: the status and the body.
    pub async fn get_as(&self, role: Role, uri: &str) -> (StatusCode, String) {
        let request = self.with_token(
            self.token(role),
            Request::get(uri).body(Body::empty()).unwrap(),
        );
        let (status, _, body) = self.send(request).await;
        (status, body)
    }

    /// A GET with the token of a role's user that must answer 200: the answer's JSON.
    pub async fn get_json(&self, role: Role, uri: &str) -> serde_json::Value {
        let (status, body) = self.get_as(role, uri).await;
        assert_eq!(status, StatusCode::OK, "GET {uri}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// A POST of JSON with the token of a role's user: the status and the answer as JSON
    /// (an answer that is not JSON as a JSON string).
    pub async fn post_json(
        &self,
        role: Role,
        uri: &str,
        body: &serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        let request = self.with_token(
            self.token(role),
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        );
        let (status, _, body) = self.send(request).await;
        let answer = serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body));
        (status, answer)
    }

    /// A GET in a browser's session (its cookie): the status, headers and body.
    pub async fn get_with_cookie(
        &self,
        uri: &str,
        cookie: &str,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        self.send(
            Request::get(uri)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// Sends a request and reads the whole answer.
    pub async fn send(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let (status, headers, bytes) = self.send_raw(request).await;
        (
            status,
            headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    /// Sends a request and reads the whole answer as bytes.
    pub async fn send_raw(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let response: Response<Body> = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, headers, bytes.to_vec())
    }

    /// Who did each act of this kind, in the archive's audit chain.
    pub fn audit_actors(&self, action: &str) -> Vec<String> {
        let archive = Archive::open(&self.dir.path().join("archive")).unwrap();
        archive
            .audit_log(&kartoteka_store::AuditFilter {
                action: Some(action.to_string()),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|e| e.actor)
            .collect()
    }

    /// Signs in through the form; returns the cookie's value and the session's CSRF token
    /// (read from the search page, as a browser would).
    pub async fn sign_in(&self, name: &str) -> (String, String) {
        let form = format!("name={name}&password={}", PASSWORD.replace(' ', "+"));
        let (status, headers, _) = self
            .send(
                Request::post("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(form))
                    .unwrap(),
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "signing in as {name}");
        let cookie = headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let (_, _, page) = self.get_with_cookie("/", &cookie).await;
        let csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("")
            .to_string();
        (cookie, csrf)
    }
}
