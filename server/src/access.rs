//! Who may talk to this server: the Host and Origin policy.
//!
//! - **Host** (DNS rebinding): a page on `evil.example` whose name the attacker points at
//!   this server's address sends `Host: evil.example`. A Host that is a DNS name must be
//!   `localhost` or the host of a configured `--public-url`; IP literals are always fine
//!   (a rebinding attack needs a name), and so is a request without Host (HTTP/1.0 health
//!   checks; browsers always send one).
//! - **Origin** (cross-site WebSocket hijacking, cross-site polling): WebSocket upgrades
//!   and polling POSTs from a browser must come from a page of this server: an Origin
//!   equal to a configured public URL's, or the same origin as the request (its host equal
//!   to the Host header, which itself passed the Host check). Requests without Origin
//!   (native clients, tests, load balancers) are allowed.

use crate::connection::HttpError;
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method, StatusCode, Uri},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::{net::IpAddr, str::FromStr, sync::Arc};

/// A URL this server is reached at (`--public-url`), checked and normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// `scheme://host[:port]`, lowercase, default port removed.
    origin: String,
    /// The host name, lowercase, without port.
    host: String,
}

/// A public URL that is not `http(s)://host[:port]`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0:?} must look like https://board.example.com (scheme and host, no path)")]
pub struct BadPublicUrl(pub String);

impl PublicUrl {
    /// Served over HTTPS (cookies for it can be `Secure`).
    pub fn is_https(&self) -> bool {
        self.origin.starts_with("https://")
    }
}

impl FromStr for PublicUrl {
    type Err = BadPublicUrl;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        let origin = normalize_origin(url).ok_or_else(|| BadPublicUrl(url.to_owned()))?;
        let host = origin
            .parse::<Uri>()
            .ok()
            .and_then(|uri| uri.host().map(str::to_owned))
            .ok_or_else(|| BadPublicUrl(url.to_owned()))?;
        Ok(Self { origin, host })
    }
}

/// The configured public URLs, for comparison.
#[derive(Debug, Clone, Default)]
pub struct Access {
    origins: Vec<String>,
    hosts: Vec<String>,
}

impl Access {
    /// The policy for a server reachable at `public_urls` (besides loopback and IPs).
    pub fn new(public_urls: &[PublicUrl]) -> Self {
        Self {
            origins: public_urls.iter().map(|u| u.origin.clone()).collect(),
            hosts: public_urls.iter().map(|u| u.host.clone()).collect(),
        }
    }

    /// True when a request with this `Host` header may be served.
    pub fn host_allowed(&self, host: Option<&str>) -> bool {
        let Some(host) = host else { return true };
        let Some(name) = host_name(host) else {
            return false;
        };
        name == "localhost" || name.parse::<IpAddr>().is_ok() || self.hosts.contains(&name)
    }

    /// True when a browser page of `origin` may open a WebSocket or POST to the polling
    /// API of a server reached as `host`.
    pub fn origin_allowed(&self, origin: Option<&str>, host: Option<&str>) -> bool {
        let Some(origin) = origin else { return true };
        let Some(origin) = normalize_origin(origin) else {
            return false; // "null" (sandboxed frames, file://) and garbage
        };
        if self.origins.contains(&origin) {
            return true;
        }
        let same_origin = host.is_some_and(|host| {
            let authority = origin.split_once("://").map_or("", |(_, rest)| rest);
            authority.eq_ignore_ascii_case(strip_default_port(host, &origin))
        });
        same_origin && self.host_allowed(host)
    }
}

/// `scheme://host[:port]` in lowercase without a default port, or `None` when `value` is
/// not an http(s) origin.
fn normalize_origin(value: &str) -> Option<String> {
    let uri: Uri = value.trim_end_matches('/').parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host = uri.host()?.to_ascii_lowercase();
    if uri
        .path_and_query()
        .is_some_and(|p| p.as_str() != "/" && !p.as_str().is_empty())
    {
        return None;
    }
    let default = if scheme == "https" { 443 } else { 80 };
    Some(match uri.port_u16().filter(|&p| p != default) {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    })
}

