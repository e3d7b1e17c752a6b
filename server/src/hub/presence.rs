//! Who is in a room, pure: sessions that outlive connections, resume by secret token,
//! and the `active` → `away` → `left` life cycle. No tokio, no IO: the room actor passes
//! the connection handle `C` it wants kept per member, deadlines of any clock `T`, and
//! fresh random ids; this type answers with the presence messages to broadcast.
//!
//! When a connection drops, its member turns `away` and stays resumable until its grace
//! deadline; a `hello` with the member's resume token (compared in constant time, and only
//! for the same client id) resumes it, and peers see it `back`. After the deadline, or on
//! `bye`, the member is removed and peers see it `left`.

use crate::hub::{Hello, LeaveReason};
use std::collections::HashMap;
use subtle::ConstantTimeEq;
use tether_core::protocol::{Peer, PeerState, ServerMsg};

/// Where a member's frames go.
enum Attachment<C, T> {
    /// Connected: frames go to this connection.
    Connected { conn: C, connection: u64 },
    /// The connection dropped; resumable until the deadline.
    Away { until: T },
}

/// A session in the room.
struct Member<C, T> {
    client_id: String,
    /// What peers see of the client (its ops' author); never the client id.
    author: String,
    name: String,
    color: String,
    /// The secret that resumes this session (compared in constant time).
    resume_token: String,
    attachment: Attachment<C, T>,
}

impl<C, T> Member<C, T> {
    fn peer(&self, session: &str) -> Peer {
        Peer {
            session: session.to_owned(),
            name: self.name.clone(),
            color: self.color.clone(),
            state: match self.attachment {
                Attachment::Connected { .. } => PeerState::Active,
                Attachment::Away { .. } => PeerState::Away,
            },
        }
    }
}

/// Fresh random ids for a session that may be created (unused when one is resumed).
pub struct FreshIds {
    /// The public session id.
    pub session: String,
    /// The secret resume token.
    pub resume_token: String,
}

/// The outcome of a join.
pub struct Joined<C> {
    /// The member's session (new or resumed).
    pub session: String,
    /// Identifies this connection of the session.
    pub connection: u64,
    /// An earlier session was resumed.
    pub resumed: bool,
    /// What the other members must hear (`peerJoined`, or `peerBack` after `away`).
    pub announce: Option<ServerMsg>,
    /// A still-attached older connection of a resumed session (dead but not yet noticed):
    /// dropping it ends that connection.
    pub replaced: Option<C>,
}

/// The members of one room.
pub struct Presence<C, T> {
    members: HashMap<String, Member<C, T>>,
    next_connection: u64,
}

impl<C, T> Default for Presence<C, T> {
    fn default() -> Self {
        Self {
            members: HashMap::new(),
            next_connection: 0,
        }
    }
}

impl<C, T: Copy + Ord> Presence<C, T> {
    /// A connection joins with `hello`: resumes the session its token names, or starts a
    /// new one with `fresh` ids.
    pub fn join(&mut self, hello: Hello, author: String, conn: C, fresh: FreshIds) -> Joined<C> {
        let connection = self.next_connection();
        let attachment = Attachment::Connected { conn, connection };
        let resumable = hello
            .resume_token
            .as_deref()
            .and_then(|token| self.session_for_token(&hello.client_id, token));
        match resumable {
            Some(session) => {
                let member = self.members.get_mut(&session).expect("found above");
                let previous = std::mem::replace(&mut member.attachment, attachment);
                member.name = hello.name;
                member.color = hello.color;
                let (announce, replaced) = match previous {
                    Attachment::Away { .. } => (
                        Some(ServerMsg::PeerBack {
                            session: session.clone(),
                        }),
                        None,
                    ),
                    Attachment::Connected { conn, .. } => (None, Some(conn)),
                };
                Joined {
                    session,
                    connection,
                    resumed: true,
                    announce,
                    replaced,
                }
            }
            None => {
                let member = Member {
                    client_id: hello.client_id,
                    author,
                    name: hello.name,
                    color: hello.color,
                    resume_token: fresh.resume_token,
                    attachment,
                };
                let announce = ServerMsg::PeerJoined {
                    peer: member.peer(&fresh.session),
                };
                self.members.insert(fresh.session.clone(), member);
                Joined {
                    session: fresh.session,
                    connection,
                    resumed: false,
                    announce: Some(announce),
                    replaced: None,
                }
            }
        }
    }

    /// A number for a new connection (in a cluster, reserved before the store attaches it).
    pub fn next_connection(&mut self) -> u64 {
        self.next_connection += 1;
        self.next_connection
    }

    /// In a cluster, where the store decides sessions: holds `conn` as connection
    /// `connection` of `session` on this node. Returns an older connection of the session
    /// held here (dropping it ends that connection).
    pub fn attach(
        &mut self,
        session: &str,
        connection: u64,
        hello: Hello,
        author: String,
        resume_token: String,
        conn: C,
    ) -> Option<C> {
        let member = Member {
            client_id: hello.client_id,
            author,
            name: hello.name,
            color: hello.color,
            resume_token,
            attachment: Attachment::Connected { conn, connection },
        };
        match self.members.insert(session.to_owned(), member)?.attachment {
            Attachment::Connected { conn, .. } => Some(conn),
            Attachment::Away { .. } => None,
        }
    }

