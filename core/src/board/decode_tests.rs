//! The board's JSON readers against its serde decoders: everything the server and the
//! tab's storage write reads back the same, and the protocol-1 forms still read.

use super::*;
use crate::json::decode;
use proptest::prelude::*;
use std::sync::Arc;

fn arb_point() -> impl Strategy<Value = Point> {
    (
        -50_000i32..50_000,
        -50_000i32..50_000,
        prop::option::of(0u8..=100),
    )
        .prop_map(|(x, y, pressure)| Point {
            x: x as f32 / 10.0,
            y: y as f32 / 10.0,
            pressure: pressure.map(|p| p as f32 / 100.0),
        })
}

fn arb_stroke() -> impl Strategy<Value = Stroke> {
    (
        "[a-z0-9]{1,8}",
        prop::collection::vec(arb_point(), 0..20),
        "#[0-9a-f]{6}",
        (1u8..=64).prop_map(|w| w as f32 / 2.0),
        "[a-z\"é]{0,4}",
    )
        .prop_map(|(id, points, color, width, author)| {
            // Pressures on every point or none, as a stroke is drawn.
            let with_pressure = points.first().is_some_and(|p| p.pressure.is_some());
            let points = points
                .into_iter()
                .map(|p| Point {
                    pressure: if with_pressure {
                        p.pressure.or(Some(0.5))
                    } else {
                        None
                    },
                    ..p
                })
                .collect();
            Stroke {
                id,
                points,
                color,
                width,
                author,
            }
        })
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        arb_stroke().prop_map(|stroke| Op::AddStroke { stroke }),
        "[a-z0-9]{1,8}".prop_map(|id| Op::EraseStroke { id }),
        Just(Op::Clear),
    ]
}

fn arb_step() -> impl Strategy<Value = Step> {
    let strokes = || prop::collection::vec(arb_stroke().prop_map(Arc::new), 0..3);
    (strokes(), strokes()).prop_map(|(added, removed)| Step::new(added, removed))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn applied_ops_read_as_serde_reads_them(
        seq in any::<u64>(),
        op_id in "[a-z0-9]{1,8}",
        author in "[a-z]{0,4}",
        op in arb_op(),
    ) {
        let applied = AppliedOp { seq, op_id, author, op };
        let text = serde_json::to_string(&applied).unwrap();
        prop_assert_eq!(&decode::<AppliedOp>(&text).unwrap(), &applied);
        prop_assert_eq!(serde_json::from_str::<AppliedOp>(&text).unwrap(), applied);
    }

    #[test]
    fn kept_histories_read_as_serde_reads_them(
        undo in prop::collection::vec(arb_step(), 0..4),
        redo in prop::collection::vec(arb_step(), 0..4),
    ) {
        let history = History::from_stacks(undo, redo);
        let text = serde_json::to_string(&history).unwrap();
        let ours = serde_json::to_string(&decode::<History>(&text).unwrap()).unwrap();
        let theirs = serde_json::to_string(&serde_json::from_str::<History>(&text).unwrap()).unwrap();
        prop_assert_eq!(&ours, &text);
        prop_assert_eq!(ours, theirs);
    }
}

#[test]
fn protocol_1_points_read_as_arrays_rounded_to_the_grid() {
    let text = r##"{"id":"s","points":[[1.04,2.0],[3.0,4.06]],"color":"#000000","width":2}"##;
    let ours = decode::<Stroke>(text).unwrap();
    assert_eq!(ours, serde_json::from_str::<Stroke>(text).unwrap());
    assert_eq!(
        ours.points,
        vec![Point::new(1.0, 2.0), Point::new(3.0, 4.1)]
    );
    assert_eq!(ours.author, "");
}

#[test]
fn malformed_board_json_is_refused_by_both_readers() {
    for bad in [
        r##"{"points":"","color":"#000000","width":2}"##,
        r##"{"id":"s","points":"%%","color":"#000000","width":2}"##,
        r##"{"id":"s","points":[[1]],"color":"#000000","width":2}"##,
        r##"{"id":"s","points":[[1,2,3,4]],"color":"#000000","width":2}"##,
        r##"{"id":"s","points":[],"color":"#000000","width":"2"}"##,
        r##"{"id":"s","color":"#000000","width":2}"##,
        r#"[]"#,
    ] {
        assert!(decode::<Stroke>(bad).is_err(), "{bad}");
        assert!(serde_json::from_str::<Stroke>(bad).is_err(), "{bad}");
    }
    for bad in [
        r#"{"kind":"paint"}"#,
        r#"{"kind":"addStroke"}"#,
        r#"{"kind":"eraseStroke"}"#,
        r#"{"id":"s"}"#,
        r#"{"kind":7}"#,
    ] {
        assert!(decode::<Op>(bad).is_err(), "{bad}");
        assert!(serde_json::from_str::<Op>(bad).is_err(), "{bad}");
    }
    let unknown = decode::<Op>(r#"{"kind":"paint"}"#).unwrap_err().to_string();
    assert!(unknown.contains("unknown variant `paint`"), "{unknown}");
}
