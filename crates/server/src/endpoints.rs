//! Every endpoint of the reading room, with the action it takes. The router is built from
//! this table, the gate authorises by it, the OpenAPI document is written from it, and the
//! authorisation matrix test walks it: an endpoint cannot exist without a row here.

use kartoteka_model::Action;

/// An HTTP method the reading room answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET: reads, never changes anything.
    Get,
    /// POST: changes something (needs the CSRF token in a browser session).
    Post,
    /// DELETE: ends something (needs the CSRF token in a browser session).
    Delete,
}

impl Method {
    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }

    /// Whether a request of this method may change state.
    pub fn changes_state(self) -> bool {
        !matches!(self, Method::Get)
    }
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum In {
    /// In the path, as `{name}`.
    Path,
    /// In the query string.
    Query,
}

/// One parameter of an endpoint, for the OpenAPI document.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// Its name.
    pub name: &'static str,
    /// Where it goes.
    pub location: In,
    /// Whether it must be given.
    pub required: bool,
    /// Its JSON Schema type: "string", "integer" or "boolean".
    pub kind: &'static str,
    /// What it means.
    pub about: &'static str,
}

const fn query(name: &'static str, kind: &'static str, about: &'static str) -> Param {
    Param {
        name,
        location: In::Query,
        required: false,
        kind,
        about,
    }
}

/// What an endpoint answers with, for the OpenAPI document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// JSON.
    Json,
    /// An HTML page (or a redirect to one).
    Html,
    /// A stylesheet.
    Css,
    /// A script.
    Js,
    /// A file as stored (an original, a packaged file).
    Original,
    /// An export of this media type, streamed.
    Stream(&'static str),
}

/// One endpoint.
#[derive(Clone, Copy, Debug)]
pub struct Endpoint {
    /// Its method.
    pub method: Method,
    /// Its path, with `{name}` for path parameters (axum's syntax and OpenAPI's).
    pub path: &'static str,
    /// What it does, in the archive's terms; `None` for the few open to anyone (the
    /// sign-in, the OpenAPI document, the stylesheet).
    pub action: Option<Action>,
    /// One line for the OpenAPI document.
    pub summary: &'static str,
    /// Its parameters.
    pub params: &'static [Param],
    /// What it answers with.
    pub answer: Answer,
    /// A JSON body it takes, named by its schema in the OpenAPI document.
    pub body: Option<&'static str>,
}

impl Endpoint {
    /// Whether it is part of the JSON API (and so of the OpenAPI document).
    pub fn is_api(&self) -> bool {
        self.path.starts_with("/api/")
    }
}

const SEARCH_PARAMS: &[Param] = &[
    Param {
        name: "q",
        location: In::Query,
        required: true,
        kind: "string",
        about: "What to look for, in the query language of `kartoteka search`.",
    },
    query(
        "in",
        "string",
        "Only inside this unit, e.g. 'ф. 17, оп. 171'.",
    ),
    query(
        "dates",
        "string",
        "Only documents dated within this period: 1937, 1937..1945, 1941-06-22.",
    ),
    query(
        "lang",
        "string",
        "Only documents in this language (ru, en, mixed).",
    ),
    query(
        "format",
        "string",
        "Only documents of this format (text, markdown, html, pdf, docx, image).",
    ),
    query("exact", "boolean", "Match words exactly as written."),
    query("limit", "integer", "Hits per page (1 to 100, default 10)."),
    query("offset", "integer", "Hits to skip, for the next page."),
];

const DOC_ID: &[Param] = &[Param {
    name: "id",
    location: In::Path,
    required: true,
    kind: "integer",
    about: "The document's number.",
}];

const UNIT: &[Param] = &[
    query(
        "unit",
        "string",
        "A unit's reference code, e.g. 'ф. 17, оп. 171, д. 5'; the whole archive's fonds when left out.",
    ),
    query("hl", "string", "The page's language: en or ru."),
];

const FINDING_ID: &[Param] = &[Param {
    name: "id",
    location: In::Path,
    required: true,
    kind: "integer",
    about: "The finding's number.",
}];

const PERSON_ID: &[Param] = &[Param {
    name: "id",
    location: In::Path,
    required: true,
    kind: "string",
    about: "The person's id: P and a number.",
}];

