//! The reading room: `kartoteka serve`. An HTTP API and server-rendered pages over the
//! archive's services, for the people who will not live in a terminal.
//!
//! # Brief overview
//!
//! Every endpoint is a row of [`endpoints::ENDPOINTS`] naming the
//! [`Action`](kartoteka_model::Action) it takes. The router is built from that table, and
//! one middleware, the gate ([`gate`]), stands before every route: it finds the caller by
//! bearer token or session cookie (the archive's access service decides who they are),
//! asks `kartoteka_model::allows` whether their role and scopes permit the action, and
//! checks the CSRF token of a browser session's state-changing request. Handlers never
//! decide access; they call the archive's services and render what they answer.
//!
//! The archive is synchronous: every call into it runs on Tokio's blocking pool. Writes
//! go one at a time through [`App::write`], which takes the archive's writer lock (so a
//! command-line writer and the server never interleave), names the user in the audit
//! chain, and seals the chain's head afterwards, as every writing command does.
// The OpenAPI document is one `json!` literal, deeper than the macro's default limit.
#![recursion_limit = "256"]

mod access;
mod api;
mod audit;
pub mod endpoints;
pub mod error;
mod exports;
mod gate;
mod holdings;
pub mod jobs;
mod keeping;
mod limiter;
mod openapi;
mod pages;
mod persons;
mod portal;
mod releasing;
mod reports;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::{delete, get, post};
use axum::Router;
use kartoteka_archive::{Archive, ArchiveError, HeadKeys};

pub use error::ApiError;
pub use gate::SESSION_COOKIE;

/// How the server behaves.
#[derive(Clone, Debug)]
pub struct Config {
    /// How long a browser session lasts, in hours.
    pub session_hours: u64,
    /// Whether the session cookie carries `Secure` (browsers send it only over HTTPS and to
    /// localhost). On by default; off only behind a trusted proxy that is itself plain.
    pub secure_cookies: bool,
    /// The largest request body taken, in bytes.
    pub body_limit: usize,
    /// How long a write waits for another writer (a command-line ingest) before it is
    /// answered "busy".
    pub writer_wait: Duration,
    /// The largest upload taken (a zip of holdings), in bytes.
    pub upload_limit: u64,
    /// How long a background job stays with a worker that stops saying it is at work
    /// before another worker may take it (the worker says so every second).
    pub job_lease: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            session_hours: 12,
            secure_cookies: true,
            body_limit: 1 << 20,
            writer_wait: Duration::from_secs(10),
            upload_limit: 4 << 30,
            job_lease: Duration::from_secs(30),
        }
    }
}

/// The server's state: the archive, the keys that seal its audit head, and the sign-in
/// limiter.
pub struct App {
    archive: Arc<Archive>,
    root: PathBuf,
    keys: HeadKeys,
    config: Config,
    /// One write at a time within this process (the writer lock is between processes).
    writing: Mutex<()>,
    limiter: limiter::Limiter,
    jobs: Arc<jobs::Jobs>,
    /// Where uploads are received and unpacked (the archive's `uploads/`).
    uploads: PathBuf,
}

impl App {
    /// A server over the archive at `root`, sealing its head with `keys`. Fails when the
    /// archive's `jobs/` or `uploads/` folder cannot be read or made.
    pub fn new(archive: Archive, keys: HeadKeys, config: Config) -> std::io::Result<Arc<App>> {
        let root = archive.root().to_path_buf();
        let store = Archive::store_location(&root).map_err(std::io::Error::other)?;
        let jobs = jobs::Jobs::open(&root, &store, config.job_lease).map_err(|e| {
            std::io::Error::other(format!("opening the job queue of {}: {e}", root.display()))
        })?;
        let uploads = root.join(kartoteka_archive::UPLOADS);
        std::fs::create_dir_all(&uploads)?;
        let app = Arc::new(App {
            archive: Arc::new(archive),
            root,
            keys,
            config,
            writing: Mutex::new(()),
            limiter: limiter::Limiter::default(),
            jobs: Arc::new(jobs),
            uploads,
        });
        app.start_worker()?;
        Ok(app)
    }

