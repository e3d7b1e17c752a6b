//! Presence: join, resume, away, back, left — each transition announced exactly once.

use super::*;

type Room = Presence<&'static str, u64>;

fn hello(client_id: &str, token: Option<&str>) -> Hello {
    Hello {
        client_id: client_id.into(),
        name: "Ann".into(),
        color: "#112233".into(),
        last_seq: None,
        epoch: None,
        resume_token: token.map(str::to_owned),
    }
}

fn fresh(n: u32) -> FreshIds {
    FreshIds {
        session: format!("s{n}"),
        resume_token: format!("t{n}"),
    }
}

#[test]
fn a_new_member_is_announced_and_sees_the_others() {
    let mut room = Room::default();
    let first = room.join(hello("c1", None), "author".into(), "conn1", fresh(1));
    assert!(!first.resumed);
    assert!(matches!(first.announce, Some(ServerMsg::PeerJoined { .. })));
    let second = room.join(hello("c2", None), "author".into(), "conn2", fresh(2));
    assert_eq!(room.peers_of(&second.session).len(), 1);
    assert_eq!(room.resume_token("s2"), Some("t2"));
}

#[test]
fn away_then_back_with_the_token_and_the_same_client_only() {
    let mut room = Room::default();
    let joined = room.join(hello("c1", None), "author".into(), "conn1", fresh(1));
    let away = room.leave("s1", joined.connection, LeaveReason::Dropped, 100);
    assert_eq!(
        away,
        Some(ServerMsg::PeerAway {
            session: "s1".into()
        })
    );
    assert!(room.connection("s1").is_none());

    // Someone else's client id with the right token: a new session, nothing resumed.
    let thief = room.join(hello("c9", Some("t1")), "author".into(), "conn9", fresh(9));
    assert!(!thief.resumed);
    let back = room.join(hello("c1", Some("t1")), "author".into(), "conn1b", fresh(3));
    assert!(back.resumed);
    assert_eq!(back.session, "s1");
    assert_eq!(
        back.announce,
        Some(ServerMsg::PeerBack {
            session: "s1".into()
        })
    );
    assert_eq!(room.connection("s1"), Some(&"conn1b"));
}

#[test]
fn a_stale_leave_changes_nothing_and_a_replaced_connection_is_handed_back() {
    let mut room = Room::default();
    let first = room.join(hello("c1", None), "author".into(), "old", fresh(1));
    let again = room.join(hello("c1", Some("t1")), "author".into(), "new", fresh(2));
    assert_eq!(again.replaced, Some("old"));
    assert_eq!(again.announce, None, "never away: nothing to announce");
    assert_eq!(
        room.leave("s1", first.connection, LeaveReason::Dropped, 5),
        None
    );
    assert_eq!(room.connection("s1"), Some(&"new"));
}

#[test]
fn grace_ends_in_left_exactly_once_and_bye_leaves_at_once() {
    let mut room = Room::default();
    let a = room.join(hello("c1", None), "author".into(), "a", fresh(1));
    let b = room.join(hello("c2", None), "author".into(), "b", fresh(2));
    room.leave("s1", a.connection, LeaveReason::Dropped, 100);
    assert_eq!(room.next_expiry(), Some(100));
    assert!(room.expire(99).is_empty());
    assert_eq!(
        room.expire(100),
        [ServerMsg::PeerLeft {
            session: "s1".into()
        }]
    );
    assert!(room.expire(1_000).is_empty(), "left once");
    assert_eq!(
        room.leave("s2", b.connection, LeaveReason::Bye, 100),
        Some(ServerMsg::PeerLeft {
            session: "s2".into()
        })
    );
    assert!(room.is_empty());
}
