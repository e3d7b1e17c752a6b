//! Redis key and channel names of a room. Every key of a room carries the `{room}` hash
//! tag, so all of them land on one shard of a Redis Cluster and one script may touch them
//! all. Room ids are `[A-Za-z0-9_-]` (checked at the edge), so they cannot break the tag.

/// The keys of one room.
pub(super) struct RoomKeys {
    pub log: String,
    pub head: String,
    pub epoch: String,
    pub ops: String,
    pub strokes: String,
    pub snapshot: String,
    pub members: String,
    pub deadlines: String,
    pub tokens: String,
    pub presence: String,
}

impl RoomKeys {
    pub fn of(room: &str) -> Self {
        let key = |what: &str| format!("tether:{{{room}}}:{what}");
        Self {
            log: key("log"),
            head: key("head"),
            epoch: key("epoch"),
            ops: key("ops"),
            strokes: key("strokes"),
            snapshot: key("snapshot"),
            members: key("members"),
            deadlines: key("deadlines"),
            tokens: key("tokens"),
            presence: key("presence"),
        }
    }
}

/// Where committed entries of `room` are published (`"<seq> <body>"`).
pub fn feed_channel(room: &str) -> String {
    format!("tether:{{{room}}}:feed")
}

/// Where ephemeral messages of `room` (cursors, live strokes) are published.
pub fn live_channel(room: &str) -> String {
    format!("tether:{{{room}}}:live")
}

/// Where the presence changes of `room` are published (`"<version> <JSON change>"`).
pub fn presence_channel(room: &str) -> String {
    format!("tether:{{{room}}}:presence")
}

/// The room and kind (`"feed"` / `"live"` / `"presence"`) of a channel name.
pub fn room_of_channel(channel: &str) -> Option<(&str, &str)> {
    let rest = channel.strip_prefix("tether:{")?;
    let (room, kind) = rest.split_once("}:")?;
    Some((room, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_name_their_room() {
        assert_eq!(
            room_of_channel(&feed_channel("a-b_1")),
            Some(("a-b_1", "feed"))
        );
        assert_eq!(room_of_channel(&live_channel("x")), Some(("x", "live")));
        assert_eq!(
            room_of_channel(&presence_channel("x")),
            Some(("x", "presence"))
        );
        assert_eq!(room_of_channel("other"), None);
        assert!(RoomKeys::of("r").log.contains("{r}"));
    }
}
