use super::*;
use proptest::prelude::*;

#[test]
fn online_passes_everything_through_at_once() {
    let mut sim = NetSim::default();
    assert_eq!(sim.frame(Direction::Up, 10.0, 0.0, 500), Fate::At(10.0));
    assert_eq!(sim.frame(Direction::Down, 11.0, 0.99, 500), Fate::At(11.0));
    assert_eq!(sim.connect(12.0), Fate::At(12.0));
    assert_eq!(sim.request(13.0, 0.0, 100), Fate::At(13.0));
    assert_eq!(sim.touched(), 0);
}

#[test]
fn slow_adds_latency_each_way_and_caps_bandwidth() {
    let mut sim = NetSim::default();
    sim.set_mode(SimMode::Slow);
    // 400 kbit/s = 50 bytes per ms: 5 000 bytes take 100 ms on the wire, then the latency.
    assert_eq!(sim.frame(Direction::Up, 0.0, 0.5, 5_000), Fate::At(1_100.0));
    // The next frame waits for the first to leave the wire.
    assert_eq!(sim.frame(Direction::Up, 0.0, 0.5, 5_000), Fate::At(1_200.0));
    // The other direction has its own bandwidth.
    assert_eq!(sim.frame(Direction::Down, 0.0, 0.5, 50), Fate::At(1_001.0));
    // A handshake is a round trip.
    assert_eq!(sim.connect(0.0), Fate::At(2_000.0));
    assert_eq!(sim.touched(), 4);
}

#[test]
fn lossy_stalls_about_the_share_of_frames_within_the_range() {
    let mut sim = NetSim::default();
    sim.set_mode(SimMode::Lossy);
    let mut stalled = 0;
    for i in 0..1_000 {
        let now = i as f64 * 10_000.0;
        match sim.frame(Direction::Down, now, i as f64 / 1_000.0, 100) {
            Fate::At(at) if at > now => {
                stalled += 1;
                let held = at - now;
                assert!((STALL_MS.0..=STALL_MS.1).contains(&held), "held {held} ms");
            }
            Fate::At(_) => {}
            other => panic!("a lossy TCP link delivers every frame, got {other:?}"),
        }
    }
    assert_eq!(stalled, 300);
}

#[test]
fn lossy_fails_the_share_of_polling_requests() {
    let mut sim = NetSim::default();
    sim.set_mode(SimMode::Lossy);
    let fates: Vec<Fate> = (0..100)
        .map(|i| sim.request(0.0, i as f64 / 100.0, 10))
        .collect();
    let failed = fates.iter().filter(|f| **f == Fate::Fail).count();
    let stalled = fates
        .iter()
        .filter(|f| matches!(f, Fate::At(at) if *at >= STALL_MS.0))
        .count();
    assert_eq!((failed, stalled), (10, 20));
    assert_eq!(sim.connect(5.0), Fate::At(5.0));
}

#[test]
fn a_black_hole_swallows_frames_and_hangs_new_connections() {
    let mut sim = NetSim::default();
    sim.set_mode(SimMode::BlackHole);
    assert_eq!(sim.frame(Direction::Up, 0.0, 0.5, 10), Fate::Drop);
    assert_eq!(sim.frame(Direction::Down, 0.0, 0.5, 10), Fate::Drop);
    assert_eq!(sim.connect(0.0), Fate::Hold);
    assert_eq!(sim.request(0.0, 0.9, 10), Fate::Hold);
    assert!(!sim.mode().says_offline());
}

#[test]
fn offline_fails_attempts_and_tells_the_browser() {
    let mut sim = NetSim::default();
    sim.set_mode(SimMode::Offline);
    assert!(sim.mode().says_offline());
    assert_eq!(sim.connect(0.0), Fate::Fail);
    assert_eq!(sim.request(0.0, 0.9, 10), Fate::Fail);
    assert_eq!(sim.frame(Direction::Down, 0.0, 0.5, 10), Fate::Drop);
}

#[test]
fn frames_delayed_before_going_online_are_not_overtaken() {
    let mut sim = NetSim::default();
    sim.set_mode(SimMode::Slow);
    let Fate::At(slow) = sim.frame(Direction::Down, 0.0, 0.5, 10) else {
        panic!("slow delivers")
    };
    sim.set_mode(SimMode::Online);
    assert_eq!(sim.frame(Direction::Down, 5.0, 0.5, 10), Fate::At(slow));
    sim.reset();
    assert_eq!(sim.mode(), SimMode::Online);
    assert_eq!(sim.frame(Direction::Down, 5.0, 0.5, 10), Fate::At(5.0));
    assert_eq!(sim.touched(), 0);
}

#[test]
fn every_mode_has_its_own_name() {
    let names: std::collections::HashSet<_> = SimMode::ALL.iter().map(|m| m.as_str()).collect();
    assert_eq!(names.len(), SimMode::ALL.len());
}

fn mode() -> impl Strategy<Value = SimMode> {
    proptest::sample::select(SimMode::ALL.to_vec())
}

proptest! {
    /// Whatever the modes and frames, each direction delivers in the order frames were
    /// given (TCP keeps order), never before they were sent.
    #[test]
    fn each_direction_keeps_order(steps in proptest::collection::vec(
        (mode(), any::<bool>(), 0.0..50.0f64, 0.0..1.0f64, 0usize..20_000), 1..80)
    ) {
        let mut sim = NetSim::default();
        let mut now = 0.0;
        let mut last = [f64::MIN, f64::MIN];
        for (mode, up, step, random, bytes) in steps {
            now += step;
            sim.set_mode(mode);
            let direction = if up { Direction::Up } else { Direction::Down };
            if let Fate::At(at) = sim.frame(direction, now, random, bytes) {
                prop_assert!(at >= now);
                let slot = &mut last[up as usize];
                prop_assert!(at >= *slot, "{at} overtook {slot}");
                *slot = at;
            }
        }
    }
}
