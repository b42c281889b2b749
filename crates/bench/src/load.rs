//! `kartoteka-bench serve-load PATH...`: the reading room under load on loopback. The
//! server runs in this process (two Tokio workers) and a bounded load generator of our
//! own (a few keep-alive HTTP/1.1 connections on threads) shares the same two cores with
//! it. It prints requests per second and p50/p99 latency for search, for document pages,
//! and for search while an ingest runs, beside the same searches through the library (what
//! the CLI calls, without its process start) and through the `kartoteka search` command.
//!
//! The generator is written here rather than taken from wrk or oha: those are not on the
//! machine's registries as Rust libraries, and a closed-loop client of a few connections
//! is a page of code that reports exactly the percentiles we need.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use kartoteka_archive::{Archive, HeadKeys, NoProgress, SearchOptions};
use kartoteka_model::{Role, Scope};

/// Connections the generator keeps open.
const CONNECTIONS: usize = 4;
/// How long each measurement runs.
const SECONDS: u64 = 10;

/// One keep-alive connection: sends a GET and reads the whole answer.
struct Connection {
    reader: BufReader<TcpStream>,
    addr: SocketAddr,
    token: String,
}

impl Connection {
    fn open(addr: SocketAddr, token: &str) -> anyhow::Result<Connection> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            reader: BufReader::new(stream),
            addr,
            token: token.to_string(),
        })
    }

    /// The status of a GET of `path`, its body read and dropped.
    fn get(&mut self, path: &str) -> anyhow::Result<u16> {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\r\n",
            self.addr, self.token
        );
        self.reader.get_mut().write_all(request.as_bytes())?;
        let mut status_line = String::new();
        self.reader.read_line(&mut status_line)?;
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("no status in {status_line:?}"))?;
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line)?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse()?;
                }
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        Ok(status)
    }
}

