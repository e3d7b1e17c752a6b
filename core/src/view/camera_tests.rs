//! Tests for the camera: screen ↔ board mapping, gestures, fit and the opening view.

use super::*;
use crate::board::Point;
use proptest::prelude::*;

fn close(a: (f32, f32), b: (f32, f32)) -> bool {
    let tolerance = 1e-2 * (1.0 + a.0.abs().max(a.1.abs()));
    (a.0 - b.0).abs() <= tolerance && (a.1 - b.1).abs() <= tolerance
}

fn stroke_through(points: &[(f32, f32)], width: f32) -> Stroke {
    Stroke {
        id: "s".into(),
        points: points.iter().map(|&(x, y)| Point::new(x, y)).collect(),
        color: "#000000".into(),
        width,
        author: String::new(),
    }
}

#[test]
fn the_default_camera_maps_board_units_to_css_pixels() {
    let camera = Camera::default();
    assert_eq!(camera.to_board((120.0, 80.0)), (120.0, 80.0));
    assert_eq!(camera.to_screen((120.0, 80.0)), (120.0, 80.0));
}

#[test]
fn content_bounds_include_the_line_width_and_ignore_an_empty_board() {
    assert_eq!(content_bounds(&[]), None);
    let strokes = [
        stroke_through(&[(10.0, 20.0), (100.0, 40.0)], 4.0),
        stroke_through(&[(1200.0, 300.0)], 10.0),
    ];
    let bounds = content_bounds(&strokes).unwrap();
    assert_eq!(
        bounds,
        Bounds {
            min_x: 8.0,
            min_y: 18.0,
            max_x: 1205.0,
            max_y: 305.0
        }
    );
}

#[test]
fn zoom_is_kept_within_its_limits_and_ignores_nonsense_scales() {
    let camera = Camera::default();
    assert_eq!(camera.zoomed_at((0.0, 0.0), 1000.0).zoom, MAX_ZOOM);
    assert_eq!(camera.zoomed_at((0.0, 0.0), 0.0001).zoom, MIN_ZOOM);
    assert_eq!(camera.zoomed_at((5.0, 5.0), f32::NAN), camera);
    assert_eq!(camera.zoomed_at((5.0, 5.0), -2.0), camera);
}

#[test]
fn panning_moves_the_drawing_with_the_finger() {
    let camera = Camera {
        x: 0.0,
        y: 0.0,
        zoom: 2.0,
    };
    let panned = camera.panned((40.0, -20.0));
    // What was at the screen origin is now 40 px right and 20 px up.
    assert!(close(
        panned.to_screen(camera.to_board((0.0, 0.0))),
        (40.0, -20.0)
    ));
}

#[test]
fn a_drawing_wider_than_a_phone_is_fitted_whole_on_it() {
    // Drawn on a 1280 px desktop; the far-right stroke ends at x = 1250.
    let strokes = [
        stroke_through(&[(40.0, 60.0), (300.0, 200.0)], 4.0),
        stroke_through(&[(1100.0, 400.0), (1250.0, 500.0)], 4.0),
    ];
    let content = content_bounds(&strokes).unwrap();
    let phone = (390.0, 700.0);
    let camera = Camera::opening(Some(content), phone);
    assert!(camera.zoom < 1.0);
    let visible = camera.visible(phone);
    for corner in [
        (content.min_x, content.min_y),
        (content.max_x, content.max_y),
    ] {
        assert!(visible.contains(corner), "{corner:?} outside {visible:?}");
    }
}

#[test]
fn a_small_sketch_opens_where_its_authors_drew_it() {
    let strokes = [stroke_through(&[(40.0, 60.0), (300.0, 200.0)], 4.0)];
    let content = content_bounds(&strokes);
    assert_eq!(Camera::opening(content, (1280.0, 700.0)), Camera::default());
    assert_eq!(Camera::opening(None, (390.0, 700.0)), Camera::default());
    // Fitting it explicitly centres it without blowing it up.
    let fitted = Camera::fit(content.unwrap(), (1280.0, 700.0));
    assert_eq!(fitted.zoom, 1.0);
}

proptest! {
    #[test]
    fn screen_and_board_round_trip(
        x in -5000f32..5000.0, y in -5000f32..5000.0, zoom in MIN_ZOOM..MAX_ZOOM,
        sx in 0f32..2000.0, sy in 0f32..2000.0,
    ) {
        let camera = Camera { x, y, zoom };
        prop_assert!(close(camera.to_screen(camera.to_board((sx, sy))), (sx, sy)));
    }

    #[test]
    fn a_gesture_keeps_the_board_point_under_the_fingers(
        zoom in 0.1f32..4.0,
        from in (0f32..800.0, 0f32..800.0), to in (0f32..800.0, 0f32..800.0),
        scale in 0.5f32..2.0,
    ) {
        let camera = Camera { x: 100.0, y: -50.0, zoom };
        let moved = camera.moved(from, to, scale);
        let anchor = camera.to_board(from);
        if moved.zoom == zoom * scale {
            prop_assert!(close(moved.to_screen(anchor), to));
        }
    }

    #[test]
    fn fit_shows_everything_it_can(
        min_x in -50_000f32..50_000.0, min_y in -50_000f32..50_000.0,
        width in 0f32..20_000.0, height in 0f32..20_000.0,
        screen in (100f32..3000.0, 100f32..3000.0),
    ) {
        let content = Bounds { min_x, min_y, max_x: min_x + width, max_y: min_y + height };
        let camera = Camera::fit(content, screen);
        prop_assert!(camera.zoom <= 1.0 && camera.zoom >= MIN_ZOOM);
        if camera.zoom > MIN_ZOOM {
            let visible = camera.visible(screen);
            let slack = 1e-3 * (1.0 + min_x.abs().max(min_y.abs()) + width + height);
            prop_assert!(visible.min_x <= content.min_x + slack && visible.max_x >= content.max_x - slack);
            prop_assert!(visible.min_y <= content.min_y + slack && visible.max_y >= content.max_y - slack);
        }
    }
}
