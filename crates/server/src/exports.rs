//! Exports for other tools, streamed: the persons as FollowTheMoney entities, one JSON
//! object per line (what Aleph and OpenSanctions read), and the notebook as W3C Web
//! Annotations. The archive makes them; this module sends them a chunk at a time, so a
//! large export neither waits to be whole on the wire nor sits in one buffer twice.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use kartoteka_archive::NoteFilter;

use crate::error::ApiError;
use crate::App;

/// Bytes per chunk sent.
const CHUNK: usize = 64 * 1024;

/// A response that sends `lines` (each ending in a newline) in chunks of about
/// [`CHUNK`] bytes.
fn streamed(lines: Vec<String>, content_type: &'static str, file: &str) -> Response {
    let mut chunks: Vec<Result<Bytes, std::io::Error>> = Vec::new();
    let mut current = String::with_capacity(CHUNK);
    for line in lines {
        current.push_str(&line);
        if current.len() >= CHUNK {
            chunks.push(Ok(Bytes::from(std::mem::take(&mut current))));
        }
    }
    if !current.is_empty() {
        chunks.push(Ok(Bytes::from(current)));
    }
    let mut response = Body::from_stream(futures_util::stream::iter(chunks)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// GET /api/export/persons: every person and their links as FollowTheMoney entities,
/// one per line, as `kartoteka export ftm` writes them.
pub(crate) async fn persons(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    let lines = app
        .read(|a| {
            let entities = a.identities().export_ftm()?;
            Ok(entities
                .iter()
                .map(|e| format!("{e}\n"))
                .collect::<Vec<String>>())
        })
        .await?;
    Ok(streamed(lines, "application/x-ndjson", "persons.ftm.json"))
}

/// GET /api/export/notes: the notes in the margin as W3C Web Annotations (JSON-LD), as
/// `kartoteka note export` writes them.
pub(crate) async fn notes(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    let text = app
        .read(|a| {
            let exported = a.export_notes(&NoteFilter::default())?;
            serde_json::to_string_pretty(&exported).map_err(ApiError::internal)
        })
        .await?;
    let lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    Ok(streamed(lines, "application/ld+json", "notes.jsonld"))
}
