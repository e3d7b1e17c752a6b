//! Tests for the gesture machine: one finger draws, two never do, pens beat palms.

use super::*;
use proptest::prelude::*;

fn touch(id: i32, x: f32, y: f32) -> Sample {
    Sample {
        id,
        kind: PointerKind::Touch,
        at: (x, y),
        pressure: None,
    }
}

fn pen(x: f32, y: f32, pressure: f32) -> Sample {
    Sample {
        id: 50,
        kind: PointerKind::Pen,
        at: (x, y),
        pressure: Some(pressure),
    }
}

fn mouse(x: f32, y: f32) -> Sample {
    Sample {
        id: 1,
        kind: PointerKind::Mouse,
        at: (x, y),
        pressure: None,
    }
}

fn starts(gestures: &[Gesture]) -> usize {
    gestures
        .iter()
        .filter(|g| matches!(g, Gesture::StartStroke { .. }))
        .count()
}

#[test]
fn one_finger_draws_a_stroke() {
    let mut g = Gestures::new();
    assert_eq!(
        g.down(touch(7, 10.0, 10.0), Button::Primary, false, 0.0),
        [Gesture::StartStroke {
            at: (10.0, 10.0),
            pressure: None
        }]
    );
    assert_eq!(
        g.moved(touch(7, 20.0, 15.0)),
        [Gesture::ExtendStroke {
            at: (20.0, 15.0),
            pressure: None
        }]
    );
    assert_eq!(g.up(7, 100.0), [Gesture::FinishStroke]);
    assert!(!g.is_drawing());
}

#[test]
fn a_second_finger_cancels_the_stroke_and_pinches() {
    let mut g = Gestures::new();
    g.down(touch(1, 100.0, 100.0), Button::Primary, false, 0.0);
    g.moved(touch(1, 102.0, 101.0));
    assert_eq!(
        g.down(touch(2, 200.0, 100.0), Button::Primary, false, 0.0),
        [Gesture::CancelStroke]
    );
    assert!(g.is_moving_camera());
    // Spreading the fingers apart zooms in around their midpoint.
    let moved = g.moved(touch(2, 302.0, 101.0));
    let [Gesture::MoveCamera { from, to, scale }] = moved.as_slice() else {
        panic!("expected a camera move, got {moved:?}");
    };
    assert_eq!(*from, (151.0, 100.5));
    assert_eq!(*to, (202.0, 101.0));
    let distance =
        |a: (f32, f32), b: (f32, f32)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    let expected =
        distance((102.0, 101.0), (302.0, 101.0)) / distance((102.0, 101.0), (200.0, 100.0));
    assert!(
        (scale - expected).abs() < 1e-4,
        "scale {scale}, expected {expected}"
    );
    assert!(*scale > 2.0);
    // Lifting one finger and moving the other draws nothing; neither does lifting both.
    assert!(g.up(2, 10.0).is_empty());
    assert!(g.moved(touch(1, 150.0, 150.0)).is_empty());
    assert!(g.up(1, 20.0).is_empty());
    // Afterwards one finger draws again.
    assert_eq!(
        starts(&g.down(touch(3, 5.0, 5.0), Button::Primary, false, 30.0)),
        1
    );
}

#[test]
fn two_fingers_moving_together_pan_without_zooming() {
    let mut g = Gestures::new();
    g.down(touch(1, 100.0, 100.0), Button::Primary, false, 0.0);
    g.down(touch(2, 200.0, 100.0), Button::Primary, false, 0.0);
    let mut total_scale = 1.0;
    let mut moves = g.moved(touch(1, 130.0, 100.0));
    moves.extend(g.moved(touch(2, 230.0, 100.0)));
    for gesture in moves {
        let Gesture::MoveCamera { scale, .. } = gesture else {
            panic!("{gesture:?}")
        };
        total_scale *= scale;
    }
    assert!((total_scale - 1.0).abs() < 1e-4, "{total_scale}");
}

