//! A small inline-SVG line chart of recent values (the metrics panel's round trips, the
//! dashboard's rates): no chart library, scaled so the peak touches the top.

use leptos::prelude::*;
use tether_core::decimal::decimal;

/// Sparkline size in CSS pixels.
const SPARK_W: f64 = 160.0;
const SPARK_H: f64 = 36.0;

/// The chart of `values`, oldest on the left; `label` is what a screen reader hears.
#[component]
pub fn Sparkline(#[prop(into)] values: Signal<Vec<f64>>, label: &'static str) -> impl IntoView {
    let points = move || values.with(|v| sparkline_points(v));
    view! {
        <svg class="sparkline" width=SPARK_W as u32 height=SPARK_H as u32 viewBox=format!("0 0 {} {}", SPARK_W as u32, SPARK_H as u32) role="img" aria-label=label>
            <polyline points=points fill="none" stroke="currentColor" stroke-width="1.5"/>
        </svg>
    }
}

/// SVG polyline points for `samples`, scaled to the sparkline box.
pub fn sparkline_points(samples: &[f64]) -> String {
    if samples.is_empty() {
        return String::new();
    }
    let max = samples.iter().copied().fold(1.0, f64::max);
    let step = if samples.len() > 1 {
        SPARK_W / (samples.len() - 1) as f64
    } else {
        0.0
    };
    samples
        .iter()
        .enumerate()
        .map(|(i, value)| {
            format!(
                "{},{}",
                decimal(i as f64 * step, 1),
                decimal(SPARK_H - (value / max) * (SPARK_H - 2.0) - 1.0, 1)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sparkline_spans_the_box_with_the_peak_on_top() {
        assert_eq!(sparkline_points(&[]), "");
        let points = sparkline_points(&[50.0, 100.0]);
        assert_eq!(points, "0,18 160,1");
    }
}