/// Requests per second, p50 and p99 in milliseconds.
struct Figures {
    rate: f64,
    p50: f64,
    p99: f64,
    errors: usize,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs `CONNECTIONS` closed-loop clients for `SECONDS`, or until `until` says so, each
/// taking paths in turn.
fn load(
    addr: SocketAddr,
    token: &str,
    paths: &[String],
    until: &dyn Fn() -> bool,
) -> anyhow::Result<Figures> {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut threads = Vec::new();
    for c in 0..CONNECTIONS {
        let stop = stop.clone();
        let paths = paths.to_vec();
        let token = token.to_string();
        threads.push(std::thread::spawn(
            move || -> anyhow::Result<(Vec<f64>, usize)> {
                let mut conn = Connection::open(addr, &token)?;
                let mut times = Vec::new();
                let mut errors = 0;
                let mut i = c * 7919;
                while !stop.load(Ordering::Relaxed) {
                    let path = &paths[i % paths.len()];
                    i += 1;
                    let t = Instant::now();
                    let status = conn.get(path)?;
                    times.push(t.elapsed().as_secs_f64() * 1000.0);
                    if status != 200 {
                        errors += 1;
                    }
                }
                Ok((times, errors))
            },
        ));
    }
    while started.elapsed() < Duration::from_secs(SECONDS) && !until() {
        std::thread::sleep(Duration::from_millis(20));
    }
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    let mut errors = 0;
    for t in threads {
        let (times, e) = t
            .join()
            .map_err(|_| anyhow::anyhow!("a client panicked"))??;
        all.extend(times);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    Ok(Figures {
        rate: all.len() as f64 / elapsed,
        p50: percentile(&all, 0.5),
        p99: percentile(&all, 0.99),
        errors,
    })
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The benchmark.
pub fn serve_load(
    paths: &[PathBuf],
    bin: &Path,
    queries: impl FnOnce(&Archive) -> anyhow::Result<Vec<String>>,
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path().join("archive");
    let queries = {
        let archive = Archive::init(&root)?;
        let t = Instant::now();
        let report = archive.ingest(paths, &crate::options(), &NoProgress)?;
        eprintln!(
            "ingested {} documents in {:.1} s",
            report.added,
            t.elapsed().as_secs_f64()
        );
        queries(&archive)?
    };
    if queries.is_empty() {
        bail!("no queries could be built from these paths");
    }
    // Opened afresh, as `kartoteka serve` opens it: holding no index writer, so that an
    // ingest can run beside it.
    let archive = Archive::open(&root)?;
    archive
        .access()
        .add_user("bench", Role::Researcher, None, None)?;
    let (_, token) = archive.access().create_token("bench", &[Scope::Read])?;
    let documents = archive.status()?.summary.documents;

    // The library's own latency on the same queries: what the CLI does without starting.
    let mut library = Vec::new();
    for q in queries.iter().cycle().take(queries.len().max(500)) {
        let t = Instant::now();
        archive.search(
            q,
            &SearchOptions {
                limit: 10,
                ..Default::default()
            },
        )?;
        library.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    library.sort_by(f64::total_cmp);
    // The command, started afresh for each search, as a user at a terminal runs it.
    let mut command = Vec::new();
    for q in queries.iter().take(20) {
        let t = Instant::now();
        let out = std::process::Command::new(bin)
            .arg("--archive")
            .arg(&root)
            .args(["search", q, "--json"])
            .env("KARTOTEKA_HEAD_KEYS", dir.path().join("keys"))
            .output()?;
        if !out.status.success() {
            bail!(
                "kartoteka search failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        command.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    command.sort_by(f64::total_cmp);

    let app = kartoteka_server::App::new(
        archive,
        HeadKeys::new(dir.path().join("keys")),
        kartoteka_server::Config::default(),
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    let router = kartoteka_server::router(app);
    runtime.spawn(async move {
        let _ = axum::serve(listener, router).await;
    });

    let search_paths: Vec<String> = queries
        .iter()
        .map(|q| format!("/api/search?q={}&limit=10", encode(q)))
        .collect();
    let never = || false;
    let search = load(addr, &token, &search_paths, &never)?;
    let doc_paths: Vec<String> = (1..=documents.min(5_000))
        .map(|n| format!("/documents/{n}"))
        .collect();
    let pages = load(addr, &token, &doc_paths, &never)?;

    // Search while a second copy of the corpus is ingested into the same archive, for as
    // long as the ingest runs (at most SECONDS).
    let copy = dir.path().join("copy");
    for (i, p) in paths.iter().enumerate() {
        copy_tree(p, &copy.join(i.to_string()))?;
    }
    let ingesting = {
        let root = root.clone();
        std::thread::spawn(move || -> anyhow::Result<()> {
            let writer = Archive::open(&root)?;
            writer.ingest(&[copy], &crate::options(), &NoProgress)?;
            Ok(())
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    let during = load(addr, &token, &search_paths, &|| ingesting.is_finished())?;
    let during_seconds = started.elapsed().as_secs_f64();
    ingesting
        .join()
        .map_err(|_| anyhow::anyhow!("the ingest panicked"))??;

    println!(
        "reading room on loopback, {documents} documents, {} queries, {CONNECTIONS} connections, server and load on the same 2 cores, {SECONDS} s each:",
        queries.len()
    );
    let line = |what: &str, f: &Figures| {
        println!(
            "  {what:<34} {:>7.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms   errors {}",
            f.rate, f.p50, f.p99, f.errors
        )
    };
    line("search (GET /api/search)", &search);
    line("document pages (GET /documents/N)", &pages);
    line("search while ingesting", &during);
    println!("  (searched while the ingest ran: {during_seconds:.1} s of it)");
    println!(
        "  library search, same queries:      p50 {:.2} ms   p99 {:.2} ms (one caller, no HTTP)",
        percentile(&library, 0.5),
        percentile(&library, 0.99)
    );
    println!(
        "  `kartoteka search --json`, 20 runs: p50 {:.1} ms (a process per search)",
        percentile(&command, 0.5)
    );
    println!(
        "  ratio: search through the server p99 / library p99 = {:.1}; server p50 vs command p50 = {:.0}x faster",
        search.p99 / percentile(&library, 0.99),
        percentile(&command, 0.5) / search.p50
    );
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry?;
        let rel = entry.path().strip_prefix(from)?;
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target)?;
        } else if entry.file_type().is_file() {
            // A changed first line makes every copy a new document, not a duplicate.
            let mut bytes = b"copy\n".to_vec();
            bytes.extend(std::fs::read(entry.path())?);
            std::fs::write(&target, bytes)?;
        }
    }
    Ok(())
}
