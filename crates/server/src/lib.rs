//! Langso's HTTP API. Startup is a library: [`build`] binds and returns a running server,
//! so tests can bind port 0 and the CLI is a thin wrapper.

mod auth;
pub mod client_addr;
mod dashboard;
mod edge;
mod error;
mod export;
pub mod leader;
mod leader_along;
mod metrics;
mod routes;
pub mod wire;

pub use auth::KeyRing;
pub use client_addr::TrustedProxies;
pub use edge::{BodyRate, MAX_HEAD_BYTES};
pub use error::ApiError;
pub use export::roster::{roster_xlsx, template_xlsx};
pub use export::{audit_file, audit_time};
pub use metrics::{Metrics, MetricsAccess};

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use langso_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// `web::block` that keeps the request's tracing span (its `request{id=…}`) on the blocking
/// thread, so what the blocking work logs carries the request id like everything else.
pub(crate) async fn block<F, R>(f: F) -> Result<R, actix_web::error::BlockingError>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let span = tracing::Span::current();
    web::block(move || span.in_scope(f)).await
}

/// Push batches above either limit are refused whole with 413.
pub const MAX_BATCH_EVENTS: usize = 500;
pub const MAX_BATCH_BYTES: usize = 1024 * 1024;

#[derive(Clone, Debug)]
pub struct Config {
    /// e.g. "127.0.0.1:8080"; port 0 picks a free port.
    pub listen: String,
    /// HTTP worker threads (the database writer is one more thread).
    pub workers: usize,
    /// Mark the dashboard's session cookie `Secure` (sent over HTTPS only). Set it whenever
    /// the server is reached over TLS (directly or behind a TLS proxy); leave it off only for
    /// plain-HTTP development on loopback.
    pub cookie_secure: bool,
    /// Most connections open at once, over all workers; beyond it new connections wait in
    /// the listen backlog. Keep it well under the process's file-descriptor limit
    /// (`ulimit -n`): each connection is one descriptor.
    pub max_connections: usize,
    /// How long a client may take to send its request line and headers (408, empty body,
    /// answered by actix-http itself).
    pub head_timeout: Duration,
    /// The slowest request body waited for (408 `request_timeout` below it).
    pub body_rate: BodyRate,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the login
    /// throttle); none by default, so the TCP peer is the client.
    pub trusted_proxies: TrustedProxies,
    /// Who may read `GET /metrics` besides the machine itself (see [`MetricsAccess`]).
    pub metrics_access: MetricsAccess,
}

/// Default for [`Config::max_connections`]: fits the common default of 1,024 file
/// descriptors with room for the database's and the log's.
pub const DEFAULT_MAX_CONNECTIONS: usize = 768;

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            cookie_secure: false,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            head_timeout: Duration::from_secs(5),
            body_rate: BodyRate::default(),
            trusted_proxies: TrustedProxies::default(),
            metrics_access: MetricsAccess::default(),
        }
    }
}

/// What every handler shares.
pub struct AppState {
    pub store: Store,
    pub keys: KeyRing,
    /// See [`Config::cookie_secure`].
    pub cookie_secure: bool,
    /// See [`Config::trusted_proxies`].
    pub trusted_proxies: TrustedProxies,
    /// The numbers `GET /metrics` exports.
    pub metrics: Metrics,
    /// See [`Config::metrics_access`].
    pub metrics_access: MetricsAccess,
}

/// Binds and starts the server; await the returned `Server` to run it to completion.
pub fn build(config: &Config, store: Store) -> std::io::Result<(Server, SocketAddr)> {
    let keys = KeyRing::new(store.clone());
    keys.reload().map_err(std::io::Error::other)?;
    let metrics = Metrics::new();
    // A second server on the same store (tests) keeps the first one's writer histograms.
    store.observe_writer(metrics.writer_observer());
    let state = web::Data::from(Arc::new(AppState {
        store,
        keys,
        cookie_secure: config.cookie_secure,
        trusted_proxies: config.trusted_proxies.clone(),
        metrics,
        metrics_access: config.metrics_access.clone(),
    }));
    let (workers, body_rate) = (config.workers.max(1), config.body_rate);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(routes::query_config())
            .wrap_fn(move |req, srv| edge::handle(req, srv, body_rate))
            .configure(dashboard::configure)
            .configure(routes::configure)
    })
    .workers(workers)
    .max_connections(config.max_connections.div_ceil(workers).max(1))
    .client_request_timeout(config.head_timeout)
    .bind(&config.listen)?;
    let addr = server.addrs()[0];
    Ok((server.run(), addr))
}