const JOB_ID: &[Param] = &[Param {
    name: "id",
    location: In::Path,
    required: true,
    kind: "string",
    about: "The job's number: J and a number.",
}];

const USER_NAME: &[Param] = &[Param {
    name: "name",
    location: In::Path,
    required: true,
    kind: "string",
    about: "The user's sign-in name.",
}];

const PACKAGE_ID: &[Param] = &[Param {
    name: "id",
    location: In::Path,
    required: true,
    kind: "string",
    about: "The package's id: PKG-, the partner and a number.",
}];

const REPORT_ID: &[Param] = &[Param {
    name: "id",
    location: In::Path,
    required: true,
    kind: "string",
    about: "The report's id: R- and its subject (R-P3).",
}];

const REPORT_PARAGRAPH: &[Param] = &[
    REPORT_ID[0],
    Param {
        name: "n",
        location: In::Path,
        required: true,
        kind: "integer",
        about: "The paragraph, from 1.",
    },
];

const REPORTS_QUERY: &[Param] = &[query(
    "status",
    "string",
    "Only reports whose latest version is draft, reviewed or approved.",
)];

const REPORT_VERSION: &[Param] = &[
    REPORT_ID[0],
    query("version", "integer", "This version, not the latest."),
];

const REPORT_DIFF: &[Param] = &[
    REPORT_ID[0],
    query("from", "integer", "The earlier version (with to)."),
    query("to", "integer", "The later version (with from)."),
];

const CLAIMS_QUERY: &[Param] = &[Param {
    name: "subject",
    location: In::Query,
    required: true,
    kind: "string",
    about: "A person's id (P3) or a name that picks out one.",
}];

const AUDIT_QUERY: &[Param] = &[
    query(
        "unit",
        "string",
        "Only entries on this unit or inside it: ф. 9001, оп. 1.",
    ),
    query("actor", "string", "Only entries by this person."),
    query(
        "action",
        "string",
        "Only this kind of act: ingest, release, judge, ...",
    ),
    query(
        "since",
        "string",
        "At or after: 2026-11-27 or 2026-11-27T10:00:00Z.",
    ),
    query(
        "until",
        "string",
        "At or before (a day takes in the whole day).",
    ),
    query(
        "limit",
        "integer",
        "The newest N (1 to 10000, default 200).",
    ),
];

const PARTNER_ID: &[Param] = &[Param {
    name: "id",
    location: In::Path,
    required: true,
    kind: "string",
    about: "The partner's id: its country and service (GBR-MI5).",
}];

const PACKAGE_REPORT: &[Param] = &[
    PACKAGE_ID[0],
    Param {
        name: "report",
        location: In::Path,
        required: true,
        kind: "string",
        about: "A report the package holds, by its id.",
    },
];

const PACKAGE_FILE: &[Param] = &[
    PACKAGE_ID[0],
    PACKAGE_REPORT[1],
    Param {
        name: "file",
        location: In::Path,
        required: true,
        kind: "string",
        about: "A file of the report's variant, by its name in the package (R-P3.md).",
    },
];

const TOKEN_ID: &[Param] = &[Param {
    name: "id",
    location: In::Path,
    required: true,
    kind: "string",
    about: "The token's id: T and a number (never its secret).",
}];

const PERSONS_QUERY: &[Param] = &[
    query(
        "q",
        "string",
        "A name, in any script or case, or a piece of one.",
    ),
    query(
        "limit",
        "integer",
        "Persons per page (1 to 100, default 50).",
    ),
    query("offset", "integer", "Persons to skip, for the next page."),
];

