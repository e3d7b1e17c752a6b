//! The JSON error answer of every HTTP route: a status and `{"code", "message"}`, the
//! same machine-readable codes the WebSocket `error` message uses.

use super::ProtocolError;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};

/// An HTTP refusal with a stable code and a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// A sentence for people.
    pub message: String,
}

impl HttpError {
    /// An error answer.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "code": self.code, "message": self.message });
        (self.status, Json(body)).into_response()
    }
}

impl From<ProtocolError> for HttpError {
    /// Bad input is 400; a room that cannot serve now is 503.
    fn from(error: ProtocolError) -> Self {
        let status = match error {
            ProtocolError::StorageUnavailable(_) | ProtocolError::RoomUnavailable(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            _ => StatusCode::BAD_REQUEST,
        };
        Self::new(status, error.code(), error.to_string())
    }
}
