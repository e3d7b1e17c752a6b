//! What an operator can see of a running server: the Prometheus metrics recorded where
//! things happen ([`record`]), the `/metrics` page ([`route`]), and the recorder behind
//! both; the live dashboard's own numbers ([`live`], over the pure windows of
//! [`window`]); the room tags logs carry instead of room ids ([`log_tag`]).
//!
//! The recorder is process-wide (the `metrics` facade has one global recorder): several
//! servers started in one process, as the integration tests do, share their counters. In
//! production one process is one node, and every node is scraped on its own.

pub mod live;
pub mod log_tag;
pub mod record;
pub mod route;
pub mod window;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::{sync::OnceLock, time::Duration};
use tokio_util::sync::CancellationToken;

/// Histogram buckets (seconds) for storage commits, op and client round trips: from a
/// fast local fsync (under a millisecond) to a struggling disk, Redis or phone link.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Buckets for counts (entries per storage batch).
const COUNT_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

/// How often histogram samples are folded into their buckets when nobody scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static RECORDER: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed on first use. If another recorder was installed first
/// (a host embedding the server), ours still renders — it just records nothing.
pub fn recorder() -> &'static PrometheusHandle {
    RECORDER.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
            .and_then(|b| {
                b.set_buckets_for_metric(Matcher::Suffix("_entries".into()), COUNT_BUCKETS)
            })
            .expect("the bucket lists are not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_ok() {
            record::describe_all();
        }
        handle
    })
}

/// Folds histogram samples into buckets every few seconds until `shutdown`, so memory
/// stays flat between scrapes.
pub async fn upkeep(shutdown: CancellationToken) {
    let mut every = tokio::time::interval(UPKEEP_EVERY);
    loop {
        tokio::select! {
            _ = every.tick() => recorder().run_upkeep(),
            () = shutdown.cancelled() => break,
        }
    }
}
