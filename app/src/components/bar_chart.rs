//! A horizontal inline-SVG bar chart with a label and count per bar (the dashboard's
//! round-trip classes), widths relative to the largest bar.

use leptos::prelude::*;

/// Chart width and one bar's height, in CSS pixels.
const CHART_W: f64 = 280.0;
const BAR_H: f64 = 18.0;
/// Room for the labels left of the bars.
const LABEL_W: f64 = 80.0;

/// One bar per `(label, count)`; `label` of the chart is what a screen reader hears.
#[component]
pub fn BarChart(
    #[prop(into)] bars: Signal<Vec<(String, u64)>>,
    label: &'static str,
) -> impl IntoView {
    let height = move || bars.with(|b| b.len() as f64 * (BAR_H + 4.0));
    view! {
        <svg class="bar-chart" width=CHART_W height=height viewBox=move || format!("0 0 {CHART_W} {}", height()) role="img" aria-label=label>
            {move || {
                let bars = bars.get();
                let widths = bar_widths(&bars.iter().map(|(_, n)| *n).collect::<Vec<_>>(), CHART_W - LABEL_W - 40.0);
                bars.into_iter()
                    .zip(widths)
                    .enumerate()
                    .map(|(i, ((name, count), width))| {
                        let y = i as f64 * (BAR_H + 4.0);
                        let bar = name.clone();
                        view! {
                            <g data-bar=bar data-value=count>
                                <text x="0" y=y + BAR_H - 5.0 class="bar-label">{name}</text>
                                <rect x=LABEL_W y=y width=width height=BAR_H rx="3" class="bar"/>
                                <text x=LABEL_W + width + 6.0 y=y + BAR_H - 5.0 class="bar-count">{count}</text>
                            </g>
                        }
                    })
                    .collect_view()
            }}
        </svg>
    }
}

/// Bar widths for `counts` within `full` pixels: the largest fills it; a nonzero count
/// gets at least 2 px so it shows.
pub fn bar_widths(counts: &[u64], full: f64) -> Vec<f64> {
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    counts
        .iter()
        .map(|&n| match n {
            0 => 0.0,
            n => (n as f64 / max * full).max(2.0),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_bar_fills_the_width_and_small_ones_still_show() {
        assert_eq!(bar_widths(&[], 100.0), Vec::<f64>::new());
        assert_eq!(bar_widths(&[0, 0], 100.0), [0.0, 0.0]);
        assert_eq!(bar_widths(&[10, 5, 0], 100.0), [100.0, 50.0, 0.0]);
        assert_eq!(bar_widths(&[1000, 1], 100.0), [100.0, 2.0]);
    }
}
