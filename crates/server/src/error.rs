//! Errors as the API answers them: an HTTP status and `{"error": {"code", "message"}}`,
//! where the code is one of a fixed list that clients may match on.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kartoteka_archive::{ArchiveError, ErrorKind};

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable code: `unauthorized`, `forbidden`, `csrf`, `not_found`, `bad_request`,
    /// `payload_too_large`, `too_many_requests`, `busy`, `tampered`, `internal`.
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
}

impl ApiError {
    /// An error of this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// No credentials, or credentials that do not hold.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// The credentials hold, but their role or scope does not allow this.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// The request cannot be taken as sent.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// Nothing there.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// Something failed on our side; the message is logged, the client gets no detail.
    pub fn internal(message: impl std::fmt::Display) -> ApiError {
        eprintln!("kartoteka serve: {message}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed; the error is in its log",
        )
    }
}

impl From<ArchiveError> for ApiError {
    fn from(e: ArchiveError) -> ApiError {
        match e.kind() {
            ErrorKind::NotFound => ApiError::not_found(e.to_string()),
            ErrorKind::BadInput | ErrorKind::Refused => {
                if e.is_conflict() {
                    ApiError::new(StatusCode::CONFLICT, "conflict", e.to_string())
                } else {
                    ApiError::bad_request(e.to_string())
                }
            }
            ErrorKind::Busy => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", e.to_string())
            }
            ErrorKind::Tampered => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "tampered", e.to_string())
            }
            ErrorKind::Failed => match &e {
                ArchiveError::Query(_) => ApiError::bad_request(e.to_string()),
                ArchiveError::Note(_) => ApiError::bad_request(e.to_string()),
                _ => ApiError::internal(e),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.code, "message": self.message}});
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"kartoteka\""),
            );
        }
        response
    }
}
