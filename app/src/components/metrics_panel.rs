//! The connection-metrics panel (toggled from the toolbar): RTT sparkline, counters, and
//! the network and its traffic.

use super::{
    clock::use_clock, connection_status::duration, network_facts::NetworkFacts, Sparkline,
};
use crate::client::BoardClient;
use leptos::prelude::*;
use tether_core::decimal::decimal;

#[component]
pub fn MetricsPanel() -> impl IntoView {
    let status = expect_context::<BoardClient>().state.status;
    let open = RwSignal::new(false);
    let now = use_clock();
    view! {
        <div class="metrics">
            <button data-testid="metrics-toggle" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                "Metrics"
            </button>
            {move || open.get().then(|| view! {
                <section class="metrics-panel" data-testid="metrics-panel">
                    <Sparkline values=Signal::derive(move || status.with(|s| s.rtt_history.clone())) label="Round-trip times"/>
                    <dl>
                        <dt>"RTT p50 / p95"</dt>
                        <dd>{move || status.with(|s| match (s.rtt_p50, s.rtt_p95) {
                            (Some(a), Some(b)) => format!("{} / {} ms", decimal(a, 0), decimal(b, 0)),
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
                        <NetworkFacts/>
                        <dt>"Uptime"</dt><dd>{move || status.with(|s| s.live_since.map(|t| duration(now.get() - t)).unwrap_or_else(|| "—".into()))}</dd>
                        <dt>"Time per state"</dt>
                        <dd>{move || status.with(|s| s.time_in_state.iter().map(|(state, ms)| format!("{state} {}", duration(*ms))).collect::<Vec<_>>().join(", "))}</dd>
                    </dl>
                </section>
            })}
        </div>
    }
}
