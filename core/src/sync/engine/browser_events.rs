//! The browser's signals about the network and the tab — online, offline, a network
//! switch, visibility — and the user's "Retry now": each one may end a wait or probe the
//! link at once.

use super::{DisconnectReason, LinkState, SyncEngine};

impl SyncEngine {
    /// The browser's `online` / `offline` events.
    pub fn set_online(&mut self, now: f64, random: f64, online: bool) {
        if online != self.online {
            self.reporter.online_changed();
        }
        self.online = online;
        if online {
            // The network is back: no reason to wait out a backoff.
            if matches!(
                self.link,
                LinkState::Offline { .. } | LinkState::Waiting { .. } | LinkState::Failed { .. }
            ) {
                self.backoff.reset();
                self.quiet = false;
                self.connect(now);
            } else {
                self.probe_link(now);
            }
        } else if matches!(
            self.link,
            LinkState::Live { .. } | LinkState::Connecting { .. }
        ) {
            self.lost(now, random, DisconnectReason::Offline);
        } else if matches!(self.link, LinkState::Waiting { .. }) {
            self.link = LinkState::offline_from(now);
        }
        self.track_state(now);
    }

    /// The device switched networks (`navigator.connection` changed: 4G to Wi-Fi, say):
    /// the old link may be dead without a word, so probe it at once; a wait for the next
    /// attempt ends now (the new network may well work). Round trips measured on the old
    /// network say nothing about the new one: the probe's answer is the first that counts,
    /// so the chip and the stroke detail follow the new network at once.
    pub fn network_changed(&mut self, now: f64) {
        self.reporter.online_changed();
        self.rtt.forget();
        match self.link {
            LinkState::Waiting { .. } if self.online => {
                self.backoff.reset();
                self.connect(now);
            }
            _ => self.probe_link(now),
        }
        self.track_state(now);
    }

    /// The tab became visible (or hidden). Visible: retry or probe at once.
    pub fn set_visible(&mut self, now: f64, visible: bool) {
        let was_visible = self.visible;
        if visible != was_visible {
            self.reporter.visibility_changed();
        }
        self.visible = visible;
        if visible && !was_visible {
            match self.link {
                // Quietly, after giving up: the chip keeps saying `failed` meanwhile.
                LinkState::Waiting { .. }
                | LinkState::Failed {
                    retry_at: Some(_), ..
                } => self.connect(now),
                _ => self.probe_link(now),
            }
        }
        self.track_state(now);
    }

    /// The user pressed "Retry now".
    pub fn retry_now(&mut self, now: f64) {
        // Asked for: the chip shows this attempt as it goes.
        self.quiet = false;
        match self.link {
            LinkState::Waiting { .. } | LinkState::Failed { .. } | LinkState::Offline { .. } => {
                self.backoff.reset();
                self.connect(now);
            }
            // An attempt that may be hanging: the user asked, start a fresh one.
            LinkState::Connecting { .. } => {
                self.abandon();
                self.connect(now);
            }
            LinkState::Idle | LinkState::Live { .. } => {}
        }
        self.track_state(now);
    }
}
