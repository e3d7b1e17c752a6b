//! Painting strokes on a 2D canvas: smooth curves through the sampled points (quadratic
//! segments between midpoints), round caps, and a dot for single-point strokes.

use tether_core::board::Stroke;
use web_sys::CanvasRenderingContext2d;

/// Clears the canvas and paints `strokes` bottom to top, at `dpr` device pixels per unit.
pub fn paint<'a>(
    ctx: &CanvasRenderingContext2d,
    css_width: f64,
    css_height: f64,
    dpr: f64,
    strokes: impl IntoIterator<Item = &'a Stroke>,
) {
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, css_width, css_height);
    ctx.set_line_cap("round");
    ctx.set_line_join("round");
    for stroke in strokes {
        paint_stroke(ctx, stroke);
    }
}

fn paint_stroke(ctx: &CanvasRenderingContext2d, stroke: &Stroke) {
    let points = &stroke.points;
    let Some(first) = points.first() else { return };
    let (x0, y0) = (first.x as f64, first.y as f64);
    if points.len() == 1 {
        ctx.set_fill_style_str(&stroke.color);
        ctx.begin_path();
        let _ = ctx.arc(
            x0,
            y0,
            (stroke.width as f64 / 2.0).max(0.5),
            0.0,
            std::f64::consts::TAU,
        );
        ctx.fill();
        return;
    }
    ctx.set_stroke_style_str(&stroke.color);
    ctx.set_line_width(stroke.width as f64);
    ctx.begin_path();
    ctx.move_to(x0, y0);
    for pair in points.windows(2).skip(1) {
        let (a, b) = (&pair[0], &pair[1]);
        let mid = ((a.x + b.x) as f64 / 2.0, (a.y + b.y) as f64 / 2.0);
        ctx.quadratic_curve_to(a.x as f64, a.y as f64, mid.0, mid.1);
    }
    let last = points[points.len() - 1];
    ctx.line_to(last.x as f64, last.y as f64);
    ctx.stroke();
}
