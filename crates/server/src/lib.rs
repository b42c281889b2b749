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

mod api;
pub mod endpoints;
pub mod error;
mod gate;
mod limiter;
mod openapi;
mod pages;

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
}

impl Default for Config {
    fn default() -> Config {
        Config {
            session_hours: 12,
            secure_cookies: true,
            body_limit: 1 << 20,
            writer_wait: Duration::from_secs(10),
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
}

impl App {
    /// A server over the archive at `root`, sealing its head with `keys`.
    pub fn new(archive: Archive, keys: HeadKeys, config: Config) -> Arc<App> {
        let root = archive.root().to_path_buf();
        Arc::new(App {
            archive: Arc::new(archive),
            root,
            keys,
            config,
            writing: Mutex::new(()),
            limiter: limiter::Limiter::default(),
        })
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
        tokio::task::spawn_blocking(move || {
            let _one = app.writing.lock().unwrap_or_else(|p| p.into_inner());
            let _lock = app.lock_writer()?;
            app.archive.check_seal(&app.keys)?;
            app.archive.set_actor(&actor);
            let result = f(&app.archive);
            let sealed = app.archive.seal_head(&app.keys);
            let value = result?;
            sealed.map_err(ApiError::from)?;
            Ok(value)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// The archive's writer lock, waited for up to the configured time.
    fn lock_writer(&self) -> Result<Option<kartoteka_archive::WriterLock>, ApiError> {
        let started = std::time::Instant::now();
        loop {
            match Archive::lock_writer(&self.root, "kartoteka serve", false) {
                Ok(lock) => return Ok(lock),
                Err(e @ ArchiveError::Busy(_)) => {
                    if started.elapsed() >= self.config.writer_wait {
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
            (Get, "/") => get(pages::search),
            (Get, "/documents/{id}") => get(pages::document),
            (Post, "/documents/{id}/notes") => post(pages::add_note),
            (Get, "/login") => get(pages::login_form),
            (Post, "/login") => post(pages::login),
            (Post, "/logout") => post(pages::logout),
            (Get, "/assets/style.css") => get(pages::stylesheet),
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
        .with_state(app)
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