/// The host of a `Host` header without its port, lowercase; IPv6 without brackets.
fn host_name(host: &str) -> Option<String> {
    let uri: Uri = format!("http://{host}").parse().ok()?;
    let name = uri.host()?.trim_start_matches('[').trim_end_matches(']');
    Some(name.to_ascii_lowercase())
}

/// `host` without the port that is the default for `origin`'s scheme.
fn strip_default_port<'a>(host: &'a str, origin: &str) -> &'a str {
    let default = if origin.starts_with("https://") {
        ":443"
    } else {
        ":80"
    };
    host.strip_suffix(default).unwrap_or(host)
}

/// Middleware: refuses foreign Hosts on every route, and foreign Origins on every
/// WebSocket upgrade and POST, with a 403 JSON answer before anything else happens.
pub async fn check_access(
    State(access): State<Arc<Access>>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let host = request_host(&request);
    if !access.host_allowed(host.as_deref()) {
        let message = "this server does not answer to that host name; its operator can add it with --public-url";
        return HttpError::new(StatusCode::FORBIDDEN, "host_not_allowed", message).into_response();
    }
    let guarded = request.method() == Method::POST || is_upgrade(headers);
    let origin = headers
        .get(header::ORIGIN)
        .map(|o| o.to_str().unwrap_or("invalid"));
    if guarded && !access.origin_allowed(origin, host.as_deref()) {
        let message = "requests from pages of another site are refused";
        return HttpError::new(StatusCode::FORBIDDEN, "origin_not_allowed", message)
            .into_response();
    }
    next.run(request).await
}

/// The `Host` header (or the URI's authority, as in HTTP/2); an unreadable one becomes
/// an empty string, which no rule allows.
fn request_host(request: &Request) -> Option<String> {
    match request.headers().get(header::HOST) {
        Some(host) => Some(host.to_str().unwrap_or_default().to_owned()),
        None => request.uri().authority().map(|a| a.as_str().to_owned()),
    }
}

fn is_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|u| u.to_str().ok())
        .is_some_and(|u| u.eq_ignore_ascii_case("websocket"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access() -> Access {
        let urls: Vec<PublicUrl> = ["https://Board.Example.com/", "http://draw.test:8080"]
            .iter()
            .map(|u| u.parse().unwrap())
            .collect();
        Access::new(&urls)
    }

    #[test]
    fn hosts_names_must_be_ours_but_ips_and_localhost_are_fine() {
        let access = access();
        for ok in [
            None,
            Some("127.0.0.1:3000"),
            Some("[::1]:3000"),
            Some("localhost:41234"),
            Some("192.168.1.5:3000"),
            Some("board.example.com"),
            Some("BOARD.example.com:443"),
            Some("draw.test:8080"),
        ] {
            assert!(access.host_allowed(ok), "{ok:?}");
        }
        for refused in [Some("evil.example"), Some("evil.example:3000"), Some("a b")] {
            assert!(!access.host_allowed(refused), "{refused:?}");
        }
    }

    #[test]
    fn origins_are_the_configured_ones_or_the_same_origin() {
        let access = access();
        let host = Some("127.0.0.1:3000");
        assert!(
            access.origin_allowed(None, host),
            "native clients send no Origin"
        );
        assert!(access.origin_allowed(Some("http://127.0.0.1:3000"), host));
        assert!(access.origin_allowed(Some("https://board.example.com"), host));
        assert!(access.origin_allowed(Some("https://board.example.com:443"), host));
        assert!(access.origin_allowed(Some("http://localhost:80"), Some("localhost")));
        for refused in [
            "https://evil.example",
            "http://127.0.0.1:3001",
            "null",
            "file://",
            "https://board.example.com.evil.example",
        ] {
            assert!(!access.origin_allowed(Some(refused), host), "{refused}");
        }
        // Same origin under a rebound name is still refused by the Host rule.
        assert!(!access.origin_allowed(Some("http://evil.example:3000"), Some("evil.example:3000")));
    }

    #[test]
    fn public_urls_must_be_plain_origins() {
        for bad in ["ftp://x", "board.example.com", "https://x.example/app", ""] {
            assert!(bad.parse::<PublicUrl>().is_err(), "{bad}");
        }
    }
}