    /// In a cluster: forgets `session` here if `connection` is still its connection;
    /// returns that connection (peers hear of it from the store, not from here).
    pub fn detach(&mut self, session: &str, connection: u64) -> Option<C> {
        if !self.is_current(session, connection) {
            return None;
        }
        match self.members.remove(session)?.attachment {
            Attachment::Connected { conn, .. } => Some(conn),
            Attachment::Away { .. } => None,
        }
    }

    /// True when `hello` would resume an existing session (rather than add a member).
    pub fn resumes(&self, hello: &Hello) -> bool {
        hello
            .resume_token
            .as_deref()
            .is_some_and(|token| self.session_for_token(&hello.client_id, token).is_some())
    }

    /// The session a resume token belongs to, if any. Every member's token is compared,
    /// each in constant time, so timing reveals nothing about any token.
    fn session_for_token(&self, client_id: &str, token: &str) -> Option<String> {
        let mut found = None;
        for (session, member) in &self.members {
            let same_token: bool = member
                .resume_token
                .as_bytes()
                .ct_eq(token.as_bytes())
                .into();
            if same_token && member.client_id == client_id {
                found = Some(session.clone());
            }
        }
        found
    }

    /// Connection `connection` of `session` ended. Stale reports (from a connection the
    /// session already replaced) change nothing; otherwise the member goes away (resumable
    /// until `until`) or, after `bye`, leaves.
    pub fn leave(
        &mut self,
        session: &str,
        connection: u64,
        reason: LeaveReason,
        until: T,
    ) -> Option<ServerMsg> {
        if !self.is_current(session, connection) {
            return None;
        }
        match reason {
            LeaveReason::Bye => self.remove(session),
            LeaveReason::Dropped | LeaveReason::Unloading => self.mark_away(session, until),
        }
    }

    /// True when `connection` is the one `session` is connected through.
    fn is_current(&self, session: &str, connection: u64) -> bool {
        self.members.get(session).is_some_and(|m| {
            matches!(m.attachment, Attachment::Connected { connection: c, .. } if c == connection)
        })
    }

    /// The member's connection is gone (or was dropped for being too slow): `away`.
    pub fn mark_away(&mut self, session: &str, until: T) -> Option<ServerMsg> {
        let member = self.members.get_mut(session)?;
        member.attachment = Attachment::Away { until };
        Some(ServerMsg::PeerAway {
            session: session.to_owned(),
        })
    }

    /// Removes a member: `peerLeft`.
    pub fn remove(&mut self, session: &str) -> Option<ServerMsg> {
        self.members.remove(session)?;
        Some(ServerMsg::PeerLeft {
            session: session.to_owned(),
        })
    }

    /// Removes every away member whose grace period ended by `now`.
    pub fn expire(&mut self, now: T) -> Vec<ServerMsg> {
        let expired: Vec<String> = self
            .members
            .iter()
            .filter(|(_, m)| matches!(m.attachment, Attachment::Away { until } if until <= now))
            .map(|(s, _)| s.clone())
            .collect();
        expired.iter().filter_map(|s| self.remove(s)).collect()
    }

    /// The earliest grace deadline.
    pub fn next_expiry(&self) -> Option<T> {
        self.members
            .values()
            .filter_map(|m| match m.attachment {
                Attachment::Away { until } => Some(until),
                Attachment::Connected { .. } => None,
            })
            .min()
    }
}

impl<C, T> Presence<C, T> {
    /// Everyone but `session`, for its `Welcome`.
    pub fn peers_of(&self, session: &str) -> Vec<Peer> {
        self.members
            .iter()
            .filter(|(s, _)| *s != session)
            .map(|(s, m)| m.peer(s))
            .collect()
    }

    /// The member's resume token.
    pub fn resume_token(&self, session: &str) -> Option<&str> {
        self.members.get(session).map(|m| m.resume_token.as_str())
    }

    /// The member's author id (what its ops carry).
    pub fn author(&self, session: &str) -> Option<&str> {
        self.members.get(session).map(|m| m.author.as_str())
    }

    /// The member's display name.
    pub fn name(&self, session: &str) -> Option<&str> {
        self.members.get(session).map(|m| m.name.as_str())
    }

    /// The connection of a connected member.
    pub fn connection(&self, session: &str) -> Option<&C> {
        match &self.members.get(session)?.attachment {
            Attachment::Connected { conn, .. } => Some(conn),
            Attachment::Away { .. } => None,
        }
    }

    /// The number of a connected member's connection.
    pub fn connection_id(&self, session: &str) -> Option<u64> {
        match &self.members.get(session)?.attachment {
            Attachment::Connected { connection, .. } => Some(*connection),
            Attachment::Away { .. } => None,
        }
    }

    /// Every connected member's connection.
    pub fn connected(&self) -> impl Iterator<Item = (&str, &C)> + '_ {
        self.members
            .iter()
            .filter_map(|(s, m)| match &m.attachment {
                Attachment::Connected { conn, .. } => Some((s.as_str(), conn)),
                Attachment::Away { .. } => None,
            })
    }

    /// True when a member with this session exists (connected or away).
    pub fn contains(&self, session: &str) -> bool {
        self.members.contains_key(session)
    }

    /// Members, connected or away.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// True when nobody is in the room (not even away).
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Forgets everyone (the room failed); returns their connections.
    pub fn clear(&mut self) -> Vec<C> {
        self.members
            .drain()
            .filter_map(|(_, m)| match m.attachment {
                Attachment::Connected { conn, .. } => Some(conn),
                Attachment::Away { .. } => None,
            })
            .collect()
    }
}

#[cfg(test)]
#[path = "presence_tests.rs"]
mod tests;
