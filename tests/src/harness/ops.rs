//! Operations (issue 9): raw requests whose headers a test reads, the metrics text, and
//! `promtool check metrics`.

use super::Server;
use std::io::Write;
use std::process::{Command, Stdio};

/// A raw answer: status, `X-Request-Id`, body text.
pub struct Raw {
    pub status: u16,
    pub request_id: Option<String>,
    pub body: String,
}

impl Server {
    /// GET `path` with extra headers, no spec check (tests of headers only).
    pub fn raw_get(&self, path: &str, headers: &[(&str, &str)]) -> Raw {
        let mut req = self.agent.get(format!("{}{path}", self.url));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.call().unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let request_id = (res.headers().get("x-request-id"))
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let status = res.status().as_u16();
        let body = res.into_body().read_to_string().unwrap_or_default();
        Raw {
            status,
            request_id,
            body,
        }
    }

    /// `GET /metrics` from loopback (checked against the spec): the text.
    #[track_caller]
    pub fn metrics(&self) -> String {
        let r = self.send("GET", "/metrics", &[], None).resp.expect(200);
        let ct = r.content_type.clone().unwrap_or_default();
        assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
        r.body.as_str().expect("a text body").to_owned()
    }
}

/// Runs `promtool check metrics` on `text` and panics with its report unless it passes.
/// promtool must be installed (Debian's `prometheus` package; .ci/run installs it): a
/// missing promtool fails the test, never skips it.
#[track_caller]
pub fn promtool_check(text: &str) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("promtool could not be run ({e}): install Debian's `prometheus` package (.ci/run does)")
        });
    let mut stdin = child.stdin.take().expect("promtool stdin");
    stdin.write_all(text.as_bytes()).expect("feed promtool");
    drop(stdin);
    let out = child.wait_with_output().expect("promtool ran");
    assert!(
        out.status.success(),
        "promtool check metrics failed:\n{}{}\n--- the metrics ---\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The sum of the samples of `name` (exactly that name: `_count`, `_sum`, `_bucket` are
/// other names) whose labels include every pair of `labels`; 0 when none.
pub fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let (n, rest) = series.split_once('{').unwrap_or((series, ""));
            let wanted = labels
                .iter()
                .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")));
            (n == name && wanted).then(|| value.parse::<f64>().ok())?
        })
        .sum()
}
