//! The JSON error answer of every HTTP route: a status and `{"code", "message"}`, the
//! same machine-readable codes the WebSocket `error` message uses.

use super::ProtocolError;
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use std::time::Duration;

/// An HTTP refusal with a stable code and a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// A sentence for people.
    pub message: String,
    /// Seconds before trying again (`Retry-After`), where that is the point.
    pub retry_after: Option<u64>,
}

impl HttpError {
    /// An error answer.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }
}

impl HttpError {
    /// `429 too_many_joins`: this address joined too often; retry after the given time.
    pub fn too_many_joins(retry_after: Duration) -> Self {
        crate::observability::record::refusal("join_rate");
        let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
        Self {
            retry_after: Some(seconds),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_joins",
                format!("too many connections from your address; retry in {seconds} s"),
            )
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "code": self.code, "message": self.message });
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<ProtocolError> for HttpError {
    /// Bad input is 400; a room that cannot serve now is 503.
    fn from(error: ProtocolError) -> Self {
        let status = match error {
            ProtocolError::StorageUnavailable(_)
            | ProtocolError::RoomUnavailable(_)
            | ProtocolError::RoomFull(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        Self::new(status, error.code(), error.to_string())
    }
}
