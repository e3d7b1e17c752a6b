//! The peer view: changes in version order, holes and lost changes found, and the
//! messages members hear always the exact difference (never a transition twice).

use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn attached(session: &str) -> PresenceChange {
    PresenceChange::Attached {
        session: session.into(),
        attach: "node.1".into(),
        name: "Ann".into(),
        color: "#112233".into(),
    }
}

fn away(session: &str) -> PresenceChange {
    PresenceChange::Away {
        session: session.into(),
    }
}

#[test]
fn changes_in_order_become_messages_and_repeats_are_stale() {
    let mut view = PeerView::default();
    let joined = view.receive(1, &attached("s1"));
    assert!(matches!(
        joined,
        Received::Applied(Some(ServerMsg::PeerJoined { .. }))
    ));
    assert_eq!(view.receive(1, &attached("s1")), Received::Stale);
    assert!(matches!(
        view.receive(2, &away("s1")),
        Received::Applied(Some(ServerMsg::PeerAway { .. }))
    ));
    assert!(matches!(
        view.receive(3, &attached("s1")),
        Received::Applied(Some(ServerMsg::PeerBack { .. }))
    ));
    // A second connection of an active member changes nothing members see.
    assert_eq!(view.receive(4, &attached("s1")), Received::Applied(None));
    assert_eq!(view.receive(6, &away("s1")), Received::Gap);
    assert_eq!(view.peers_of("other").len(), 1);
    assert!(view.peers_of("s1").is_empty());
}

#[test]
fn a_change_lost_with_nothing_after_it_is_found_by_the_second_check() {
    let mut view = PeerView::default();
    // The store is at 1 but its change never arrives.
    assert!(
        !view.check(1),
        "one check behind may be a change on its way"
    );
    assert!(view.check(1), "still behind at the next check: lost");
    // A change that merely was on its way is no loss.
    let mut view = PeerView::default();
    assert!(!view.check(1));
    let _ = view.receive(1, &attached("s1"));
    assert!(!view.check(1));
    assert!(!view.check(1));
}

#[test]
fn the_change_payload_is_what_the_script_publishes() {
    let change: PresenceChange = serde_json::from_str(
        r##"{"event":"attached","session":"s","attach":"n.1","name":"A","color":"#000000"}"##,
    )
    .unwrap();
    assert_eq!(change.session(), "s");
    let left: PresenceChange = serde_json::from_str(r#"{"event":"left","session":"s"}"#).unwrap();
    assert_eq!(
        left,
        PresenceChange::Left {
            session: "s".into()
        }
    );
}

/// What a member's client keeps: it must never be told something impossible.
fn hear(client: &mut BTreeMap<String, PeerState>, msg: &ServerMsg) {
    match msg {
        ServerMsg::PeerJoined { peer } => {
            assert!(
                client.insert(peer.session.clone(), peer.state).is_none(),
                "joined twice"
            );
        }
        ServerMsg::PeerAway { session } => {
            let state = client.get_mut(session).expect("away before joined");
            assert_eq!(*state, PeerState::Active, "away twice");
            *state = PeerState::Away;
        }
        ServerMsg::PeerBack { session } => {
            let state = client.get_mut(session).expect("back before joined");
            assert_eq!(*state, PeerState::Away, "back without away");
            *state = PeerState::Active;
        }
        ServerMsg::PeerLeft { session } => {
            assert!(client.remove(session).is_some(), "left twice");
        }
        other => panic!("not a presence message: {other:?}"),
    }
}

/// What the store holds, applying the same rules as the presence script.
#[derive(Default, Clone)]
struct Truth {
    version: u64,
    members: BTreeMap<String, PeerState>,
}

impl Truth {
    fn change(&mut self, action: u8, member: u8) -> Option<PresenceChange> {
        let session = format!("s{member}");
        let state = self.members.get(&session).copied();
        let change = match (action % 3, state) {
            (0, _) => attached(&session),
            (1, Some(PeerState::Active)) => away(&session),
            (2, Some(_)) => PresenceChange::Left {
                session: session.clone(),
            },
            _ => return None,
        };
        match &change {
            PresenceChange::Attached { .. } => {
                self.members.insert(session, PeerState::Active);
            }
            PresenceChange::Away { .. } => {
                self.members.insert(session, PeerState::Away);
            }
            PresenceChange::Left { .. } => {
                self.members.remove(&session);
            }
        }
        self.version += 1;
        Some(change)
    }

    fn peers(&self) -> Vec<Peer> {
        self.members
            .iter()
            .map(|(session, state)| Peer {
                session: session.clone(),
                name: "Ann".into(),
                color: "#112233".into(),
                state: *state,
            })
            .collect()
    }
}

fn seen(view: &PeerView) -> BTreeMap<String, PeerState> {
    view.peers
        .iter()
        .map(|(s, p)| (s.clone(), p.state))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Changes lost, repeated or delayed, reloads taken at older versions and checks in
    /// between: members are only ever told the exact difference, and a final reload (or
    /// the checks) brings the view to the truth.
    #[test]
    fn members_hear_exactly_the_difference(
        steps in prop::collection::vec((0u8..3, 0u8..4, 0u8..6), 1..120),
    ) {
        let mut truth = Truth::default();
        let mut history = vec![truth.clone()];
        let mut view = PeerView::default();
        let mut client = BTreeMap::new();
        let mut late: Vec<(u64, PresenceChange)> = Vec::new();
        for (action, member, delivery) in steps {
            if let Some(change) = truth.change(action, member) {
                history.push(truth.clone());
                let version = truth.version;
                match delivery {
                    0 => {} // lost
                    1 => late.push((version, change)),
                    _ => {
                        let mut deliveries = 1 + usize::from(delivery == 5);
                        while deliveries > 0 {
                            deliveries -= 1;
                            let received = view.receive(version, &change);
                            if let Received::Applied(Some(msg)) = &received {
                                hear(&mut client, msg);
                            }
                            if received == Received::Gap {
                                // The reload answers with the store as it was a moment ago.
                                let at = &history[history.len().saturating_sub(2)];
                                for msg in view.reload(at.version, at.peers()) {
                                    hear(&mut client, &msg);
                                }
                            }
                        }
                    }
                }
            }
            if delivery == 4 {
                for (version, change) in late.drain(..) {
                    if let Received::Applied(Some(msg)) = view.receive(version, &change) {
                        hear(&mut client, &msg);
                    }
                }
            }
            if view.check(truth.version) {
                for msg in view.reload(truth.version, truth.peers()) {
                    hear(&mut client, &msg);
                }
            }
            prop_assert_eq!(&client, &seen(&view));
        }
        for msg in view.reload(truth.version, truth.peers()) {
            hear(&mut client, &msg);
        }
        prop_assert_eq!(&client, &truth.members);
        prop_assert_eq!(seen(&view), truth.members.clone());
    }
}
