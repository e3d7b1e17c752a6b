//! `GET /metrics`: every recorded metric in the Prometheus text format, with the
//! what-is-open-now gauges read from the state at scrape time.

use super::{record, recorder};
use crate::AppState;
use axum::{
    extract::State,
    http::header::CONTENT_TYPE,
    response::{IntoResponse, Response},
};

/// The exposition format's content type (text format 0.0.4).
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> Response {
    record::current(
        crate::health::failing_check(&state).is_none(),
        state.started.elapsed(),
        state.hub.loaded_rooms(),
        state.hub.members_by_state(),
        state.polls.len(),
        state.caps.open(),
    );
    ([(CONTENT_TYPE, PROMETHEUS_TEXT)], recorder().render()).into_response()
}