    /// Runs `f` on the archive on the blocking pool.
    pub(crate) async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Archive) -> Result<T, ApiError> + Send + 'static,
    {
        let archive = self.archive.clone();
        tokio::task::spawn_blocking(move || f(&archive))
            .await
            .map_err(ApiError::internal)?
    }

    /// Runs a change to the archive as `actor`: with the writer lock held, after checking
    /// the sealed head, and sealing it again afterwards, whether the change succeeded or not
    /// (a failed change may have written some entries).
    pub(crate) async fn write<T, F>(self: &Arc<Self>, actor: String, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Archive) -> Result<T, ApiError> + Send + 'static,
    {
        let app = self.clone();
        let wait = self.config.writer_wait;
        tokio::task::spawn_blocking(move || app.write_now(&actor, wait, f))
            .await
            .map_err(ApiError::internal)?
    }

    /// [`App::write`] on the calling thread, waiting up to `wait` for other writers.
    fn write_now<T>(
        &self,
        actor: &str,
        wait: Duration,
        f: impl FnOnce(&Archive) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let started = std::time::Instant::now();
        let _one = loop {
            match self.writing.try_lock() {
                Ok(guard) => break guard,
                Err(std::sync::TryLockError::Poisoned(p)) => break p.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => {
                    if started.elapsed() >= wait {
                        return Err(ArchiveError::Busy(
                            "another change (a background job?) is being written through this server"
                                .to_string(),
                        )
                        .into());
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        };
        let _lock = self.lock_writer(wait.saturating_sub(started.elapsed()))?;
        self.archive.check_seal(&self.keys)?;
        self.archive.set_actor(actor);
        let result = f(&self.archive);
        let sealed = self.archive.seal_head(&self.keys);
        let value = result?;
        sealed.map_err(ApiError::from)?;
        Ok(value)
    }

    /// Runs `f` on the job queue on the blocking pool (the queue's store may block).
    pub(crate) async fn with_jobs<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&jobs::Jobs) -> Result<T, ApiError> + Send + 'static,
    {
        let queue = self.jobs.clone();
        tokio::task::spawn_blocking(move || f(&queue))
            .await
            .map_err(ApiError::internal)?
    }

    /// Queues a background job as `actor`; a worker of one of the servers sharing the
    /// store takes it, waits its turn to write (up to an hour) and does it. Answers at
    /// once with the job, queued.
    pub(crate) async fn start_job(
        &self,
        kind: jobs::JobKind,
        actor: &str,
    ) -> Result<jobs::Job, ApiError> {
        let actor = actor.to_string();
        self.with_jobs(move |q| q.begin(kind, &actor, None)).await
    }

    /// Queues a round of packages to `partners` as a background job, for this server's
    /// worker (the packages go to its outbox).
    pub(crate) async fn start_round(
        &self,
        partners: Vec<String>,
        actor: &str,
    ) -> Result<jobs::Job, ApiError> {
        let actor = actor.to_string();
        self.with_jobs(move |q| q.begin_with(jobs::JobKind::Send, &actor, None, partners))
            .await
    }

    /// Starts this server's worker, which does the jobs due until the server goes.
    fn start_worker(self: &Arc<Self>) -> std::io::Result<()> {
        let app = Arc::downgrade(self);
        let queue = Arc::downgrade(&self.jobs);
        std::thread::Builder::new()
            .name("jobs".into())
            .spawn(move || {
                jobs::work(queue, move |job, upload, progress| {
                    let app = app.upgrade()?;
                    let upload = upload.map(|file| app.uploads.join(file));
                    Some(app.write_now(&job.by, Duration::from_secs(3600), |a| {
                        let input = jobs::JobInput {
                            upload: upload.as_deref(),
                            partners: &job.partners,
                            keys: &app.keys,
                        };
                        jobs::run(job.kind, &input, a, progress)
                    }))
                })
            })
            .map(|_| ())
    }

    /// The archive's writer lock, waited for up to `wait`.
    fn lock_writer(
        &self,
        wait: Duration,
    ) -> Result<Option<kartoteka_archive::WriterLock>, ApiError> {
        let started = std::time::Instant::now();
        loop {
            match Archive::lock_writer(&self.root, "kartoteka serve", false) {
                Ok(lock) => return Ok(lock),
                Err(e @ ArchiveError::Busy(_)) => {
                    if started.elapsed() >= wait {
                        return Err(e.into());
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// The reading room's routes, each behind the gate.
pub fn router(app: Arc<App>) -> Router {
    let mut router = Router::new();
    for e in endpoints::ENDPOINTS {
        use endpoints::Method::*;
        let route = match (e.method, e.path) {
            (Get, "/api/openapi.json") => get(openapi::document),
            (Post, "/api/session") => post(api::sign_in),
            (Delete, "/api/session") => delete(api::sign_out),
            (Get, "/api/me") => get(api::me),
            (Get, "/api/search") => get(api::search),
            (Get, "/api/documents/{id}") => get(api::document),
            (Get, "/api/notes") => get(api::notes),
            (Post, "/api/notes") => post(api::add_note),
            (Get, "/api/units") => get(holdings::units),
            (Post, "/api/findings/{id}") => post(holdings::annotate_api),
            (Get, "/api/persons") => get(persons::list),
            (Get, "/api/persons/{id}") => get(persons::one),
            (Post, "/api/judgements") => post(persons::judge),
            (Get, "/api/export/persons") => get(exports::persons),
            (Get, "/api/export/notes") => get(exports::notes),
            (Get, "/api/status") => get(keeping::status),
            (Get, "/api/jobs") => get(keeping::jobs),
            (Post, "/api/jobs") => post(keeping::start),
            (Post, "/api/uploads") => post(keeping::upload),
            (Get, "/api/jobs/{id}") => get(keeping::job),
            (Get, "/api/packages") => get(portal::list),
            (Get, "/api/packages/{id}") => get(portal::one),
            (Get, "/api/packages/{id}/reports/{report}") => get(portal::variant_json),
            (Get, "/api/reports") => get(reports::list),
            (Get, "/api/reports/{id}") => get(reports::one),
            (Get, "/api/reports/{id}/diff") => get(reports::diff),
            (Post, "/api/reports/{id}/paragraphs/{n}") => post(reports::edit_api),
            (Post, "/api/reports/{id}/status") => post(reports::advance_api),
            (Post, "/api/reports/build") => post(reports::build_api),
            (Get, "/api/claims") => get(reports::claims),
            (Post, "/api/claims") => post(reports::add_claim_api),
            (Get, "/api/audit") => get(audit::log),
            (Get, "/api/audit/chain") => get(audit::verify),
            (Get, "/api/release/plan") => get(releasing::plan),
            (Post, "/api/release/rounds") => post(releasing::start_round),
            (Post, "/api/release/recalls") => post(releasing::recall_api),
            (Post, "/api/partners") => post(releasing::add_partner_api),
            (Post, "/api/partners/{id}/state") => post(releasing::set_state_api),
            (Post, "/api/release/receipts") => post(releasing::receipt_api),
            (Get, "/api/users") => get(access::list),
            (Post, "/api/users") => post(access::add_user_api),
            (Post, "/api/users/{name}/disable") => post(access::disable_api),
            (Post, "/api/tokens") => post(access::create_token_api),
            (Delete, "/api/tokens/{id}") => delete(access::revoke_api),
            (Get, "/") => get(pages::search),
            (Get, "/documents/{id}") => get(pages::document),
            (Get, "/documents/{id}/original") => get(pages::original),
            (Post, "/documents/{id}/notes") => post(pages::add_note),
            (Get, "/holdings") => get(holdings::page),
            (Post, "/holdings/findings/{id}") => post(holdings::annotate_page),
            (Get, "/persons") => get(persons::list_page),
            (Get, "/persons/{id}") => get(persons::page),
            (Post, "/persons/{id}/judgements") => post(persons::judge_from_page),
            (Get, "/keeping") => get(keeping::page),
            (Post, "/keeping/jobs") => post(keeping::start_from_page),
            (Get, "/jobs/{id}") => get(keeping::job_page),
            (Get, "/packages") => get(portal::page),
            (Get, "/packages/{id}") => get(portal::package_page),
            (Get, "/packages/{id}/reports/{report}") => get(portal::variant_page),
            (Get, "/packages/{id}/reports/{report}/{file}") => get(portal::variant_file),
            (Get, "/reports") => get(reports::queue_page),
            (Get, "/reports/{id}") => get(reports::report_page),
            (Post, "/reports/{id}/paragraphs/{n}") => post(reports::edit_page),
            (Post, "/reports/{id}/status") => post(reports::advance_page),
            (Get, "/claims") => get(reports::claims_page),
            (Post, "/claims/build") => post(reports::build_page),
            (Post, "/documents/{id}/claims") => post(reports::claim_from_reader),
            (Get, "/audit") => get(audit::page),
            (Get, "/release") => get(releasing::page),
            (Post, "/release/rounds") => post(releasing::start_round_from_page),
            (Post, "/release/recalls") => post(releasing::recall_page),
            (Post, "/release/partners") => post(releasing::add_partner_page),
            (Post, "/release/partners/{id}/state") => post(releasing::set_state_page),
            (Post, "/release/receipts") => post(releasing::receipt_page),
            (Get, "/access") => get(access::page),
            (Post, "/access/users") => post(access::add_user_page),
            (Post, "/access/users/{name}/disable") => post(access::disable_page),
            (Post, "/access/tokens") => post(access::create_token_page),
            (Post, "/access/tokens/{id}/revoke") => post(access::revoke_page),
            (Get, "/login") => get(pages::login_form),
            (Post, "/login") => post(pages::login),
            (Post, "/logout") => post(pages::logout),
            (Get, "/assets/style.css") => get(pages::stylesheet),
            (Get, "/assets/room.js") => get(pages::script),
            (method, path) => unreachable!("no handler for {} {path}", method.as_str()),
        };
        router = router.route(e.path, route);
    }
    router
        .route_layer(axum::middleware::from_fn_with_state(
            app.clone(),
            gate::gate,
        ))
        .fallback(|| async { ApiError::not_found("no such endpoint (see /api/openapi.json)") })
        .layer(axum::extract::DefaultBodyLimit::max(app.config.body_limit))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(app)
}

/// Headers on every answer that keep a page from being framed, sniffed, or made to run
/// anything but the room's own script and style (a note or a name that slipped past
/// escaping still could not run).
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// Serves the reading room on `addr` until Ctrl-C or SIGTERM; says where when it listens.
pub fn serve(
    app: Arc<App>,
    addr: SocketAddr,
    on_listen: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if app.archive.shares_its_store() {
        follow_changes(Arc::downgrade(&app.archive));
    }
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        on_listen(listener.local_addr()?);
        axum::serve(
            listener,
            router(app).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown())
        .await
    })
}

/// How often a server over a shared store takes in what other servers wrote.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Keeps this server's index up with the shared store's change log, in a thread of its
/// own, until the archive goes. A round that fails (the database away) is said once and
/// tried again next time; while this server's own ingest writes the index, rounds wait.
fn follow_changes(archive: std::sync::Weak<Archive>) {
    let spawned = std::thread::Builder::new()
        .name("follow-changes".into())
        .spawn(move || {
            let mut failing = false;
            loop {
                std::thread::sleep(FOLLOW_EVERY);
                let Some(archive) = archive.upgrade() else {
                    return;
                };
                match archive.follow_changes() {
                    Ok(_) => failing = false,
                    Err(e) if !failing => {
                        eprintln!("kartoteka serve: following the shared store's changes: {e}");
                        failing = true;
                    }
                    Err(_) => {}
                }
            }
        });
    if let Err(e) = spawned {
        eprintln!("kartoteka serve: cannot follow the shared store's changes: {e}");
    }
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
