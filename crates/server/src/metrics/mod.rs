//! `GET /metrics`: the server's and the store's numbers in the Prometheus text format
//! (version 0.0.4), every name prefixed `langso_`.
//!
//! The `prometheus` crate (TiKV's, the most used Rust client) writes exactly that classic
//! text format, which `promtool check metrics` and every Prometheus version read, with
//! plain typed counters, gauges and histograms and a registry per server (no global
//! state, so tests may run several servers in one process). The store stays free of it:
//! the writer reports group commits through [`langso_store::WriterObserver`].
//!
//! Who may read it: see [`access`].

mod access;

pub use access::MetricsAccess;

use crate::AppState;
use crate::error::ApiError;
use actix_web::{HttpRequest, HttpResponse, web};
use langso_store::{EventResult, EventStatus, WriterObserver};
use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};
use std::time::Duration;

/// Every metric the server exports. Cheap to share: each metric is an `Arc` inside.
pub struct Metrics {
    registry: Registry,
    push_events: IntCounterVec,
    pushes: IntCounterVec,
    pull_pages: IntCounter,
    logins: IntCounterVec,
    queue_depth: IntGauge,
    db_bytes: IntGauge,
    wal_bytes: IntGauge,
    devices_today: IntGauge,
    writer: WriterMetrics,
}

/// The histograms the writer thread feeds (see [`WriterObserver`]).
#[derive(Clone)]
struct WriterMetrics {
    group_pushes: Histogram,
    group_items: Histogram,
    commit_seconds: Histogram,
}

impl WriterObserver for WriterMetrics {
    fn group_committed(&self, pushes: usize, items: usize, elapsed: Duration) {
        self.group_pushes.observe(pushes as f64);
        self.group_items.observe(items as f64);
        self.commit_seconds.observe(elapsed.as_secs_f64());
    }
}

fn counter_vec(r: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
    r.register(Box::new(c.clone())).expect("unique metric");
    c
}

fn gauge(r: &Registry, name: &str, help: &str) -> IntGauge {
    let g = IntGauge::new(name, help).expect("valid metric");
    r.register(Box::new(g.clone())).expect("unique metric");
    g
}

fn histogram(r: &Registry, name: &str, help: &str, buckets: Vec<f64>) -> Histogram {
    let h = Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets))
        .expect("valid metric");
    r.register(Box::new(h.clone())).expect("unique metric");
    h
}

impl Metrics {
    /// A fresh registry with every metric at zero.
    pub fn new() -> Self {
        let r = Registry::new();
        let sizes = vec![1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0];
        let items = vec![1.0, 10.0, 50.0, 100.0, 500.0, 1000.0, 5000.0, 20000.0];
        let secs = prometheus::exponential_buckets(0.0005, 2.0, 14).expect("valid buckets");
        let pull = IntCounter::new(
            "langso_pull_pages_total",
            "Pull pages served to phones (GET /v1/sync/pull answered 200).",
        )
        .expect("valid metric");
        r.register(Box::new(pull.clone())).expect("unique metric");
        Self {
            push_events: counter_vec(
                &r,
                "langso_push_events_total",
                "Pushed items by result (accepted, duplicate, conflict, rejected) and rejection code (empty when none).",
                &["result", "code"],
            ),
            pushes: counter_vec(
                &r,
                "langso_pushes_total",
                "Push batches by result: stored (200), refused (4xx) or failed (5xx, nothing stored).",
                &["result"],
            ),
            pull_pages: pull,
            logins: counter_vec(
                &r,
                "langso_logins_total",
                "Leader logins (API and dashboard) by result: ok, or the error code (invalid_credentials, too_many_attempts, ...).",
                &["result"],
            ),
            queue_depth: gauge(
                &r,
                "langso_writer_queue_depth",
                "Push batches waiting for the writer thread now.",
            ),
            db_bytes: gauge(&r, "langso_db_bytes", "Size of the database file, bytes."),
            wal_bytes: gauge(
                &r,
                "langso_wal_bytes",
                "Size of the database's -wal file, bytes.",
            ),
            devices_today: gauge(
                &r,
                "langso_devices_active_today",
                "Devices (not revoked) whose latest stored event arrived today, Asia/Ho_Chi_Minh.",
            ),
            writer: WriterMetrics {
                group_pushes: histogram(
                    &r,
                    "langso_group_pushes",
                    "Push batches per group commit.",
                    sizes,
                ),
                group_items: histogram(
                    &r,
                    "langso_group_items",
                    "Events and malformed items per group commit.",
                    items,
                ),
                commit_seconds: histogram(
                    &r,
                    "langso_group_commit_seconds",
                    "Time from BEGIN to the end of COMMIT (fsync included) of a group, seconds.",
                    secs,
                ),
            },
            registry: r,
        }
        .with_known_series()
    }

    /// Series that exist from the start at 0 (a counter vector has none until a label set
    /// is first counted), so rates and alerts work before the first event.
    fn with_known_series(self) -> Self {
        for result in ["stored", "refused", "failed"] {
            self.pushes.with_label_values(&[result]);
        }
        for result in ["ok", "invalid_credentials", "too_many_attempts"] {
            self.logins.with_label_values(&[result]);
        }
        for result in ["accepted", "duplicate"] {
            self.push_events.with_label_values(&[result, ""]);
        }
        self
    }

    /// The observer to register with the store's writer.
    pub fn writer_observer(&self) -> std::sync::Arc<dyn WriterObserver> {
        std::sync::Arc::new(self.writer.clone())
    }

    /// Counts one push batch's answer and, when stored, its items.
    pub fn push_answered(&self, results: Result<&[EventResult], &ApiError>) {
        match results {
            Ok(items) => {
                self.pushes.with_label_values(&["stored"]).inc();
                for r in items {
                    let result = match r.status {
                        EventStatus::Accepted => "accepted",
                        EventStatus::Duplicate => "duplicate",
                        EventStatus::Conflict => "conflict",
                        EventStatus::Rejected => "rejected",
                    };
                    let code = r.code.unwrap_or("");
                    self.push_events.with_label_values(&[result, code]).inc();
                }
            }
            Err(e) if e.status.is_server_error() => {
                self.pushes.with_label_values(&["failed"]).inc()
            }
            Err(_) => self.pushes.with_label_values(&["refused"]).inc(),
        }
    }

    /// Counts a pull page served.
    pub fn pull_served(&self) {
        self.pull_pages.inc();
    }

    /// Counts a login attempt: `Ok`, or the error code it was answered with.
    pub fn login(&self, outcome: Result<(), &'static str>) {
        let result = outcome.err().unwrap_or("ok");
        self.logins.with_label_values(&[result]).inc();
    }

    /// Everything, in the text format, after reading the store's gauges.
    fn render(&self, state: &AppState) -> Result<String, ApiError> {
        let sizes = state.store.file_sizes();
        self.db_bytes.set(sizes.db_bytes as i64);
        self.wal_bytes.set(sizes.wal_bytes as i64);
        self.queue_depth
            .set(state.store.writer_queue_depth() as i64);
        self.devices_today.set(state.store.devices_active_today()?);
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .map_err(|e| {
                tracing::error!(error = %e, "could not encode the metrics");
                ApiError::internal()
            })?;
        String::from_utf8(out).map_err(|_| ApiError::internal())
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// `GET /metrics` (see the module doc and [`access`]).
pub async fn scrape(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    state.metrics_access.check(&req)?;
    let text = crate::block(move || state.metrics.render(&state)).await??;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
