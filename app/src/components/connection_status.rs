//! The connection chip (top-right): colour, icon and label per state, and a popover with
//! the details — RTT and quality, transport, pending ops, last sync, reconnects, the
//! network and its traffic, uptime —
//! plus "Retry now" while reconnecting or failed.

use super::{clock::use_clock, network_facts::NetworkFacts};
use crate::client::BoardClient;
use leptos::prelude::*;
use tether_core::{decimal::decimal, sync::ConnectionState};

#[component]
pub fn ConnectionStatus() -> impl IntoView {
    let client = expect_context::<BoardClient>();
    let status = client.state.status;
    let open = RwSignal::new(false);
    let now = use_clock();

    let state = move || status.with(|s| s.state);
    let icon = move || match state() {
        ConnectionState::Connected => "●",
        ConnectionState::Connecting | ConnectionState::Reconnecting => "◌",
        ConnectionState::Degraded => "◐",
        ConnectionState::Offline => "○",
        ConnectionState::Failed => "✕",
    };
    let label = move || {
        status.with(|s| match s.state {
            ConnectionState::Reconnecting => match s.retry_at {
                Some(at) if at > now.get() => {
                    format!(
                        "Reconnecting in {}s",
                        ((at - now.get()) / 1000.0).ceil() as u64
                    )
                }
                _ => "Reconnecting…".to_owned(),
            },
            ConnectionState::Degraded if s.transport == "polling" => {
                "Connected (fallback)".to_owned()
            }
            other => other.label().to_owned(),
        })
    };
    // A memo: the button is built when it appears, not again on every change of the
    // status (a rebuilt button can swallow a click in progress).
    let can_retry = Memo::new(move |_| {
        matches!(
            state(),
            ConnectionState::Reconnecting | ConnectionState::Failed | ConnectionState::Offline
        )
    });
    let retry = move |_| {
        client
            .with(|actions| actions.retry_now())
            .unwrap_or_default()
    };

    view! {
        <div class="connection">
            <button
                class="chip"
                data-testid="connection-status"
                data-state=move || state().as_str()
                data-transport=move || status.with(|s| s.transport)
                data-pending=move || status.with(|s| s.pending.to_string())
                data-rtt-ms=move || status.with(|s| s.rtt_ms.map(|r| decimal(r, 0)).unwrap_or_default())
                data-quality-level=move || status.with(|s| s.detail.as_str())
                aria-expanded=move || open.get().to_string()
                title="Connection details"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="chip-icon" aria-hidden="true">{icon}</span>
                <span class="chip-label">{label}</span>
                {move || {
                    let pending = status.with(|s| s.pending);
                    (pending > 0).then(|| view! { <span class="chip-pending" title="Strokes waiting to be saved">{pending}</span> })
                }}
            </button>
            // Screen readers hear each change of state (not every tick of the countdown).
            <span class="visually-hidden" role="status" aria-live="polite" data-testid="connection-announcement">
                {move || format!("Connection: {}", state().label())}
            </span>
            {move || can_retry.get().then(|| view! {
                <button class="retry" data-testid="retry-now" on:click=retry>"Retry now"</button>
            })}
            {move || open.get().then(|| view! {
                <dl class="popover" data-testid="connection-details">
                    <dt>"State"</dt><dd>{label}</dd>
                    <dt>"Round trip"</dt>
                    <dd>{move || status.with(|s| match (s.rtt_ms, s.quality) {
                        (Some(rtt), Some(quality)) => format!("{} ms ({quality})", decimal(rtt, 0)),
                        _ => "not measured yet".to_owned(),
                    })}</dd>
                    <dt>"Transport"</dt><dd>{move || status.with(|s| s.transport)}</dd>
                    <dt>"Stroke detail"</dt><dd data-testid="quality-level">{move || status.with(|s| s.detail.as_str())}</dd>
                    <dt>"Waiting to save"</dt><dd>{move || status.with(|s| s.pending)}</dd>
                    <dt>"Last sync"</dt><dd>{move || status.with(|s| ago(s.last_sync, now.get()))}</dd>
                    <dt>"Reconnects"</dt><dd>{move || status.with(|s| s.reconnects)}</dd>
                    <NetworkFacts/>
                    <dt>"Up for"</dt><dd>{move || status.with(|s| s.live_since.map(|t| duration(now.get() - t)).unwrap_or_else(|| "—".into()))}</dd>
                    {move || status.with(|s| s.failure.clone()).map(|reason| view! { <dt>"Problem"</dt><dd>{reason}</dd> })}
                </dl>
            })}
        </div>
    }
}

/// "12 s ago" style text.
pub fn ago(at: Option<f64>, now: f64) -> String {
    match at {
        Some(at) => format!("{} ago", duration(now - at)),
        None => "never".into(),
    }
}

/// "4 s", "3 min", "2 h".
pub fn duration(ms: f64) -> String {
    let s = (ms / 1000.0).max(0.0).round() as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min", s / 60),
        _ => format!("{} h", s / 3600),
    }
}
