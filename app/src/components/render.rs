//! Painting strokes on a 2D canvas through the viewer's camera: smooth curves through the
//! sampled points (quadratic segments between midpoints), round caps, a dot for
//! single-point strokes, and a width that follows the pen's pressure where it was recorded.

use tether_core::{
    board::{pressure_width, Point, Stroke},
    view::Camera,
};
use web_sys::CanvasRenderingContext2d;

/// Clears the canvas and paints `strokes` bottom to top; `size` is in CSS pixels and the
/// canvas has `dpr` device pixels per CSS pixel.
pub fn paint<'a>(
    ctx: &CanvasRenderingContext2d,
    (css_width, css_height): (f64, f64),
    dpr: f64,
    camera: Camera,
    strokes: impl IntoIterator<Item = &'a Stroke>,
) {
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, css_width, css_height);
    let scale = dpr * camera.zoom as f64;
    let _ = ctx.set_transform(
        scale,
        0.0,
        0.0,
        scale,
        -(camera.x as f64) * scale,
        -(camera.y as f64) * scale,
    );
    ctx.set_line_cap("round");
    ctx.set_line_join("round");
    let visible = camera.visible((css_width as f32, css_height as f32));
    for stroke in strokes {
        let reach = stroke.width;
        let near = |p: &Point| {
            p.x >= visible.min_x - reach
                && p.x <= visible.max_x + reach
                && p.y >= visible.min_y - reach
                && p.y <= visible.max_y + reach
        };
        if stroke.points.iter().any(near) {
            paint_stroke(ctx, stroke);
        }
    }
}

fn paint_stroke(ctx: &CanvasRenderingContext2d, stroke: &Stroke) {
    let points = &stroke.points;
    let Some(first) = points.first() else { return };
    if points.len() == 1 {
        ctx.set_fill_style_str(&stroke.color);
        ctx.begin_path();
        let radius = pressure_width(stroke.width, first.pressure) as f64 / 2.0;
        let _ = ctx.arc(
            first.x as f64,
            first.y as f64,
            radius.max(0.5),
            0.0,
            std::f64::consts::TAU,
        );
        ctx.fill();
        return;
    }
    ctx.set_stroke_style_str(&stroke.color);
    if points.iter().any(|p| p.pressure.is_some()) {
        paint_pressure_segments(ctx, stroke);
        return;
    }
    ctx.set_line_width(stroke.width as f64);
    ctx.begin_path();
    ctx.move_to(first.x as f64, first.y as f64);
    for pair in points.windows(2).skip(1) {
        let (control, end) = (pair[0], midpoint(&pair[0], &pair[1]));
        ctx.quadratic_curve_to(control.x as f64, control.y as f64, end.0, end.1);
    }
    let last = points[points.len() - 1];
    ctx.line_to(last.x as f64, last.y as f64);
    ctx.stroke();
}

/// The same curve, one piece per sample so each piece gets the width of its pressure.
fn paint_pressure_segments(ctx: &CanvasRenderingContext2d, stroke: &Stroke) {
    let points = &stroke.points;
    let mut from = (points[0].x as f64, points[0].y as f64);
    for (i, pair) in points.windows(2).enumerate() {
        let (control, next) = (pair[0], pair[1]);
        let last = i + 2 == points.len();
        let to = if last {
            (next.x as f64, next.y as f64)
        } else {
            midpoint(&control, &next)
        };
        ctx.set_line_width(pressure_width(stroke.width, control.pressure) as f64);
        ctx.begin_path();
        ctx.move_to(from.0, from.1);
        if i == 0 {
            ctx.line_to(to.0, to.1);
        } else {
            ctx.quadratic_curve_to(control.x as f64, control.y as f64, to.0, to.1);
        }
        ctx.stroke();
        from = to;
    }
}

fn midpoint(a: &Point, b: &Point) -> (f64, f64) {
    ((a.x + b.x) as f64 / 2.0, (a.y + b.y) as f64 / 2.0)
}
