use super::*;
use crate::board::{builder::quantize, Stroke};
use proptest::prelude::*;

/// A hand-drawn-like path: a wobbly loop sketched in about 1.3 s, sampled by pointer
/// events at 60 Hz (8–10 board units apart), rounded by the builder.
pub(crate) fn hand_drawn(samples: usize, pressure: bool) -> Vec<Point> {
    (0..samples)
        .map(|i| {
            let t = i as f32 / samples as f32;
            let angle = t * std::f32::consts::TAU;
            let wobble = 1.0 + 0.08 * (angle * 5.0).sin();
            let mut point = Point::new(
                420.0 + 140.0 * wobble * angle.cos() + 40.0 * t,
                310.0 + 100.0 * wobble * angle.sin(),
            );
            if pressure {
                point.pressure = Some(0.3 + 0.4 * t);
            }
            quantize(point)
        })
        .collect()
}

#[test]
fn builder_points_survive_exactly() {
    for pressure in [false, true] {
        let points = hand_drawn(120, pressure);
        assert_eq!(unpack(&pack(&points)), Ok(points));
    }
    assert_eq!(unpack(&pack(&[])), Ok(vec![]));
}

#[test]
fn smooth_points_cost_about_two_characters() {
    let points = hand_drawn(120, false);
    let packed = pack(&points);
    let legacy = serde_json::to_string(&points).unwrap();
    assert!(packed.len() <= points.len() * 3, "{} chars", packed.len());
    assert!(
        legacy.len() >= 4 * packed.len(),
        "{} vs {}",
        legacy.len(),
        packed.len()
    );
}

#[test]
fn a_typical_stroke_op_is_at_least_three_times_smaller() {
    let stroke = Stroke {
        id: "k3J9x2Qm7VwP4sTz8LbN1c".into(),
        points: hand_drawn(80, false),
        color: "#1d4ed8".into(),
        width: 4.0,
        author: String::new(),
    };
    let message = crate::protocol::ClientMsg::Op {
        op_id: "Vq8mZ2rX5tK0wB7nJ3cH9d".into(),
        op: crate::board::Op::AddStroke {
            stroke: stroke.clone(),
        },
    };
    let packed = serde_json::to_string(&message).unwrap();
    // The same message with protocol 1's `[[x,y],…]` (f32s printed shortest, as sent).
    let legacy = packed.replace(
        &serde_json::to_string(&pack(&stroke.points)).unwrap(),
        &serde_json::to_string(&stroke.points).unwrap(),
    );
    // `cargo test -p tether-core typical_stroke -- --nocapture` prints the report.
    println!(
        "an 80-point stroke's op: protocol 1 {} bytes, protocol 2 {} bytes ({:.1}x fewer)",
        legacy.len(),
        packed.len(),
        legacy.len() as f64 / packed.len() as f64
    );
    assert!(
        legacy.len() >= 3 * packed.len(),
        "protocol 1: {} bytes, protocol 2: {} bytes",
        legacy.len(),
        packed.len()
    );
}

#[test]
fn strokes_read_both_forms_to_the_same_points() {
    let points = hand_drawn(30, true);
    let legacy = serde_json::to_string(&points).unwrap();
    let packed = serde_json::to_string(&pack(&points)).unwrap();
    let read = |points: &str| {
        let json = format!(r##"{{"id":"s","points":{points},"color":"#000000","width":2}}"##);
        serde_json::from_str::<Stroke>(&json).unwrap().points
    };
    assert_eq!(read(&legacy), points);
    assert_eq!(read(&packed), points);
    // Protocol-1 points off the grid are rounded onto it, as the packed form would carry them.
    assert_eq!(read("[[1.04,2.06]]"), vec![Point::new(1.0, 2.1)]);
}

#[test]
fn points_off_the_board_stay_off_it_for_validation_to_refuse() {
    let far = [Point::new(1e12, -3e9), Point::new(0.0, 0.0)];
    let read = unpack(&pack(&far)).unwrap();
    assert!(read[0].x > 1e11 && read[0].y < -1e9);
    let pressed = [Point {
        pressure: Some(3.0),
        ..Point::new(1.0, 1.0)
    }];
    assert_eq!(unpack(&pack(&pressed)).unwrap()[0].pressure, Some(3.0));
}

#[test]
fn malformed_text_is_refused_with_a_reason() {
    assert_eq!(unpack(""), Err(UnpackError::Truncated));
    assert_eq!(unpack("A"), Err(UnpackError::Truncated));
    assert_eq!(unpack("AB!"), Err(UnpackError::BadCharacter));
    assert_eq!(unpack("E"), Err(UnpackError::UnknownFlags));
    // One point promised, half of one given.
    assert_eq!(unpack("ABC"), Err(UnpackError::Truncated));
    // A count the text cannot possibly hold is refused before anything is allocated.
    assert_eq!(unpack("A_______A"), Err(UnpackError::Truncated));
    assert_eq!(unpack("AAAA"), Err(UnpackError::TrailingData));
    assert_eq!(unpack(&"_".repeat(20)), Err(UnpackError::Overlong));
    let err = serde_json::from_str::<Stroke>(
        r##"{"id":"s","points":"AB!","color":"#000000","width":2}"##,
    )
    .unwrap_err();
    assert!(err.to_string().contains("packed points"), "{err}");
}

proptest! {
    /// Any points on the grid come back exactly, and decoding any text never panics.
    #[test]
    fn grid_points_round_trip(raw in proptest::collection::vec(
        (-100_000.0f32..100_000.0, -100_000.0f32..100_000.0, proptest::option::of(0.0f32..=1.0)), 0..200)
    ) {
        let points: Vec<Point> = raw
            .into_iter()
            .map(|(x, y, pressure)| quantize(Point { x, y, pressure }))
            .collect();
        let with_pressure = points.iter().any(|p| p.pressure.is_some());
        let expected: Vec<Point> = points
            .iter()
            .map(|p| Point {
                pressure: with_pressure.then(|| p.pressure.unwrap_or(0.5)),
                ..*p
            })
            .collect();
        prop_assert_eq!(unpack(&pack(&points)), Ok(expected));
    }

    /// A jagged path (random jumps) picks first differences and still round-trips.
    #[test]
    fn jagged_paths_round_trip(raw in proptest::collection::vec((-500.0f32..500.0, -500.0f32..500.0), 2..50)) {
        let points: Vec<Point> = raw.into_iter().map(|(x, y)| quantize(Point::new(x, y))).collect();
        prop_assert!(pack(&points).len() <= pack_with(&points, false).len());
        prop_assert_eq!(unpack(&pack(&points)), Ok(points));
    }

    #[test]
    fn any_text_decodes_or_errs(text in "[A-Za-z0-9_!-]{0,64}") {
        let _ = unpack(&text);
    }
}
