//! `langso serve`: the server's options and the configuration they make.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Database file (created if missing).
    #[arg(long, env = "LANGSO_DB", required_unless_present = "demo")]
    pub db: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, env = "LANGSO_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "LANGSO_WORKERS")]
    workers: Option<usize>,
    /// Create (or reuse) ./langso-demo.db with Quảng Ninh demo data, and print an
    /// enrollment code.
    #[arg(long)]
    pub demo: bool,
    /// Mark the dashboard session cookie Secure (HTTPS only). Set it in production;
    /// leave it off only for plain-HTTP development.
    #[arg(long, env = "LANGSO_COOKIE_SECURE")]
    cookie_secure: bool,
    /// Refuse writes that would grow the database beyond this many MiB (answered 503,
    /// and /readyz says not ready), so the disk never fills under it.
    #[arg(long, env = "LANGSO_MAX_DB_MB")]
    pub max_db_mb: Option<u64>,
    /// Most client connections open at once (all workers together); keep it under the
    /// file-descriptor limit (`ulimit -n`) minus about 64.
    #[arg(long, env = "LANGSO_MAX_CONNECTIONS", default_value_t = langso_server::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// Reverse proxies (addresses or CIDR networks, comma-separated) whose
    /// X-Forwarded-For names the client for the login throttle; none by default.
    #[arg(long, env = "LANGSO_TRUSTED_PROXY", value_parser = langso_server::TrustedProxies::parse)]
    trusted_proxy: Option<langso_server::TrustedProxies>,
    /// Lets a Prometheus on another machine read GET /metrics with `Authorization:
    /// Bearer TOKEN` (16 characters or more); without it only the machine itself may.
    #[arg(long, env = "LANGSO_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
}

/// The server's configuration from the options; exit code 2 (with the reason on stderr)
/// for a metrics token that is refused.
pub fn config(a: &ServeArgs) -> Result<langso_server::Config, ExitCode> {
    let metrics_access =
        langso_server::MetricsAccess::new(a.metrics_token.clone()).map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(2)
        })?;
    let mut config = langso_server::Config {
        listen: a.listen.clone(),
        cookie_secure: a.cookie_secure,
        max_connections: a.max_connections,
        trusted_proxies: a.trusted_proxy.clone().unwrap_or_default(),
        metrics_access,
        ..Default::default()
    };
    if let Some(w) = a.workers {
        config.workers = w;
    }
    Ok(config)
}
