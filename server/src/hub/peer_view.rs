//! Who is in a room across a cluster, as this node believes it: pure, no IO.
//!
//! In a cluster the members of a room live in Redis (see `store/redis/presence.lua`): each
//! change there gets the next *presence version* and is published. A node keeps a
//! [`PeerView`] per loaded room, applies changes in version order and turns each into the
//! message its local members must hear (`peerJoined`, `peerAway`, `peerBack`, `peerLeft`).
//! PUB/SUB may lose a change: a hole in the versions, or a store version that stays ahead
//! of the view for two periodic checks, asks for a reload, and a reload is answered with
//! exactly the messages that turn what the members saw into what the store holds. So
//! members never see a transition twice, and never keep a stale peer for long.

use serde::Deserialize;
use std::collections::HashMap;
use tether_core::protocol::{Peer, PeerState, ServerMsg};

/// One change of a room's members, as the presence script publishes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum PresenceChange {
    /// A connection of `session` attached (a new member, a resume, or a refresh that
    /// brought an away member back); `attach` names that connection, cluster-wide.
    Attached {
        session: String,
        attach: String,
        name: String,
        color: String,
    },
    /// The member's connection dropped (or its node stopped refreshing it).
    Away { session: String },
    /// The member is gone: goodbye, or the grace period ended.
    Left { session: String },
}

impl PresenceChange {
    /// The member the change is about.
    pub fn session(&self) -> &str {
        match self {
            Self::Attached { session, .. } | Self::Away { session } | Self::Left { session } => {
                session
            }
        }
    }
}

/// What [`PeerView::receive`] made of a change.
// A return value used at once, never stored: boxing the message would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, PartialEq)]
pub enum Received {
    /// Already reflected (a repeat, or older than the last reload): nothing to do.
    Stale,
    /// Applied; the message for the local members, if anything changed for them.
    Applied(Option<ServerMsg>),
    /// Changes are missing before this one: reload the members.
    Gap,
}

/// This node's view of a room's members and the version it reflects.
#[derive(Debug, Default)]
pub struct PeerView {
    version: u64,
    peers: HashMap<String, Peer>,
    /// A store version the view lagged behind at the last check (see [`Self::check`]).
    behind_at_last_check: Option<u64>,
}

impl PeerView {
    /// The view of `members` as of `version`.
    pub fn new(version: u64, members: Vec<Peer>) -> Self {
        Self {
            version,
            peers: members
                .into_iter()
                .map(|p| (p.session.clone(), p))
                .collect(),
            behind_at_last_check: None,
        }
    }

    /// The version this view reflects.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Every member but `session`, for its `Welcome`.
    pub fn peers_of(&self, session: &str) -> Vec<Peer> {
        self.peers
            .values()
            .filter(|p| p.session != session)
            .cloned()
            .collect()
    }

    /// A published change with its version.
    pub fn receive(&mut self, version: u64, change: &PresenceChange) -> Received {
        if version <= self.version {
            return Received::Stale;
        }
        if version > self.version + 1 {
            return Received::Gap;
        }
        self.version = version;
        Received::Applied(self.apply(change))
    }

    fn apply(&mut self, change: &PresenceChange) -> Option<ServerMsg> {
        match change {
            PresenceChange::Attached {
                session,
                name,
                color,
                ..
            } => match self.peers.get_mut(session) {
                None => {
                    let peer = Peer {
                        session: session.clone(),
                        name: name.clone(),
                        color: color.clone(),
                        state: PeerState::Active,
                    };
                    self.peers.insert(session.clone(), peer.clone());
                    Some(ServerMsg::PeerJoined { peer })
                }
                Some(peer) if peer.state == PeerState::Away => {
                    peer.state = PeerState::Active;
                    Some(ServerMsg::PeerBack {
                        session: session.clone(),
                    })
                }
                Some(_) => None,
            },
            PresenceChange::Away { session } => {
                let peer = self.peers.get_mut(session)?;
                if peer.state == PeerState::Away {
                    return None;
                }
                peer.state = PeerState::Away;
                Some(ServerMsg::PeerAway {
                    session: session.clone(),
                })
            }
            PresenceChange::Left { session } => {
                self.peers.remove(session)?;
                Some(ServerMsg::PeerLeft {
                    session: session.clone(),
                })
            }
        }
    }

    /// The store's members as of `version`: the messages that bring local members from
    /// this view to that one (none if the view is already newer).
    pub fn reload(&mut self, version: u64, members: Vec<Peer>) -> Vec<ServerMsg> {
        if version < self.version {
            return Vec::new();
        }
        self.version = version;
        self.behind_at_last_check = None;
        let mut fresh: HashMap<String, Peer> = members
            .into_iter()
            .map(|p| (p.session.clone(), p))
            .collect();
        let mut messages = Vec::new();
        for (session, old) in &self.peers {
            match fresh.get(session) {
                None => messages.push(ServerMsg::PeerLeft {
                    session: session.clone(),
                }),
                Some(new) if new.state != old.state => messages.push(match new.state {
                    PeerState::Active => ServerMsg::PeerBack {
                        session: session.clone(),
                    },
                    PeerState::Away => ServerMsg::PeerAway {
                        session: session.clone(),
                    },
                }),
                Some(_) => {}
            }
        }
        for (session, peer) in &fresh {
            if !self.peers.contains_key(session) {
                messages.push(ServerMsg::PeerJoined { peer: peer.clone() });
            }
        }
        std::mem::swap(&mut self.peers, &mut fresh);
        messages
    }

    /// The store is at `version` (a periodic check): true when the view must reload.
    /// Changes may be on their way, so one check behind is not yet a loss; still behind
    /// what the previous check saw means a change was lost.
    pub fn check(&mut self, version: u64) -> bool {
        let lost = self
            .behind_at_last_check
            .is_some_and(|seen| self.version < seen);
        self.behind_at_last_check = (version > self.version && !lost).then_some(version);
        lost
    }
}

/// The member a presence message is about (its own node does not tell it about itself).
pub fn subject(msg: &ServerMsg) -> Option<&str> {
    match msg {
        ServerMsg::PeerJoined { peer } => Some(&peer.session),
        ServerMsg::PeerAway { session }
        | ServerMsg::PeerBack { session }
        | ServerMsg::PeerLeft { session } => Some(session),
        _ => None,
    }
}

#[cfg(test)]
#[path = "peer_view_tests.rs"]
mod tests;
