//! Langso's HTTP API. Startup is a library: [`build`] binds and returns a running server,
//! so tests can bind port 0 and the CLI is a thin wrapper.

mod auth;
mod dashboard;
mod error;
mod export;
pub mod leader;
mod routes;

pub use auth::KeyRing;
pub use error::ApiError;

use actix_web::dev::{Server, Service};
use actix_web::{App, HttpServer, web};
use langso_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;

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
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            cookie_secure: false,
        }
    }
}

/// What every handler shares.
pub struct AppState {
    pub store: Store,
    pub keys: KeyRing,
    /// See [`Config::cookie_secure`].
    pub cookie_secure: bool,
}

/// Binds and starts the server; await the returned `Server` to run it to completion.
pub fn build(config: &Config, store: Store) -> std::io::Result<(Server, SocketAddr)> {
    let keys = KeyRing::new(store.clone());
    keys.reload().map_err(std::io::Error::other)?;
    let state = web::Data::from(Arc::new(AppState {
        store,
        keys,
        cookie_secure: config.cookie_secure,
    }));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(routes::query_config())
            .wrap_fn(|req, srv| {
                let (method, path) = (req.method().clone(), req.path().to_owned());
                let started = std::time::Instant::now();
                let fut = srv.call(req);
                async move {
                    let res = fut.await?;
                    // Paths only: query strings, headers and bodies (tokens, notes) never reach logs.
                    tracing::info!(
                        %method, %path, status = res.status().as_u16(),
                        elapsed_us = started.elapsed().as_micros() as u64, "request"
                    );
                    Ok(res)
                }
            })
            .configure(dashboard::configure)
            .configure(routes::configure)
    })
    .workers(config.workers.max(1))
    .bind(&config.listen)?;
    let addr = server.addrs()[0];
    Ok((server.run(), addr))
}