/// Every endpoint of the reading room.
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: Method::Get,
        path: "/api/openapi.json",
        action: None,
        summary: "This API, described in OpenAPI 3.1.",
        params: &[],
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/api/session",
        action: None,
        summary: "Sign in with a name and password: sets the session cookie and answers with the CSRF token.",
        params: &[],
        answer: Answer::Json,
        body: Some("SignIn"),
    },
    Endpoint {
        method: Method::Delete,
        path: "/api/session",
        action: Some(Action::SeeSelf),
        summary: "Sign out.",
        params: &[],
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/api/me",
        action: Some(Action::SeeSelf),
        summary: "Who the credentials belong to: name, role, partner, scopes.",
        params: &[],
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/api/search",
        action: Some(Action::Search),
        summary: "Search the holdings, as `kartoteka search --json` does: {total, hits}. For a liaison, only the paragraphs of the reports released to its service: {total, hits: [{package, report, version, title, paragraph, mark, snippet, recalled}]}.",
        params: SEARCH_PARAMS,
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/api/documents/{id}",
        action: Some(Action::ReadHoldings),
        summary: "A document with its pages and ledger, as `kartoteka show N --json` does.",
        params: DOC_ID,
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/api/notes",
        action: Some(Action::ReadHoldings),
        summary: "Notes in the margin, of one document or all.",
        params: &[
            query("doc", "integer", "Only notes on this document."),
            query("author", "string", "Only notes by this user."),
        ],
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/api/notes",
        action: Some(Action::Annotate),
        summary: "Add a note on a passage (the quote is anchored as `kartoteka note add` anchors it).",
        params: &[],
        answer: Answer::Json,
        body: Some("NewNote"),
    },
    Endpoint {
        method: Method::Get,
        path: "/api/units",
        action: Some(Action::ReadHoldings),
        summary: "The archival tree at a unit: the units inside it, its documents, the gaps findings on it, and its history.",
        params: UNIT,
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/api/findings/{id}",
        action: Some(Action::Keep),
        summary: "Say where a gaps finding stands (open, under_investigation, explained) with a note; an explained one needs its note.",
        params: FINDING_ID,
        answer: Answer::Json,
        body: Some("FindingNote"),
    },
    Endpoint {
        method: Method::Get,
        path: "/api/persons",
        action: Some(Action::ReadPersons),
        summary: "Persons, found by name: {total, persons: [{id, name, names, cover_names, mentions}]}.",
        params: PERSONS_QUERY,
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/api/persons/{id}",
        action: Some(Action::ReadPersons),
        summary: "A person's dossier, as `kartoteka dossier --json` prints it, with the candidate links.",
        params: PERSON_ID,
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/api/judgements",
        action: Some(Action::Judge),
        summary: "Judge whether two persons or mentions are one person (same, different, unsure) with a reason; resolves again.",
        params: &[],
        answer: Answer::Json,
        body: Some("NewJudgement"),
    },
    Endpoint {
        method: Method::Get,
        path: "/api/export/persons",
        action: Some(Action::ReadPersons),
        summary: "Every person and their links as FollowTheMoney entities, one JSON object per line, streamed.",
        params: &[],
        answer: Answer::Stream("application/x-ndjson"),
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/api/export/notes",
        action: Some(Action::ReadHoldings),
        summary: "The notes in the margin as W3C Web Annotations (JSON-LD), streamed.",
        params: &[],
        answer: Answer::Stream("application/ld+json"),
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/api/status",
        action: Some(Action::ReadKeeping),
        summary: "Counts, the stage ledger's failures and documents waiting for OCR, as `kartoteka status --json`.",
        params: &[],
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/api/jobs",
        action: Some(Action::ReadJobs),
        summary: "The background jobs, the latest first.",
        params: &[],
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/api/jobs",
        action: Some(Action::Keep),
        summary: "Start a background job: verify, retry, gaps, resolve or reports. Answers 202 with the job, running.",
        params: &[],
        answer: Answer::Json,
        body: Some("NewJob"),
    },
    Endpoint {
        method: Method::Post,
        path: "/api/uploads",
        action: Some(Action::Keep),
        summary: "Upload holdings as one zip file, sent as the body (application/zip or application/octet-stream): a folder of originals with its inventory at the top, or a BagIt bag. Answers 202 with the ingest job.",
        params: &[query("name", "string", "The file's name, for the job's record.")],
        answer: Answer::Json,
        body: Some("Upload"),
    },
    Endpoint {
        method: Method::Get,
        path: "/api/jobs/{id}",
        action: Some(Action::ReadJobs),
        summary: "One job, with its progress and, once done, its result.",
        params: JOB_ID,
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/api/packages",
        action: Some(Action::ReadReleases),
        summary: "The packages sent to partners, in the order sent: a liaison's partner's only, a release officer's every partner's.",
        params: &[],
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/api/packages/{id}",
        action: Some(Action::ReadReleases),
        summary: "One package, with its reports and receipt; 404 for one the caller may not see, exactly as for one that does not exist.",
        params: PACKAGE_ID,
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/api/packages/{id}/reports/{report}",
        action: Some(Action::ReadReleases),
        summary: "A report variant exactly as packaged: its JSON file, byte for byte; 404 for one the caller was not sent, exactly as for one that does not exist.",
        params: PACKAGE_REPORT,
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/api/reports",
        action: Some(Action::ReadReports),
        summary: "Every report at its latest version, as lines (?status=draft for the queue to review).",
        params: REPORTS_QUERY,
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/api/reports/{id}",
        action: Some(Action::ReadReports),
        summary: "A report, at ?version= or its latest, as `kartoteka report show --format json` prints it.",
        params: REPORT_VERSION,
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/api/reports/{id}/diff",
        action: Some(Action::ReadReports),
        summary: "What changed between two versions (?from=&to=, else the last two), paragraph by paragraph with markings.",
        params: REPORT_DIFF,
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/api/reports/{id}/paragraphs/{n}",
        action: Some(Action::Review),
        summary: "Changes a paragraph's marking (raised freely, lowered below its sources' only with a reason) or text, as a new draft version.",
        params: REPORT_PARAGRAPH,
        answer: Answer::Json,
        body: Some("ParagraphEdit"),
    },
    Endpoint {
        method: Method::Post,
        path: "/api/reports/{id}/status",
        action: Some(Action::Review),
        summary: "Moves a report on: a draft to reviewed, a reviewed report to approved, as a new version.",
        params: REPORT_ID,
        answer: Answer::Json,
        body: Some("StatusChange"),
    },
    Endpoint {
        method: Method::Post,
        path: "/api/reports/build",
        action: Some(Action::Analyse),
        summary: "Builds (or rebuilds) the report on one person from the claims.",
        params: &[],
        answer: Answer::Json,
        body: Some("BuildRequest"),
    },
    Endpoint {
        method: Method::Get,
        path: "/api/claims",
        action: Some(Action::ReadReports),
        summary: "The claims on a person (?subject=), derived and written, with grades, citations and conflicts.",
        params: CLAIMS_QUERY,
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/api/claims",
        action: Some(Action::Analyse),
        summary: "Keeps an analyst's claim on a person, citing spans, graded with a reason.",
        params: &[],
        answer: Answer::Json,
        body: Some("NewClaim"),
    },
    Endpoint {
        method: Method::Get,
        path: "/api/audit",
        action: Some(Action::ReadAudit),
        summary: "The audit chain's entries by unit, actor, action and period, the newest last (as `kartoteka audit log --json`), with the chain's head.",
        params: AUDIT_QUERY,
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/api/audit/chain",
        action: Some(Action::ReadAudit),
        summary: "The whole chain verified entry by entry and against the rows it recorded, and the state of the sealed head (as `kartoteka audit verify`).",
        params: &[],
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/api/release/plan",
        action: Some(Action::PlanReleases),
        summary: "Every partner, and the release plan: for each partner and report whether it goes, why, and what the variant would lose (as `kartoteka release plan --json`).",
        params: &[],
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/api/release/rounds",
        action: Some(Action::SendReleases),
        summary: "Sends a round of packages to the partners named, as a background job; 202 with the job (follow it at /api/jobs/{id}).",
        params: &[],
        answer: Answer::Json,
        body: Some("NewRound"),
    },
    Endpoint {
        method: Method::Post,
        path: "/api/partners",
        action: Some(Action::SendReleases),
        summary: "Adds a partner service with its clearance, caveats, groups, keys and needs, as `kartoteka partner add`; 201 with it.",
        params: &[],
        answer: Answer::Json,
        body: Some("NewPartner"),
    },
    Endpoint {
        method: Method::Post,
        path: "/api/partners/{id}/state",
        action: Some(Action::SendReleases),
        summary: "Suspends a partner (it receives nothing) or resumes it, with the reason.",
        params: PARTNER_ID,
        answer: Answer::Json,
        body: Some("PartnerState"),
    },
    Endpoint {
        method: Method::Post,
        path: "/api/release/recalls",
        action: Some(Action::SendReleases),
        summary: "Recalls a report from every partner holding a version of it: a signed, encrypted recall notice to each, with the reason; 201 with who held it and the notices.",
        params: &[],
        answer: Answer::Json,
        body: Some("NewRecall"),
    },
    Endpoint {
        method: Method::Post,
        path: "/api/release/receipts",
        action: Some(Action::SendReleases),
        summary: "Records a partner's signed receipt (the JSON `kartoteka release open` wrote) once its signature holds under the partner's key; 201 with the package.",
        params: &[],
        answer: Answer::Json,
        body: Some("Receipt"),
    },
    Endpoint {
        method: Method::Get,
        path: "/api/users",
        action: Some(Action::ManageAccess),
        summary: "Every user and every token, without secrets, as `kartoteka user list --json` and `token list --json` print them.",
        params: &[],
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/api/users",
        action: Some(Action::ManageAccess),
        summary: "Add a user with a role (a liaison with its partner) and, for one who signs in with a browser, a password. Answers 201 with the user.",
        params: &[],
        answer: Answer::Json,
        body: Some("NewUser"),
    },
    Endpoint {
        method: Method::Post,
        path: "/api/users/{name}/disable",
        action: Some(Action::ManageAccess),
        summary: "Disable a user: their sessions and tokens stop working at once. Not oneself.",
        params: USER_NAME,
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/api/tokens",
        action: Some(Action::ManageAccess),
        summary: "Make a token for a user with scopes. Answers 201 with the token and its secret, shown this once.",
        params: &[],
        answer: Answer::Json,
        body: Some("NewToken"),
    },
    Endpoint {
        method: Method::Delete,
        path: "/api/tokens/{id}",
        action: Some(Action::ManageAccess),
        summary: "Revoke a token: it authenticates nothing from then on.",
        params: TOKEN_ID,
        answer: Answer::Json,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/",
        action: Some(Action::ReadHoldings),
        summary: "The reading room: search.",
        params: SEARCH_PARAMS,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/documents/{id}",
        action: Some(Action::ReadHoldings),
        summary: "The document reader: text by sheet, notes in the margin.",
        params: DOC_ID,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/documents/{id}/original",
        action: Some(Action::ReadHoldings),
        summary: "A document's original as stored: an image or PDF shown in place, anything else downloaded.",
        params: DOC_ID,
        answer: Answer::Original,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/documents/{id}/notes",
        action: Some(Action::Annotate),
        summary: "Add a note from the reader's form.",
        params: DOC_ID,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/holdings",
        action: Some(Action::ReadHoldings),
        summary: "The archival tree, a unit at a time, with gaps findings and the unit's history.",
        params: UNIT,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/holdings/findings/{id}",
        action: Some(Action::Keep),
        summary: "Say where a gaps finding stands, from the tree's form.",
        params: FINDING_ID,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/persons",
        action: Some(Action::ReadPersons),
        summary: "The persons, found by name.",
        params: PERSONS_QUERY,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/persons/{id}",
        action: Some(Action::ReadPersons),
        summary: "A person's dossier with its diagram, timeline, cover names and candidate links.",
        params: PERSON_ID,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/persons/{id}/judgements",
        action: Some(Action::Judge),
        summary: "Judge a candidate link from the dossier's form.",
        params: PERSON_ID,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/keeping",
        action: Some(Action::ReadKeeping),
        summary: "The archivist's page: counts, the ledger's failures, transfers, fixity, jobs.",
        params: &[],
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/keeping/jobs",
        action: Some(Action::Keep),
        summary: "Start a background job from the archivist's page.",
        params: &[],
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/jobs/{id}",
        action: Some(Action::ReadJobs),
        summary: "A job's page, following its progress live.",
        params: JOB_ID,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/packages",
        action: Some(Action::ReadReleases),
        summary: "The packages page: a liaison's packages with receipts and recall notices, or the register.",
        params: &[],
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/packages/{id}",
        action: Some(Action::ReadReleases),
        summary: "One package's page: its reports to read, its files to save, its receipt and recalls.",
        params: PACKAGE_ID,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/packages/{id}/reports/{report}",
        action: Some(Action::ReadReleases),
        summary: "A report variant's page, read from the variant as packaged.",
        params: PACKAGE_REPORT,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/packages/{id}/reports/{report}/{file}",
        action: Some(Action::ReadReleases),
        summary: "A file of a report variant as packaged, to save.",
        params: PACKAGE_FILE,
        answer: Answer::Original,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/reports",
        action: Some(Action::ReadReports),
        summary: "The reports queue: drafts to review, reviewed reports to approve, approved ones.",
        params: &[],
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/reports/{id}",
        action: Some(Action::ReadReports),
        summary: "A report with portion marks, citations that open their sheets, the reviewer's forms, versions and changes.",
        params: REPORT_VERSION,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/reports/{id}/paragraphs/{n}",
        action: Some(Action::Review),
        summary: "The form that changes a paragraph's marking; back to the report.",
        params: REPORT_PARAGRAPH,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/reports/{id}/status",
        action: Some(Action::Review),
        summary: "The form that reviews or approves a report; back to it.",
        params: REPORT_ID,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/claims",
        action: Some(Action::ReadReports),
        summary: "The claims on a person with grades, citations and conflicts side by side.",
        params: CLAIMS_QUERY,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/claims/build",
        action: Some(Action::Analyse),
        summary: "The button that builds a person's report; to the report.",
        params: &[],
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/documents/{id}/claims",
        action: Some(Action::Analyse),
        summary: "A claim citing the passage selected in the reader; to the claims on its subject.",
        params: DOC_ID,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/audit",
        action: Some(Action::ReadAudit),
        summary: "The audit viewer: entries by unit, actor, action and period, the chain's head, and the chain verified on request.",
        params: AUDIT_QUERY,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/release",
        action: Some(Action::PlanReleases),
        summary: "The release officer's desk: partners and keys, the plan as a partner by report matrix with why and what each variant loses, and the form that sends a round.",
        params: &[],
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/release/rounds",
        action: Some(Action::SendReleases),
        summary: "The form that sends a round; to the job's page.",
        params: &[],
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/release/partners",
        action: Some(Action::SendReleases),
        summary: "The add-a-partner form; back to the desk.",
        params: &[],
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/release/partners/{id}/state",
        action: Some(Action::SendReleases),
        summary: "A partner's suspend or resume form; back to the desk.",
        params: PARTNER_ID,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/release/recalls",
        action: Some(Action::SendReleases),
        summary: "The recall form; to the register.",
        params: &[],
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/release/receipts",
        action: Some(Action::SendReleases),
        summary: "The receipt form; to the register.",
        params: &[],
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/access",
        action: Some(Action::ManageAccess),
        summary: "The administrator's page: users and tokens, with the forms to add, disable, make and revoke.",
        params: &[],
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/access/users",
        action: Some(Action::ManageAccess),
        summary: "Add a user from the administrator's form.",
        params: &[],
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/access/users/{name}/disable",
        action: Some(Action::ManageAccess),
        summary: "Disable a user from the administrator's page.",
        params: USER_NAME,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/access/tokens",
        action: Some(Action::ManageAccess),
        summary: "Make a token from the administrator's form; the page shows its secret once.",
        params: &[],
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/access/tokens/{id}/revoke",
        action: Some(Action::ManageAccess),
        summary: "Revoke a token from the administrator's page.",
        params: TOKEN_ID,
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/login",
        action: None,
        summary: "The sign-in page.",
        params: &[],
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/login",
        action: None,
        summary: "Sign in from the form.",
        params: &[],
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Post,
        path: "/logout",
        action: Some(Action::SeeSelf),
        summary: "Sign out from the form.",
        params: &[],
        answer: Answer::Html,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/assets/style.css",
        action: None,
        summary: "The reading room's stylesheet.",
        params: &[],
        answer: Answer::Css,
        body: None,
    },
    Endpoint {
        method: Method::Get,
        path: "/assets/room.js",
        action: None,
        summary: "The reading room's script (the pages work without it).",
        params: &[],
        answer: Answer::Js,
        body: None,
    },
];

/// The endpoint of a method and a route path, if there is one.
pub fn find(method: &str, path: &str) -> Option<&'static Endpoint> {
    ENDPOINTS
        .iter()
        .find(|e| e.method.as_str() == method && e.path == path)
}
