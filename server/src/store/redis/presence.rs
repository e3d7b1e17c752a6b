//! Presence across the cluster, in Redis: the calls of `presence.lua` (join, leave, and
//! the periodic tick that refreshes a node's leases and sweeps expired members) and the
//! shape of what they answer. Keys:
//! - `tether:{room}:members`   hash session → `{name, color, key, state, attach}`;
//! - `tether:{room}:deadlines` sorted set session → ms (lease end, or grace end if away);
//! - `tether:{room}:tokens`    hash resume key → session (the key is a hash of client id
//!   and resume token, so Redis never holds a usable token);
//! - `tether:{room}:presence`  the version of the members; changes are published on the
//!   channel of the same name.

use super::{
    keys::{presence_channel, RoomKeys},
    Redis,
};
use crate::store::StoreError;
use redis::Script;
use std::{sync::LazyLock, time::Duration};
use tether_core::protocol::{Peer, PeerState};

static SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("presence.lua")));

/// The resume key of a session: what Redis keeps of its token, bound to the client id
/// (a token presented by another client finds nothing).
pub fn resume_key(client_id: &str, token: &str) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(client_id.as_bytes());
    hasher.update(&[0]);
    hasher.update(token.as_bytes());
    hasher.finalize().to_hex()[..32].to_owned()
}

/// A connection asking to join a room.
pub struct JoinRequest<'a> {
    /// The resume key of the token the client presented, if any.
    pub presented: Option<String>,
    /// The session and its resume key, used if nothing is resumed.
    pub fresh_session: &'a str,
    pub fresh_key: String,
    pub name: &'a str,
    pub color: &'a str,
    /// Names this connection across the cluster (`<node>.<connection>`).
    pub attach: &'a str,
    pub lease: Duration,
    pub max_members: usize,
}

/// The answer to a join.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Joined {
    /// The connection is the member's now; `resumed` if the session existed.
    Attached {
        session: String,
        resumed: bool,
        version: u64,
    },
    /// The room holds this many members already.
    Full(usize),
}

/// The answer to a tick.
#[derive(Debug, Default)]
pub struct Tick {
    /// The members' version after the tick.
    pub version: u64,
    /// Held connections (session, attach) the store no longer counts as live.
    pub lost: Vec<(String, String)>,
    /// The members, when asked for.
    pub members: Option<Vec<Peer>>,
}

/// A member as the script stores it.
#[derive(serde::Deserialize)]
struct StoredMember {
    name: String,
    color: String,
    state: String,
}

impl Redis {
    fn presence_call(&self, room: &str, action: &str) -> redis::ScriptInvocation<'static> {
        let keys = RoomKeys::of(room);
        let mut invocation = SCRIPT.prepare_invoke();
        invocation
            .key(keys.members)
            .key(keys.deadlines)
            .key(keys.tokens)
            .key(keys.presence)
            .arg(action)
            .arg(presence_channel(room));
        invocation
    }

    /// Attaches a connection to a session of `room`: the one its resume key names, or a
    /// new one (unless the room is full). Peers hear of it on the presence channel.
    pub async fn presence_join(
        &self,
        room: &str,
        join: &JoinRequest<'_>,
    ) -> Result<Joined, StoreError> {
        let mut invocation = self.presence_call(room, "join");
        invocation
            .arg(join.presented.as_deref().unwrap_or(""))
            .arg(join.fresh_session)
            .arg(&join.fresh_key)
            .arg(join.name)
            .arg(join.color)
            .arg(join.attach)
            .arg(millis(join.lease))
            .arg(join.max_members);
        let mut connection = self.connection();
        let answer: Vec<String> = self.seen(invocation.invoke_async(&mut connection).await)?;
        let unexpected = || StoreError::Backend(format!("presence join answered {answer:?}"));
        match answer.as_slice() {
            [what, session, resumed, version] if what == "attached" => Ok(Joined::Attached {
                session: session.clone(),
                resumed: resumed == "1",
                version: version.parse().map_err(|_| unexpected())?,
            }),
            [what, count] if what == "full" => {
                Ok(Joined::Full(count.parse().map_err(|_| unexpected())?))
            }
            _ => Err(unexpected()),
        }
    }

    /// The connection `attach` of `session` ended: the member goes away for `grace` (or
    /// leaves, after `bye`) — unless the session is attached elsewhere by now.
    pub async fn presence_leave(
        &self,
        room: &str,
        session: &str,
        attach: &str,
        bye: bool,
        grace: Duration,
    ) -> Result<(), StoreError> {
        let mut invocation = self.presence_call(room, "leave");
        invocation
            .arg(session)
            .arg(attach)
            .arg(if bye { "bye" } else { "dropped" })
            .arg(millis(grace));
        let mut connection = self.connection();
        let _version: u64 = self.seen(invocation.invoke_async(&mut connection).await)?;
        Ok(())
    }

    /// Refreshes the leases of the connections this node `holds` (session, attach) and
    /// sweeps expired members; with `members`, also returns them all.
    pub async fn presence_tick(
        &self,
        room: &str,
        lease: Duration,
        grace: Duration,
        members: bool,
        holds: &[(String, String)],
    ) -> Result<Tick, StoreError> {
        let mut invocation = self.presence_call(room, "tick");
        invocation
            .arg(millis(lease))
            .arg(millis(grace))
            .arg(if members { "1" } else { "0" });
        for (session, attach) in holds {
            invocation.arg(session).arg(attach);
        }
        let mut connection = self.connection();
        let (version, lost, stored): (String, Vec<String>, Vec<String>) =
            self.seen(invocation.invoke_async(&mut connection).await)?;
        let version = version
            .parse()
            .map_err(|_| StoreError::Backend(format!("presence version {version:?}")))?;
        let lost = lost
            .chunks_exact(2)
            .map(|pair| (pair[0].clone(), pair[1].clone()))
            .collect();
        let members = if members {
            Some(stored.chunks_exact(2).filter_map(peer).collect())
        } else {
            None
        };
        Ok(Tick {
            version,
            lost,
            members,
        })
    }
}

/// A stored member as a peer (an unreadable one is skipped: it only shows on a board).
fn peer(pair: &[String]) -> Option<Peer> {
    let stored: StoredMember = serde_json::from_str(&pair[1]).ok()?;
    Some(Peer {
        session: pair[0].clone(),
        name: stored.name,
        color: stored.color,
        state: if stored.state == "away" {
            PeerState::Away
        } else {
            PeerState::Active
        },
    })
}

/// A published change (`"<version> <JSON>"`), split.
pub fn split_published_change(payload: &str) -> Option<(u64, &str)> {
    let (version, json) = payload.split_once(' ')?;
    Some((version.parse().ok()?, json))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
