//! Choosing the transport: WebSocket normally, the HTTP polling fallback when WebSockets
//! are blocked (proxies, firewalls), and back to WebSocket as soon as it works again.
//!
//! - Fall back when WebSocket attempts fail before their handshake completes (refused,
//!   closed early, or hung until the handshake timeout) `failures_before_fallback` times in
//!   a row *and* an HTTP check says the server is reachable *and* one more WebSocket
//!   attempt *started after* that check answered fails too — so a server that is down, or
//!   just coming back from a restart, does not push clients onto polling (an attempt begun
//!   while the server was still down proves nothing once HTTP answers).
//! - While on polling, probe a WebSocket every `probe_interval_ms` (the first one after
//!   `first_probe_ms` when WebSockets already worked in this tab); when a probe works,
//!   switch back (the session resumes on the new transport; the outbox makes the switch
//!   lossless).
//! - The host remembers the fallback for the tab's session (a reload starts on polling,
//!   and probes soon).

use super::engine::Transport;
use crate::defaults;

/// Transport selection tunables.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransportConfig {
    /// WebSocket handshakes failing in a row before HTTP is checked.
    pub failures_before_fallback: u32,
    /// Between WebSocket probes while on polling (ms).
    pub probe_interval_ms: f64,
    /// First probe after starting on a remembered fallback (ms).
    pub first_probe_ms: f64,
}

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            failures_before_fallback: defaults::WS_FAILURES_BEFORE_FALLBACK,
            probe_interval_ms: defaults::WS_PROBE_INTERVAL_MS as f64,
            first_probe_ms: defaults::FIRST_WS_PROBE_MS as f64,
        }
    }
}

/// What a failed WebSocket handshake means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsFailure {
    /// Keep retrying WebSocket (with backoff).
    Retry,
    /// Enough failures: check whether plain HTTP gets through.
    CheckHttp,
    /// HTTP works but the failed attempt began before that was known: make the deciding
    /// attempt now.
    Confirm,
    /// HTTP works and WebSocket still fails: switched to polling, connect now.
    FellBack,
}

/// The transport decision of one client.
#[derive(Debug, Clone)]
pub struct TransportSelector {
    config: TransportConfig,
    current: Transport,
    /// WebSocket attempts in a row that failed before their handshake completed.
    ws_failures: u32,
    /// An HTTP reachability check was asked for and not answered yet.
    checking_http: bool,
    /// HTTP answered: the next WebSocket attempt to start decides.
    confirm_next: bool,
    /// The WebSocket attempt under way decides.
    confirming: bool,
    /// A WebSocket handshake completed in this tab's life.
    ws_worked: bool,
    next_probe: Option<f64>,
    probing: bool,
}

impl TransportSelector {
    /// Starts on WebSocket, or on polling when this tab already fell back earlier.
    pub fn new(config: TransportConfig, remembered_polling: bool, now: f64) -> Self {
        let (current, next_probe) = if remembered_polling {
            (Transport::Polling, Some(now + config.first_probe_ms))
        } else {
            (Transport::WebSocket, None)
        };
        Self {
            config,
            current,
            ws_failures: 0,
            checking_http: false,
            confirm_next: false,
            confirming: false,
            ws_worked: false,
            next_probe,
            probing: false,
        }
    }

    /// Adopts a probe interval from the server; a scheduled probe moves no later than it.
    pub fn set_probe_interval(&mut self, now: f64, interval_ms: f64) {
        self.config.probe_interval_ms = interval_ms;
        if let Some(at) = self.next_probe {
            self.next_probe = Some(at.min(now + interval_ms));
        }
    }

    /// The transport to use now.
    pub fn current(&self) -> Transport {
        self.current
    }

    /// An attempt on the current transport begins.
    pub fn attempt_started(&mut self) {
        if self.current == Transport::WebSocket {
            self.confirming = std::mem::take(&mut self.confirm_next);
        }
    }

    /// A WebSocket attempt failed before its handshake completed.
    pub fn ws_failed(&mut self, now: f64) -> WsFailure {
        if self.current != Transport::WebSocket {
            return WsFailure::Retry;
        }
        if std::mem::take(&mut self.confirming) {
            self.current = Transport::Polling;
            self.ws_failures = 0;
            let first_probe = if self.ws_worked {
                self.config.first_probe_ms
            } else {
                self.config.probe_interval_ms
            };
            self.next_probe = Some(now + first_probe);
            return WsFailure::FellBack;
        }
        if self.confirm_next {
            return WsFailure::Confirm;
        }
        self.ws_failures += 1;
        if self.ws_failures >= self.config.failures_before_fallback && !self.checking_http {
            self.checking_http = true;
            return WsFailure::CheckHttp;
        }
        WsFailure::Retry
    }

    /// A handshake completed on the current transport.
    pub fn handshake_completed(&mut self) {
        if self.current == Transport::WebSocket {
            self.ws_failures = 0;
            self.confirm_next = false;
            self.confirming = false;
            self.ws_worked = true;
        }
    }

    /// The answer to the HTTP check. `true`: HTTP works — the next WebSocket attempt to
    /// start (the caller starts one now if none is under way) decides; if it fails too,
    /// `ws_failed` falls back.
    pub fn http_checked(&mut self, reachable: bool) -> bool {
        self.checking_http = false;
        self.confirm_next = reachable
            && self.current == Transport::WebSocket
            && self.ws_failures >= self.config.failures_before_fallback;
        self.confirm_next
    }

