//! Prometheus metrics: the names (one place), the process-wide recorder, and the text
//! `GET /metrics` serves. Modules record with the `metrics` crate's macros under these names;
//! every label set is bounded (intents of the taxonomy, channels, contexts, error codes, event
//! sources).
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `aisle_turn_seconds` | histogram | `intent` (`action` for buttons), `channel` |
//! | `aisle_parse_seconds` | histogram | |
//! | `aisle_search_seconds` | histogram | |
//! | `aisle_recommendation_seconds` | histogram | `context` |
//! | `aisle_encoder_queue_depth` | gauge | |
//! | `aisle_encoder_refusals_total` | counter | |
//! | `aisle_websockets_open` | gauge | |
//! | `aisle_sessions_active` | gauge (sessions with a turn in the last 30 minutes) | |
//! | `aisle_sessions_waiting_for_agent` | gauge | |
//! | `aisle_errors_total` | counter | `code` |
//! | `aisle_events_ingested_total` | counter | `source` |
//! | `aisle_recommendations_age_seconds` | gauge (since the snapshot was trained) | |

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

pub const TURN_SECONDS: &str = "aisle_turn_seconds";
pub const PARSE_SECONDS: &str = "aisle_parse_seconds";
pub const SEARCH_SECONDS: &str = "aisle_search_seconds";
pub const RECOMMENDATION_SECONDS: &str = "aisle_recommendation_seconds";
pub const ENCODER_QUEUE_DEPTH: &str = "aisle_encoder_queue_depth";
pub const ENCODER_REFUSALS: &str = "aisle_encoder_refusals_total";
pub const WEBSOCKETS_OPEN: &str = "aisle_websockets_open";
pub const SESSIONS_ACTIVE: &str = "aisle_sessions_active";
pub const SESSIONS_WAITING: &str = "aisle_sessions_waiting_for_agent";
pub const ERRORS: &str = "aisle_errors_total";
pub const EVENTS_INGESTED: &str = "aisle_events_ingested_total";
pub const RECOMMENDATIONS_AGE: &str = "aisle_recommendations_age_seconds";

/// Histogram buckets, in seconds: 1 ms to 5 s.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

/// The recorder's handle, installed once per process (the first server installs it; later
/// ones, in tests, share it). `None` when another recorder was installed first.
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().set_buckets(&BUCKETS).ok()?.build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            describe();
            Some(handle)
        })
        .as_ref()
}

/// The metrics as Prometheus text (empty when no recorder could be installed).
pub fn render() -> String {
    handle().map(PrometheusHandle::render).unwrap_or_default()
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_histogram!(TURN_SECONDS, Unit::Seconds, "Time to answer a chat turn (load, parse, act, store), by intent and channel");
    describe_histogram!(PARSE_SECONDS, Unit::Seconds, "Time to parse an utterance (encoder and intent head)");
    describe_histogram!(SEARCH_SECONDS, Unit::Seconds, "Time of a catalog search");
    describe_histogram!(RECOMMENDATION_SECONDS, Unit::Seconds, "Time to make a recommendation list, by context");
    describe_gauge!(ENCODER_QUEUE_DEPTH, "Encoder requests waiting for a worker");
    describe_counter!(ENCODER_REFUSALS, "Encoder requests refused because the queue was full");
    describe_gauge!(WEBSOCKETS_OPEN, "Open chat WebSocket connections");
    describe_gauge!(SESSIONS_ACTIVE, "Sessions with a turn in the last 30 minutes");
    describe_gauge!(SESSIONS_WAITING, "Sessions waiting for a person");
    describe_counter!(ERRORS, "Errors answered, by code");
    describe_counter!(EVENTS_INGESTED, "Shopper events stored, by source");
    describe_gauge!(RECOMMENDATIONS_AGE, Unit::Seconds, "Age of the recommendation snapshot");
}
