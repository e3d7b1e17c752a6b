//! The connection-metrics panel (toggled from the toolbar): RTT sparkline and counters.

use super::{clock::use_clock, connection_status::duration};
use crate::client::BoardClient;
use leptos::prelude::*;

/// Sparkline size in CSS pixels.
const SPARK_W: f64 = 160.0;
const SPARK_H: f64 = 36.0;

#[component]
pub fn MetricsPanel() -> impl IntoView {
    let status = expect_context::<BoardClient>().state.status;
    let open = RwSignal::new(false);
    let now = use_clock();
    let sparkline = move || status.with(|s| sparkline_points(&s.rtt_history));
    view! {
        <div class="metrics">
            <button data-testid="metrics-toggle" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                "Metrics"
            </button>
            <Show when=move || open.get()>
                <section class="metrics-panel" data-testid="metrics-panel">
                    <svg class="sparkline" width=SPARK_W height=SPARK_H viewBox=format!("0 0 {SPARK_W} {SPARK_H}") role="img" aria-label="Round-trip times">
                        <polyline points=sparkline fill="none" stroke="currentColor" stroke-width="1.5"/>
                    </svg>
                    <dl>
                        <dt>"RTT p50 / p95"</dt>
                        <dd>{move || status.with(|s| match (s.rtt_p50, s.rtt_p95) {
                            (Some(a), Some(b)) => format!("{} / {} ms", a.round(), b.round()),
                            _ => "—".into(),
                        })}</dd>
                        <dt>"Connects"</dt><dd data-testid="metric-connects">{move || status.with(|s| s.connects)}</dd>
                        <dt>"Reconnect attempts"</dt><dd>{move || status.with(|s| s.reconnects)}</dd>
                        <dt>"Disconnects"</dt>
                        <dd>{move || status.with(|s| {
                            if s.disconnects.is_empty() { "none".to_owned() }
                            else { s.disconnects.iter().map(|(why, n)| format!("{n} {why}")).collect::<Vec<_>>().join(", ") }
                        })}</dd>
                        <dt>"Pending"</dt><dd>{move || status.with(|s| s.pending)}</dd>
                        <dt>"Traffic"</dt><dd>{move || status.with(|s| format!("{} B in, {} B out", s.bytes_in, s.bytes_out))}</dd>
                        <dt>"Uptime"</dt><dd>{move || status.with(|s| s.live_since.map(|t| duration(now.get() - t)).unwrap_or_else(|| "—".into()))}</dd>
                        <dt>"Time per state"</dt>
                        <dd>{move || status.with(|s| s.time_in_state.iter().map(|(state, ms)| format!("{state} {}", duration(*ms))).collect::<Vec<_>>().join(", "))}</dd>
                    </dl>
                </section>
            </Show>
        </div>
    }
}

/// SVG polyline points for RTT samples, scaled to the sparkline box.
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
        .map(|(i, rtt)| {
            format!(
                "{:.1},{:.1}",
                i as f64 * step,
                SPARK_H - (rtt / max) * (SPARK_H - 2.0) - 1.0
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
        assert_eq!(points, "0.0,18.0 160.0,1.0");
    }
}