#[test]
fn a_pen_cancels_the_palm_that_landed_first_and_draws_alone() {
    let mut g = Gestures::new();
    // The palm lands first and looks like a finger starting a stroke.
    assert_eq!(
        starts(&g.down(touch(9, 300.0, 400.0), Button::Primary, false, 0.0)),
        1
    );
    let landing = g.down(pen(100.0, 100.0, 0.4), Button::Primary, false, 10.0);
    assert_eq!(
        landing,
        [
            Gesture::CancelStroke,
            Gesture::StartStroke {
                at: (100.0, 100.0),
                pressure: Some(0.4)
            }
        ]
    );
    // The palm moving and more palm contact change nothing.
    assert!(g.moved(touch(9, 310.0, 410.0)).is_empty());
    assert!(g
        .down(touch(10, 320.0, 420.0), Button::Primary, false, 20.0)
        .is_empty());
    assert_eq!(
        g.moved(pen(110.0, 105.0, 0.6)),
        [Gesture::ExtendStroke {
            at: (110.0, 105.0),
            pressure: Some(0.6)
        }]
    );
    assert!(g.up(9, 30.0).is_empty());
    assert_eq!(g.up(50, 40.0), [Gesture::FinishStroke]);
    // Just after the pen lifts a touch is still a palm; later a finger draws again.
    assert!(g
        .down(
            touch(11, 0.0, 0.0),
            Button::Primary,
            false,
            40.0 + PALM_GRACE_MS / 2.0
        )
        .is_empty());
    g.up(11, 500.0);
    g.up(10, 500.0);
    assert_eq!(
        starts(&g.down(
            touch(12, 0.0, 0.0),
            Button::Primary,
            false,
            40.0 + PALM_GRACE_MS
        )),
        1
    );
}

#[test]
fn the_middle_button_or_space_drag_pans_and_the_left_button_draws() {
    let mut g = Gestures::new();
    assert!(g
        .down(mouse(10.0, 10.0), Button::Middle, false, 0.0)
        .is_empty());
    assert_eq!(
        g.moved(mouse(30.0, 5.0)),
        [Gesture::MoveCamera {
            from: (10.0, 10.0),
            to: (30.0, 5.0),
            scale: 1.0
        }]
    );
    assert!(g.up(1, 0.0).is_empty());
    assert!(g
        .down(mouse(10.0, 10.0), Button::Primary, true, 0.0)
        .is_empty());
    assert!(g.is_moving_camera());
    g.up(1, 0.0);
    assert_eq!(
        starts(&g.down(mouse(10.0, 10.0), Button::Primary, false, 0.0)),
        1
    );
    g.up(1, 0.0);
    assert!(g
        .down(mouse(10.0, 10.0), Button::Other, false, 0.0)
        .is_empty());
}

#[test]
fn a_cancelled_pointer_drops_its_stroke() {
    let mut g = Gestures::new();
    g.down(mouse(0.0, 0.0), Button::Primary, false, 0.0);
    assert_eq!(g.cancelled(1, 0.0), [Gesture::CancelStroke]);
}

#[derive(Debug, Clone)]
enum Event {
    Down(i32),
    Move(i32, f32),
    Up(i32),
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    let event = prop_oneof![
        (0..4i32).prop_map(Event::Down),
        (0..4i32, 0f32..500.0).prop_map(|(id, x)| Event::Move(id, x)),
        (0..4i32).prop_map(Event::Up),
    ];
    proptest::collection::vec(event, 0..60)
}

proptest! {
    /// Whatever fingers do: strokes start and end in pairs, and no stroke that was drawn
    /// while two fingers were on the screen is ever finished (submitted).
    #[test]
    fn two_fingers_never_draw(events in events()) {
        let mut g = Gestures::new();
        let mut down: Vec<i32> = Vec::new();
        let mut open = false;
        let mut two_fingers_during_stroke = false;
        for event in events {
            let gestures = match event {
                Event::Down(id) => {
                    if !down.contains(&id) { down.push(id); }
                    g.down(touch(id, 0.0, 0.0), Button::Primary, false, 0.0)
                }
                Event::Move(id, x) => {
                    if !down.contains(&id) { continue; }
                    g.moved(touch(id, x, x))
                }
                Event::Up(id) => {
                    down.retain(|d| *d != id);
                    g.up(id, 0.0)
                }
            };
            for gesture in gestures {
                match gesture {
                    Gesture::StartStroke { .. } => {
                        prop_assert!(!open, "a second stroke began while one was open");
                        prop_assert_eq!(down.len(), 1);
                        open = true;
                        two_fingers_during_stroke = false;
                    }
                    Gesture::ExtendStroke { .. } => prop_assert!(open),
                    Gesture::FinishStroke => {
                        prop_assert!(open && !two_fingers_during_stroke);
                        open = false;
                    }
                    Gesture::CancelStroke => {
                        prop_assert!(open);
                        open = false;
                    }
                    Gesture::MoveCamera { scale, .. } => prop_assert!(scale.is_finite() && scale > 0.0),
                }
            }
            if open && down.len() >= 2 {
                two_fingers_during_stroke = true;
            }
            prop_assert!(!open || down.len() == 1, "a stroke is open with {} fingers down", down.len());
        }
    }
}