    /// True when a WebSocket probe should start now (the caller then calls `probe_started`).
    pub fn probe_due(&self, now: f64) -> bool {
        self.current == Transport::Polling
            && !self.probing
            && self.next_probe.is_some_and(|at| now >= at)
    }

    /// The host was asked to probe; no second probe until it reports.
    pub fn probe_started(&mut self) {
        self.probing = true;
    }

    /// The probe's outcome. `true`: switched back to WebSocket.
    pub fn probe_finished(&mut self, now: f64, works: bool) -> bool {
        self.probing = false;
        if works && self.current == Transport::Polling {
            self.current = Transport::WebSocket;
            self.next_probe = None;
            return true;
        }
        if self.current == Transport::Polling {
            self.next_probe = Some(now + self.config.probe_interval_ms);
        }
        false
    }

    /// When the next probe is due, while on polling.
    pub fn next_wakeup(&self) -> Option<f64> {
        if self.probing {
            None
        } else {
            self.next_probe
                .filter(|_| self.current == Transport::Polling)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selector() -> TransportSelector {
        TransportSelector::new(TransportConfig::default(), false, 0.0)
    }

    #[test]
    fn failed_websockets_working_http_and_a_failed_confirmation_mean_polling() {
        let mut s = selector();
        assert_eq!(
            s.ws_failed(0.0),
            WsFailure::Retry,
            "one failure is not a pattern"
        );
        assert_eq!(
            s.ws_failed(0.0),
            WsFailure::CheckHttp,
            "the second asks for an HTTP check"
        );
        assert_eq!(s.ws_failed(0.0), WsFailure::Retry, "one check at a time");
        assert!(
            s.http_checked(true),
            "HTTP works: try WebSocket once more, now"
        );
        assert_eq!(s.current(), Transport::WebSocket);
        s.attempt_started();
        assert_eq!(s.ws_failed(100.0), WsFailure::FellBack);
        assert_eq!(s.current(), Transport::Polling);
        assert_eq!(s.next_wakeup(), Some(100.0 + 30_000.0));
    }

    #[test]
    fn a_server_coming_back_from_a_restart_keeps_the_websocket() {
        let mut s = selector();
        s.ws_failed(0.0);
        s.ws_failed(0.0);
        assert!(s.http_checked(true));
        // The confirming attempt works: the failures were the restart, not a proxy.
        s.handshake_completed();
        assert_eq!(s.current(), Transport::WebSocket);
        assert_eq!(s.ws_failed(0.0), WsFailure::Retry, "the count starts over");
    }

    #[test]
    fn a_server_that_is_down_keeps_the_websocket() {
        let mut s = selector();
        s.ws_failed(0.0);
        assert_eq!(s.ws_failed(0.0), WsFailure::CheckHttp);
        assert!(!s.http_checked(false));
        // Still failing: check again (HTTP may come back before WebSockets do).
        assert_eq!(s.ws_failed(0.0), WsFailure::CheckHttp);
        assert_eq!(s.current(), Transport::WebSocket);
    }

    #[test]
    fn a_completed_handshake_resets_the_failure_count() {
        let mut s = selector();
        s.ws_failed(0.0);
        s.handshake_completed();
        assert_eq!(
            s.ws_failed(0.0),
            WsFailure::Retry,
            "failures must be in a row"
        );
    }

    #[test]
    fn probes_run_on_schedule_and_a_working_one_switches_back() {
        let mut s = selector();
        s.ws_failed(0.0);
        s.ws_failed(0.0);
        s.http_checked(true);
        s.attempt_started();
        s.ws_failed(0.0);
        assert!(!s.probe_due(29_999.0));
        assert!(s.probe_due(30_000.0));
        s.probe_started();
        assert!(!s.probe_due(30_001.0), "one probe at a time");
        assert_eq!(s.next_wakeup(), None);
        assert!(!s.probe_finished(31_000.0, false));
        assert_eq!(s.next_wakeup(), Some(61_000.0));
        s.probe_started();
        assert!(s.probe_finished(61_500.0, true));
        assert_eq!(s.current(), Transport::WebSocket);
        assert_eq!(s.next_wakeup(), None);
    }

    #[test]
    fn an_attempt_begun_before_http_answered_does_not_decide() {
        let mut s = selector();
        s.ws_failed(0.0);
        s.ws_failed(0.0);
        s.attempt_started();
        assert!(s.http_checked(true));
        assert_eq!(
            s.ws_failed(10.0),
            WsFailure::Confirm,
            "make the deciding attempt"
        );
        assert_eq!(s.current(), Transport::WebSocket);
        s.attempt_started();
        assert_eq!(s.ws_failed(20.0), WsFailure::FellBack);
        assert_eq!(
            s.next_wakeup(),
            Some(20.0 + 30_000.0),
            "WebSockets never worked here: the long interval"
        );
    }

    #[test]
    fn a_fallback_after_websockets_worked_probes_soon() {
        let mut s = selector();
        s.handshake_completed();
        s.ws_failed(0.0);
        s.ws_failed(0.0);
        assert!(s.http_checked(true));
        s.attempt_started();
        assert_eq!(s.ws_failed(100.0), WsFailure::FellBack);
        assert_eq!(s.next_wakeup(), Some(100.0 + 5_000.0));
    }

    #[test]
    fn a_remembered_fallback_starts_on_polling_and_probes_soon() {
        let s = TransportSelector::new(TransportConfig::default(), true, 1_000.0);
        assert_eq!(s.current(), Transport::Polling);
        assert_eq!(s.next_wakeup(), Some(6_000.0));
    }
}
