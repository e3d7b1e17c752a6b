//! The address a request comes from, for per-address budgets: the TCP peer, or — when
//! the peer is a configured trusted proxy (`--trusted-proxy`) — the nearest address in
//! `X-Forwarded-For` that is not itself a trusted proxy. A client cannot spoof its address
//! by sending the header itself: only trusted proxies' headers are read, from the right.

use crate::AppState;
use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::request::Parts,
};
use std::{
    convert::Infallible,
    net::{IpAddr, Ipv4Addr, SocketAddr},
};

/// The client's address as far as this server can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The client address of a request from `peer` carrying `forwarded_for`.
pub fn client_addr(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    forwarded_for
        .into_iter()
        .flat_map(|header| header.rsplit(','))
        .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
        .find(|hop| !trusted.contains(hop))
        .unwrap_or(peer)
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        // Served without connect info (an in-process router): all one local client.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |info| info.0.ip());
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|h| h.to_str().ok());
        Ok(ClientAddr(client_addr(
            peer,
            forwarded,
            &state.config.trusted_proxies,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_trusted_proxies_are_believed() {
        let proxy = ip("10.0.0.9");
        let trusted = [proxy];
        let spoofed = Some("6.6.6.6");
        assert_eq!(client_addr(ip("1.2.3.4"), spoofed, &trusted), ip("1.2.3.4"));
        assert_eq!(client_addr(proxy, Some("1.2.3.4"), &trusted), ip("1.2.3.4"));
        // The client prepended a fake hop; the proxy appended the real peer.
        assert_eq!(
            client_addr(proxy, Some("6.6.6.6, 1.2.3.4"), &trusted),
            ip("1.2.3.4")
        );
        assert_eq!(client_addr(proxy, None, &trusted), proxy);
        assert_eq!(client_addr(proxy, Some("garbage"), &trusted), proxy);
    }
}
