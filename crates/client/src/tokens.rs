//! The TOKEN step of `sync()` and every authenticated request: refresh before expiry (by
//! the server's clock), and once more on a 401 that a refresh can fix.

use crate::config::Point;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::{Answer, Limits, Method, Stats};
use crate::sync::SyncReport;
use crate::wire::TokenPair;
use chrono::{DateTime, Utc};
use serde_json::json;

pub(crate) fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

impl Engine {
    /// Refreshes the access token if it is missing or about to expire by the server's clock.
    pub(crate) fn ensure_token(
        &mut self,
        stats: &mut Stats,
        report: &mut SyncReport,
    ) -> Result<()> {
        let expires = self.state.access_expires_at.as_deref().and_then(parse_time);
        let fresh = self.state.access_token.is_some()
            && expires.is_some_and(|e| self.server_now() < e - self.config.refresh_margin);
        if fresh {
            Ok(())
        } else {
            self.refresh(stats, report)
        }
    }

    /// Rotates the refresh token. A retry after a lost answer resends the same old token,
    /// which the server answers with the same new pair; the pair is stored before any use.
    /// Each attempt times out after `refresh_timeout` and all of them end within
    /// `refresh_budget`, well inside the server's 10-minute retry window.
    fn refresh(&mut self, stats: &mut Stats, report: &mut SyncReport) -> Result<()> {
        let token = self.state.refresh_token.clone().ok_or(Error::NotEnrolled)?;
        let server = self.state.server.clone().ok_or(Error::NotEnrolled)?;
        let body = json!({ "refresh_token": token }).to_string();
        self.interrupt(Point::BeforeRequest)?;
        let limits = Limits {
            timeout: self.config.refresh_timeout,
            budget: self.config.refresh_budget,
        };
        let a = self.http.call_within(
            Method::Post,
            &format!("{server}/v1/devices/token"),
            None,
            &|| Some(body.clone()),
            stats,
            Some(limits),
        )?;
        self.interrupt(Point::AnswerReceived)?;
        match a.status {
            200 => {
                let p: TokenPair = a.json()?;
                let server_time = p.server_time.as_deref().and_then(parse_time).or(a.date);
                let observed = server_time.map(|d| self.observe(d));
                self.transact(|_, s| {
                    Self::store_tokens(s, &p);
                    if let Some(o) = &observed {
                        o.apply(s);
                    }
                    Ok(())
                })?;
                report.refreshed = true;
                Ok(())
            }
            401 => {
                let (code, message) = a.error();
                Err(Error::ReEnroll { code, message })
            }
            403 => Err(Error::DeviceRevoked(a.error().1)),
            _ => Err(a.unexpected()),
        }
    }

    /// One authenticated request, with the token refreshed first if needed and once more on
    /// a 401 that a refresh can fix.
    pub(crate) fn authed(
        &mut self,
        method: Method,
        path: &str,
        body: &dyn Fn() -> Option<String>,
        stats: &mut Stats,
        report: &mut SyncReport,
    ) -> Result<Answer> {
        self.ensure_token(stats, report)?;
        let mut refreshed = false;
        loop {
            self.interrupt(Point::BeforeRequest)?;
            let server = self.state.server.clone().ok_or(Error::NotEnrolled)?;
            let token = self.state.access_token.clone();
            let a = self.http.call(
                method,
                &format!("{server}{path}"),
                token.as_deref(),
                body,
                stats,
            )?;
            match a.status {
                401 => {
                    let (code, message) = a.error();
                    let fixable = matches!(
                        code.as_str(),
                        "token_expired" | "invalid_token" | "missing_token"
                    );
                    if fixable && !refreshed {
                        refreshed = true;
                        self.refresh(stats, report)?;
                        continue;
                    }
                    return Err(Error::ReEnroll { code, message });
                }
                403 if a.error().0 == "device_revoked" => {
                    return Err(Error::DeviceRevoked(a.error().1));
                }
                _ => return Ok(a),
            }
        }
    }
}
