//! `/admin`: the operator dashboard. The server renders it with this node's numbers
//! embedded; in the browser it refreshes them every [`REFRESH_MS`] through the
//! [`AdminFeed`] the runtime provides (no reload). Charts are inline SVG drawn here.

use crate::{
    components::{BarChart, Sparkline},
    snapshot::to_script_json,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use tether_core::protocol::admin::AdminStats;

/// How often the browser fetches fresh numbers (ms).
pub const REFRESH_MS: u64 = 2_000;

/// The id of the element carrying the embedded view.
pub const ADMIN_ELEMENT_ID: &str = "admin-view";

/// What the server decided to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "access", rename_all = "camelCase")]
pub enum AdminView {
    /// No admin token configured: how to turn the dashboard on.
    Off,
    /// Wrong or missing token.
    Refused,
    /// The numbers.
    Live(Box<AdminStats>),
}

/// Provided as context by the server for one request of `/admin`.
#[derive(Debug, Clone)]
pub struct InitialAdmin(pub AdminView);

/// Fetches fresh numbers for the dashboard (the browser runtime's IO).
pub trait AdminFeed {
    /// Fetches once; `done` gets the numbers, or `None` when the fetch failed.
    fn fetch(&self, done: Box<dyn FnOnce(Option<AdminStats>)>);
}

/// The feed, provided by the browser runtime (absent while server rendering).
#[derive(Clone)]
pub struct AdminFeedContext(pub StoredValue<Rc<dyn AdminFeed>, LocalStorage>);

fn embedded_view() -> AdminView {
    #[cfg(feature = "ssr")]
    let view = use_context::<InitialAdmin>().map(|InitialAdmin(view)| view);
    #[cfg(not(feature = "ssr"))]
    let view = crate::snapshot::embedded_text(ADMIN_ELEMENT_ID)
        .and_then(|text| serde_json::from_str(&text).ok());
    view.unwrap_or(AdminView::Refused)
}

/// `/admin`.
#[component]
pub fn AdminPage() -> impl IntoView {
    let view = embedded_view();
    let script = to_script_json(&view);
    let body = match view {
        AdminView::Off => view! {
            <section class="admin-message" data-testid="admin-off">
                <h1>"The dashboard is off"</h1>
                <p>
                    "Start the server with " <code>"--admin-token <secret>"</code> " (or "
                    <code>"TETHER_ADMIN_TOKEN"</code> "), then open "
                    <code>"/admin?token=<secret>"</code> "."
                </p>
            </section>
        }
        .into_any(),
        AdminView::Refused => view! {
            <section class="admin-message" data-testid="admin-refused">
                <h1>"Not allowed"</h1>
                <p>"Open " <code>"/admin?token=<secret>"</code> " with this server's admin token."</p>
            </section>
        }
        .into_any(),
        AdminView::Live(stats) => view! { <Dashboard initial=*stats/> }.into_any(),
    };
    view! {
        <script type="application/json" id=ADMIN_ELEMENT_ID inner_html=script></script>
        {body}
    }
}

/// The live dashboard.
#[component]
fn Dashboard(initial: AdminStats) -> impl IntoView {
    let stats = RwSignal::new(initial);
    // `true` while the last refresh worked; the page says when the numbers are stale.
    let fresh = RwSignal::new(true);
    Effect::new(move |_| {
        let Some(AdminFeedContext(feed)) = use_context::<AdminFeedContext>() else {
            return;
        };
        let refresh = move || {
            feed.with_value(|feed| {
                feed.fetch(Box::new(move |update| match update {
                    Some(update) => {
                        stats.set(update);
                        fresh.set(true);
                    }
                    None => fresh.set(false),
                }))
            })
        };
        let _ = set_interval_with_handle(refresh, std::time::Duration::from_millis(REFRESH_MS));
    });
    let num = move |f: fn(&AdminStats) -> u64| move || stats.with(f).to_string();
    let ms = |value: Option<f64>| value.map_or("–".to_owned(), |v| format!("{v:.1} ms"));
    view! {
        <section class="admin" data-testid="admin" data-fresh=move || fresh.get().to_string()>
            <header class="admin-header">
                <h1>"Tether — operations"</h1>
                <p class="admin-node">
                    {move || stats.with(|s| s.node.clone().map_or("single node".to_owned(), |n| format!("node {n}")))}
                    " · up " {move || stats.with(|s| format_uptime(s.uptime_seconds))}
                    {move || (!fresh.get()).then_some(" · not updating (server unreachable)")}
                </p>
            </header>
            <div class="admin-cards">
                <article class="admin-card" data-testid="admin-connections" data-value=num(AdminStats::total_connections)>
                    <h2>"Connections"</h2>
                    <p class="admin-big">{num(AdminStats::total_connections)}</p>
                    <p>{num(|s| s.connections.websocket)} " WebSocket · " {num(|s| s.connections.polling)} " polling"</p>
                    <p class="admin-states">
                        {move || stats.with(|s| s.client_states.iter().map(|(state, n)| format!("{n} {state}")).collect::<Vec<_>>().join(" · "))}
                    </p>
                </article>
                <article class="admin-card" data-testid="admin-rooms" data-value=num(|s| s.loaded_rooms)>
                    <h2>"Rooms loaded"</h2>
                    <p class="admin-big">{num(|s| s.loaded_rooms)}</p>
                </article>
                <article class="admin-card" data-testid="admin-ops">
                    <h2>"Ops per second"</h2>
                    <p class="admin-big">{move || stats.with(|s| format!("{:.1}", s.ops_per_second))}</p>
                    <Sparkline values=Signal::derive(move || stats.with(|s| as_f64(&s.ops_series))) label="ops applied per second, last minute"/>
                </article>
                <article class="admin-card" data-testid="admin-reconnects" data-value=num(|s| s.reconnects_total)>
                    <h2>"Reconnects"</h2>
                    <p class="admin-big">{num(|s| s.reconnects_last_minute)} <small>" last minute"</small></p>
                    <p>{num(|s| s.reconnects_total)} " since start"</p>
                    <Sparkline values=Signal::derive(move || stats.with(|s| as_f64(&s.reconnects_series))) label="reconnects per second, last minute"/>
                    <p class="admin-states">
                        {move || stats.with(|s| s.reconnect_reasons.iter().map(|(why, n)| format!("{n} {why}")).collect::<Vec<_>>().join(" · "))}
                    </p>
                </article>
                <article class="admin-card" data-testid="admin-commit">
                    <h2>"Storage commit"</h2>
                    <p class="admin-big">{move || stats.with(|s| ms(s.commit_p50_ms))} <small>" p50"</small></p>
                    <p>{move || stats.with(|s| ms(s.commit_p99_ms))} " p99"</p>
                </article>
                <article class="admin-card admin-wide" data-testid="admin-rtt">
                    <h2>"Clients' round trip"</h2>
                    <BarChart bars=Signal::derive(move || stats.with(|s| s.rtt_classes.classes().map(|(name, n)| (name.to_owned(), n)).to_vec())) label="clients by round-trip class"/>
                </article>
            </div>
            <Show when=move || stats.with(|s| !s.nodes.is_empty())>
                <h2>"Nodes"</h2>
                <table class="admin-rooms" data-testid="admin-nodes">
                    <thead><tr><th>"Node"</th><th>"Connections"</th><th>"Rooms"</th><th>"Ops/s"</th><th>"Commit p99"</th><th>"Reconnects/min"</th><th>"Up"</th></tr></thead>
                    <tbody>
                        <For each=move || stats.with(|s| s.nodes.clone()) key=|n| format!("{n:?}") let:n>
                            <tr data-node=n.node.clone()>
                                <td>{n.node.clone()}</td>
                                <td>{n.connections}</td>
                                <td>{n.loaded_rooms}</td>
                                <td>{format!("{:.1}", n.ops_per_second)}</td>
                                <td>{ms(n.commit_p99_ms)}</td>
                                <td>{n.reconnects_last_minute}</td>
                                <td>{format_uptime(n.uptime_seconds)}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </Show>
            <h2>"Busiest rooms"</h2>
            <table class="admin-rooms" data-testid="admin-room-table">
                <thead><tr><th>"Room"</th><th>"Members"</th><th>"Ops"</th><th>"Idle"</th></tr></thead>
                <tbody>
                    <For each=move || stats.with(|s| s.rooms.clone()) key=|room| (room.room.clone(), room.members, room.ops, room.idle_seconds) let:room>
                        <tr>
                            <td><a href=format!("/b/{}", room.room)>{room.room.clone()}</a></td>
                            <td>{room.members}</td>
                            <td>{room.ops}</td>
                            <td>{format_uptime(room.idle_seconds)}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </section>
    }
}

fn as_f64(series: &[u32]) -> Vec<f64> {
    series.iter().map(|&n| f64::from(n)).collect()
}

/// `3d 4h`, `2h 5m`, `4m 10s`, `12s`.
pub fn format_uptime(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds / 3_600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(format_uptime(12), "12s");
        assert_eq!(format_uptime(250), "4m 10s");
        assert_eq!(format_uptime(7_500), "2h 5m");
        assert_eq!(format_uptime(3 * 86_400 + 4 * 3_600 + 59), "3d 4h");
    }

    #[test]
    fn the_embedded_view_round_trips() {
        let view = AdminView::Live(Box::new(AdminStats {
            reconnects_total: 3,
            ..AdminStats::default()
        }));
        let json = to_script_json(&view);
        assert_eq!(serde_json::from_str::<AdminView>(&json).unwrap(), view);
    }
}
