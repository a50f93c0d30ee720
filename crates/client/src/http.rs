//! One HTTP exchange with retries: network errors, timeouts, 5xx, 429 and 503 are retried
//! with exponential backoff and jitter, honouring `Retry-After`. Everything else is the
//! caller's to interpret.

use crate::config::{Backoff, Config};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use std::time::{Duration, Instant};

/// A complete answer: the body was read to the end.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    /// The server's clock from the `Date` header.
    pub date: Option<DateTime<Utc>>,
    /// Round trip of the attempt that produced this answer.
    pub elapsed: Duration,
}

impl Answer {
    pub fn error(&self) -> (String, String) {
        match serde_json::from_str::<crate::wire::ErrorBody>(&self.body) {
            Ok(e) => (e.code, e.message),
            Err(_) => (String::new(), self.body.chars().take(200).collect()),
        }
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_str(&self.body).map_err(|e| Error::Server {
            status: self.status,
            code: "unreadable_answer".into(),
            message: e.to_string(),
        })
    }

    pub fn unexpected(&self) -> Error {
        let (code, message) = self.error();
        Error::Server {
            status: self.status,
            code,
            message,
        }
    }
}

/// Counters a sync reports.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub requests: u32,
    pub retries: u32,
    pub waited: Duration,
}

pub struct Http {
    agent: ureq::Agent,
    backoff: Backoff,
    rng: u64,
}

#[derive(Clone, Copy, Debug)]
pub enum Method {
    Get,
    Post,
}

/// Tighter limits for one call than the agent's timeout and the backoff's attempts.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Whole-request timeout of each attempt.
    pub timeout: Duration,
    /// Every attempt starts and ends within this time from the first.
    pub budget: Duration,
}

fn retryable(status: u16) -> bool {
    status == 408 || status == 429 || status >= 500
}

impl Http {
    pub fn new(config: &Config) -> Self {
        let agent = config.agent.clone().unwrap_or_else(|| {
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .proxy(None)
                .max_redirects(0)
                .timeout_global(Some(config.timeout))
                .build()
                .into()
        });
        let mut seed = [0u8; 8];
        let rng = config.seed.unwrap_or_else(|| {
            getrandom::fill(&mut seed).ok();
            u64::from_le_bytes(seed) | 1
        });
        Self {
            agent,
            backoff: config.backoff.clone(),
            rng,
        }
    }

    /// A random number in [0, 1) (xorshift64*: jitter needs no better).
    fn unit(&mut self) -> f64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        (self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn once(
        &self,
        method: &Method,
        url: &str,
        token: Option<&str>,
        body: Option<String>,
        timeout: Option<Duration>,
    ) -> std::result::Result<(Answer, Option<Duration>), ureq::Error> {
        let started = Instant::now();
        let auth = token.map(|t| format!("Bearer {t}"));
        let res = match method {
            Method::Get => {
                let mut req = self.agent.get(url);
                if let Some(a) = &auth {
                    req = req.header("authorization", a);
                }
                if let Some(t) = timeout {
                    req = req.config().timeout_global(Some(t)).build();
                }
                req.call()?
            }
            Method::Post => {
                let mut req = self
                    .agent
                    .post(url)
                    .header("content-type", "application/json");
                if let Some(a) = &auth {
                    req = req.header("authorization", a);
                }
                if let Some(t) = timeout {
                    req = req.config().timeout_global(Some(t)).build();
                }
                req.send(body.unwrap_or_default().as_str())?
            }
        };
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let status = res.status().as_u16();
        let retry_after = header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let date = header("date")
            .and_then(|d| DateTime::parse_from_rfc2822(&d).ok())
            .map(|d| d.with_timezone(&Utc));
        let mut res = res;
        let body = res
            .body_mut()
            .with_config()
            .limit(16 * 1024 * 1024)
            .read_to_string()?;
        Ok((
            Answer {
                status,
                body,
                date,
                elapsed: started.elapsed(),
            },
            retry_after,
        ))
    }

    /// Sends until an answer that is not worth retrying arrives, or attempts run out.
    /// `body` is called per attempt, so each attempt carries the device clock of its send.
    pub fn call(
        &mut self,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: &dyn Fn() -> Option<String>,
        stats: &mut Stats,
    ) -> Result<Answer> {
        self.call_within(method, url, token, body, stats, None)
    }

    /// [`Http::call`] within `limits` (a token refresh: each retry must reach the server
    /// within its retry window).
    pub fn call_within(
        &mut self,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: &dyn Fn() -> Option<String>,
        stats: &mut Stats,
        limits: Option<Limits>,
    ) -> Result<Answer> {
        let first = Instant::now();
        let mut attempt = 0u32;
        let mut waited = Duration::ZERO;
        loop {
            attempt += 1;
            stats.requests += 1;
            let timeout = limits.map(|l| {
                let left = l.budget.saturating_sub(first.elapsed());
                l.timeout.min(left).max(Duration::from_millis(1))
            });
            let (last, retry_after) = match self.once(&method, url, token, body(), timeout) {
                Ok((a, _)) if !retryable(a.status) => return Ok(a),
                Ok((a, ra)) => (format!("HTTP {}: {}", a.status, a.error().1), ra),
                Err(e) => (e.to_string(), None),
            };
            tracing::debug!(%url, attempt, error = %last, "request failed; will retry");
            let unit = self.unit();
            let mut delay = self.backoff.delay(attempt, unit);
            if let Some(ra) = retry_after {
                delay = delay.max(ra.min(self.backoff.max_retry_after));
            }
            let over_budget = limits.is_some_and(|l| first.elapsed() + delay >= l.budget);
            if attempt >= self.backoff.max_attempts || over_budget {
                return Err(Error::Unreachable {
                    attempts: attempt,
                    waited,
                    last,
                });
            }
            std::thread::sleep(delay);
            waited += delay;
            stats.retries += 1;
            stats.waited += delay;
        }
    }
}
