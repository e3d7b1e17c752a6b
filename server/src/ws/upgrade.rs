//! The WebSocket opening handshake (RFC 6455 §4.2), as an extractor. Done here instead of
//! by axum's `WebSocketUpgrade` because that hands out a socket whose write path cannot be
//! tuned: its library keeps a write buffer as large as the largest message ever sent (a
//! welcome with fifty peers is several KiB), for as long as the connection lives. Here the
//! upgraded stream goes through [`FlushBuffer`] into a tokio-tungstenite stream the writer
//! feeds in small fragments, so an idle connection holds no output buffer at all.

use super::flush_buffer::FlushBuffer;
use crate::connection::HttpError;
use axum::{
    body::Body,
    extract::FromRequestParts,
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
    response::Response,
};
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use std::future::Future;
use tokio_tungstenite::{
    tungstenite::{
        handshake::derive_accept_key,
        protocol::{Role, WebSocketConfig},
    },
    WebSocketStream,
};
use tracing::debug;

/// A server-side WebSocket over the upgraded connection.
pub type Socket = WebSocketStream<FlushBuffer<TokioIo<Upgraded>>>;

/// A request that asked to become a WebSocket, checked.
pub struct WebSocketRequest {
    key: HeaderValue,
    on_upgrade: OnUpgrade,
}

impl<S: Send + Sync> FromRequestParts<S> for WebSocketRequest {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let headers = &parts.headers;
        let not_websocket = |what: &str| {
            HttpError::new(
                StatusCode::BAD_REQUEST,
                "not_a_websocket",
                format!("this address speaks WebSocket only: {what}"),
            )
        };
        if !has_token(headers, header::CONNECTION, "upgrade") {
            return Err(not_websocket("`Connection: upgrade` is missing"));
        }
        if !has_token(headers, header::UPGRADE, "websocket") {
            return Err(not_websocket("`Upgrade: websocket` is missing"));
        }
        if headers
            .get(header::SEC_WEBSOCKET_VERSION)
            .is_none_or(|v| v.as_bytes() != b"13")
        {
            return Err(HttpError::new(
                StatusCode::UPGRADE_REQUIRED,
                "websocket_version",
                "only WebSocket version 13 is spoken here",
            ));
        }
        let key = headers
            .get(header::SEC_WEBSOCKET_KEY)
            .cloned()
            .ok_or_else(|| not_websocket("`Sec-WebSocket-Key` is missing"))?;
        let on_upgrade = parts
            .extensions
            .remove::<OnUpgrade>()
            .ok_or_else(|| not_websocket("this connection cannot be upgraded"))?;
        Ok(Self { key, on_upgrade })
    }
}

impl WebSocketRequest {
    /// Answers `101 Switching Protocols`; once the connection has switched, `serve` runs
    /// with the socket in a task of its own.
    pub fn accept<F, Fut>(self, config: WebSocketConfig, serve: F) -> Response
    where
        F: FnOnce(Socket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let accept = derive_accept_key(self.key.as_bytes());
        let on_upgrade = self.on_upgrade;
        tokio::spawn(async move {
            match on_upgrade.await {
                Ok(upgraded) => {
                    let io = FlushBuffer::new(TokioIo::new(upgraded));
                    let socket = WebSocketStream::from_raw_socket(io, Role::Server, Some(config));
                    serve(socket.await).await
                }
                Err(error) => debug!(%error, "the connection did not switch to WebSocket"),
            }
        });
        Response::builder()
            .status(StatusCode::SWITCHING_PROTOCOLS)
            .header(header::CONNECTION, "upgrade")
            .header(header::UPGRADE, "websocket")
            .header(header::SEC_WEBSOCKET_ACCEPT, accept)
            .body(Body::empty())
            .expect("static header names and a base64 value are valid")
    }
}

/// True when the comma-separated header `name` holds `token` (case-insensitive).
fn has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers.get_all(name).iter().any(|value| {
        value
            .to_str()
            .unwrap_or("")
            .split(',')
            .any(|part| part.trim().eq_ignore_ascii_case(token))
    })
}
