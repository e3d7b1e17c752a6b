//! Security headers on every response, with a fresh Content-Security-Policy nonce per
//! request that the server-rendered page puts on its inline scripts (Leptos' hydration
//! script), so no other inline script can run.
//!
//! - CSP: scripts only from this origin or with the nonce (plus `wasm-unsafe-eval` for the
//!   WASM bundle); connections only to this origin; `frame-ancestors 'none'` (no
//!   clickjacking); no plugins, no `<base>` tricks.
//! - `Referrer-Policy: no-referrer`: the room URL is the board's only key and must not
//!   leak to other sites through Referer.
//! - `X-Content-Type-Options: nosniff`, and `X-Frame-Options: DENY` for old browsers.

use crate::random::random_id;
use axum::{
    extract::Request,
    http::{header, request::Parts, HeaderValue},
    middleware::Next,
    response::Response,
};
use leptos::prelude::{provide_context, use_context};

/// This request's CSP nonce (in the request's extensions).
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// Extra `connect-src` for `cargo leptos watch`, whose live-reload script opens a
/// WebSocket to another port; empty otherwise.
fn dev_connect_src() -> &'static str {
    if std::env::var_os("LEPTOS_WATCH").is_some() {
        " ws: wss:"
    } else {
        ""
    }
}

/// The policy for a page whose inline scripts carry `nonce`.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
         connect-src 'self'{}; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'",
        dev_connect_src()
    )
}

/// Middleware: a nonce for the request, and the security headers on its response.
pub async fn security_headers(mut request: Request, next: Next) -> Response {
    let nonce = random_id();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// Render context: hands this request's nonce to Leptos, which puts it on the inline
/// scripts it renders. Runs inside a render, where `leptos_axum` provides the request's
/// `Parts` (and its own random nonce, which this replaces so page and header agree).
pub fn provide_request_nonce() {
    let nonce =
        use_context::<Parts>().and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}
