//! Painting strokes on a 2D canvas through a camera, as their `tether_core::view`
//! outlines: the same curves the SVG export writes.

use tether_core::{
    board::{Point, Stroke},
    view::{outline, Camera, Outline},
};
use web_sys::CanvasRenderingContext2d;

/// Clears the canvas and paints `strokes` bottom to top; `size` is in CSS pixels and the
/// canvas has `dpr` device pixels per CSS pixel. `background` fills the canvas first
/// (exports want white; the live board is transparent over the page's white).
pub fn paint<'a>(
    ctx: &CanvasRenderingContext2d,
    (css_width, css_height): (f64, f64),
    dpr: f64,
    camera: Camera,
    background: Option<&str>,
    strokes: impl IntoIterator<Item = &'a Stroke>,
) {
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, css_width, css_height);
    if let Some(background) = background {
        ctx.set_fill_style_str(background);
        ctx.fill_rect(0.0, 0.0, css_width, css_height);
    }
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
    match outline(stroke) {
        Outline::Empty => {}
        Outline::Dot { at, radius } => {
            ctx.set_fill_style_str(&stroke.color);
            ctx.begin_path();
            let _ = ctx.arc(
                at.0 as f64,
                at.1 as f64,
                radius as f64,
                0.0,
                std::f64::consts::TAU,
            );
            ctx.fill();
        }
        Outline::Curve { pieces, uniform } => {
            ctx.set_stroke_style_str(&stroke.color);
            // Without pressure the whole curve is one path; with it, one path per piece.
            let runs: Vec<&[_]> = if uniform {
                vec![&pieces[..]]
            } else {
                pieces.chunks(1).collect()
            };
            for run in runs {
                ctx.set_line_width(run[0].width as f64);
                ctx.begin_path();
                ctx.move_to(run[0].from.0 as f64, run[0].from.1 as f64);
                for piece in run {
                    ctx.quadratic_curve_to(
                        piece.control.0 as f64,
                        piece.control.1 as f64,
                        piece.to.0 as f64,
                        piece.to.1 as f64,
                    );
                }
                ctx.stroke();
            }
        }
    }
}
