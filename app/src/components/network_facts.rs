//! The network rows of the chip's popover and the metrics panel: what the browser says
//! about the link (type, downlink, save-data), bytes per second in and out right now, and
//! the bytes a finished stroke costs.

use super::clock::use_clock;
use crate::client::{BoardClient, NetworkInfo};
use leptos::prelude::*;
use tether_core::{decimal::decimal, sync::throughput::Throughput};

/// `<dt>`/`<dd>` pairs, for a `<dl>`.
#[component]
pub fn NetworkFacts() -> impl IntoView {
    let state = expect_context::<BoardClient>().state;
    let now = use_clock();
    // Sampled on every clock tick, so the rate falls to zero when traffic stops.
    let throughput = StoredValue::new(Throughput::default());
    let rates = Memo::new(move |_| {
        let at = now.get();
        let (bytes_in, bytes_out) = state.status.with_untracked(|s| (s.bytes_in, s.bytes_out));
        throughput.update_value(|t| t.record(at, bytes_in, bytes_out));
        throughput.with_value(|t| t.per_second())
    });
    let rate_text = move || match rates.get() {
        Some((rate_in, rate_out)) => {
            format!("{} in, {} out", per_second(rate_in), per_second(rate_out))
        }
        None => "measuring…".to_owned(),
    };
    let per_stroke = move || state.status.with(|s| s.bytes_per_stroke);
    view! {
        <dt>"Network"</dt>
        <dd data-testid="network-type" data-value=move || state.network.with(|n| n.effective_type.clone().unwrap_or_default())>
            {move || state.network.with(describe)}
        </dd>
        <dt>"Traffic now"</dt>
        <dd data-testid="bytes-per-second" data-in=move || rates.get().map(|r| decimal(r.0, 0)).unwrap_or_default() data-out=move || rates.get().map(|r| decimal(r.1, 0)).unwrap_or_default()>
            {rate_text}
        </dd>
        <dt>"Bytes per stroke"</dt>
        <dd data-testid="bytes-per-stroke" data-value=move || per_stroke().map(|b| decimal(b, 0)).unwrap_or_default()>
            {move || per_stroke().map(|b| format!("{} B", decimal(b, 0))).unwrap_or_else(|| "no stroke sent yet".into())}
        </dd>
    }
}

/// "4g · wifi · 10 Mbit/s · save-data", or why there is nothing to say.
fn describe(info: &NetworkInfo) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(info.effective_type.clone());
    parts.extend(info.kind.clone());
    parts.extend(
        info.downlink_mbps
            .map(|d| format!("{} Mbit/s", decimal(d, 3))),
    );
    if info.save_data == Some(true) {
        parts.push("save-data".into());
    }
    if parts.is_empty() {
        "not reported by this browser".into()
    } else {
        parts.join(" · ")
    }
}

/// "830 B/s", "12.4 kB/s".
fn per_second(bytes: f64) -> String {
    if bytes < 1_000.0 {
        format!("{} B/s", decimal(bytes, 0))
    } else {
        format!("{} kB/s", decimal(bytes / 1_000.0, 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_facts_read_plainly() {
        assert_eq!(
            describe(&NetworkInfo::default()),
            "not reported by this browser"
        );
        let info = NetworkInfo {
            effective_type: Some("4g".into()),
            kind: Some("wifi".into()),
            downlink_mbps: Some(10.0),
            save_data: Some(true),
        };
        assert_eq!(describe(&info), "4g · wifi · 10 Mbit/s · save-data");
        assert_eq!(per_second(830.4), "830 B/s");
        assert_eq!(per_second(12_400.0), "12.4 kB/s");
    }
}
