//! The `{room}` path segment, checked: a handler that takes a [`RoomId`] never sees a
//! malformed id, and the client gets `400 {"code":"invalid_room"}` before anything else
//! happens (no upgrade, no session, no room loaded).

use super::HttpError;
use axum::{
    extract::{FromRequestParts, Path},
    http::{request::Parts, StatusCode},
};
use tether_core::ids::is_valid_id;

/// A room id from the URL that matches the id rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomId(pub String);

impl RoomId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The answer to a malformed room id.
fn invalid_room() -> HttpError {
    HttpError::new(
        StatusCode::BAD_REQUEST,
        "invalid_room",
        "room ids must match [A-Za-z0-9_-]{1,64}",
    )
}

impl<S: Send + Sync> FromRequestParts<S> for RoomId {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(room) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| invalid_room())?;
        if is_valid_id(&room) {
            Ok(RoomId(room))
        } else {
            Err(invalid_room())
        }
    }
}
