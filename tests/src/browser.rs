//! A small W3C WebDriver client for headless Chromium (Debian's `chromium` and
//! `chromium-driver`, installed by `.ci/run`). Enough to log in, click, read text and take
//! screenshots of the dashboard.

use base64::Engine;
use serde_json::{Value, json};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// W3C's key for element references in JSON.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    driver: Child,
    base: String,
    agent: ureq::Agent,
    _profile: tempfile::TempDir,
}

#[derive(Clone, Debug)]
pub struct Element(String);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session with a phone-sized window.
    pub fn start(width: u32, height: u32) -> Self {
        assert!(
            Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists(),
            "Chromium and chromedriver are missing: run .ci/run (it installs Debian's chromium and chromium-driver)"
        );
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let mut b = Self {
            driver,
            base: format!("http://127.0.0.1:{port}"),
            agent,
            _profile: tempfile::tempdir().expect("profile dir"),
        };
        let started = Instant::now();
        while b.agent.get(format!("{}/status", b.base)).call().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = b._profile.path().display().to_string();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM,
                // Desktop windows have a minimum width (~500 px): emulate the phone's viewport.
                "mobileEmulation": {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0}},
                "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                format!("--user-data-dir={profile}"), format!("--window-size={width},{height}")
            ]}
        }}});
        let session = b.call("POST", "/session", Some(caps));
        let id = session["sessionId"]
            .as_str()
            .expect("session id")
            .to_owned();
        b.base = format!("{}/session/{id}", b.base);
        b
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let res = match body {
            Some(b) => self.agent.post(&url).send_json(b),
            None if method == "DELETE" => self.agent.delete(&url).call(),
            None => self.agent.get(&url).call(),
        };
        let mut res = res.unwrap_or_else(|e| panic!("webdriver {method} {path}: {e}"));
        let status = res.status();
        let v: Value = res.body_mut().read_json().expect("webdriver JSON");
        assert!(
            status.is_success(),
            "webdriver {method} {path}: {status} {v}"
        );
        v["value"].clone()
    }

    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url})));
    }

    pub fn current_url(&self) -> String {
        self.call("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The first element matching `css`, waiting up to 10 s for it to appear.
    #[track_caller]
    pub fn find(&self, css: &str) -> Element {
        let started = Instant::now();
        loop {
            let url = format!("{}/element", self.base);
            let mut res = self
                .agent
                .post(&url)
                .send_json(json!({"using": "css selector", "value": css}))
                .expect("webdriver find");
            let ok = res.status().is_success();
            let v: Value = res.body_mut().read_json().expect("webdriver JSON");
            if ok {
                return Element(v["value"][ELEMENT].as_str().expect("element id").to_owned());
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no element matches {css:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn find_all(&self, css: &str) -> Vec<Element> {
        let v = self.call(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        );
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT].as_str())
                    .map(|s| Element(s.to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn click(&self, e: &Element) {
        self.call("POST", &format!("/element/{}/click", e.0), Some(json!({})));
    }

    /// Clicks something that loads a new page, and waits until the new page has loaded.
    pub fn click_and_load(&self, e: &Element) {
        self.execute("window.__old_page = true; return null");
        self.click(e);
        let started = Instant::now();
        loop {
            let done = self
                .execute("return window.__old_page !== true && document.readyState === 'complete'");
            if done == Value::Bool(true) {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "no new page loaded"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn type_into(&self, e: &Element, text: &str) {
        self.call("POST", &format!("/element/{}/clear", e.0), Some(json!({})));
        self.call(
            "POST",
            &format!("/element/{}/value", e.0),
            Some(json!({"text": text})),
        );
    }

    pub fn text(&self, e: &Element) -> String {
        self.call("GET", &format!("/element/{}/text", e.0), None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn attribute(&self, e: &Element, name: &str) -> Option<String> {
        self.call("GET", &format!("/element/{}/attribute/{name}", e.0), None)
            .as_str()
            .map(str::to_owned)
    }

    /// Picks the `<option>` of a `<select>` whose value is `value`.
    pub fn select(&self, select_css: &str, value: &str) {
        let option = self.find(&format!("{select_css} option[value=\"{value}\"]"));
        self.click(&option);
    }

    /// Runs JavaScript in the page and returns its result.
    pub fn execute(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    pub fn source(&self) -> String {
        self.call("GET", "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Saves a PNG screenshot of the viewport.
    pub fn screenshot(&self, path: &Path) {
        let b64 = self.call("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().expect("base64 screenshot"))
            .expect("valid base64");
        std::fs::write(path, png).expect("write screenshot");
    }

    /// The text of the first element matching `css`.
    #[track_caller]
    pub fn text_of(&self, css: &str) -> String {
        self.text(&self.find(css))
    }

    /// The elements matching `css` that are not wholly inside the viewport's width (or not
    /// shown at all), each as "class: text": empty when every one can be read without
    /// scrolling sideways.
    pub fn outside_viewport(&self, css: &str) -> Vec<String> {
        let script = format!(
            "const w = window.innerWidth; return [...document.querySelectorAll({})]\
             .filter(e => {{ const r = e.getBoundingClientRect(); \
             return r.width <= 0 || r.height <= 0 || r.left < 0 || r.right > w + 0.5; }})\
             .map(e => e.className + ': ' + e.innerText)",
            Value::String(css.to_owned())
        );
        let v = self.execute(&script);
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|s| s.as_str().unwrap_or("?").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// (page width, viewport width) in CSS pixels: the page scrolls sideways when the
    /// first is larger.
    pub fn widths(&self) -> (u64, u64) {
        let n = |js: &str| self.execute(js).as_u64().unwrap_or(u64::MAX);
        (
            n("return document.documentElement.scrollWidth"),
            n("return window.innerWidth"),
        )
    }

    /// Asserts the page shown is an HTML page in `lang` with some text, not raw JSON.
    #[track_caller]
    pub fn assert_html_page(&self, lang: &str, what: &str) {
        assert_eq!(
            self.execute("return document.contentType"),
            "text/html",
            "{what}"
        );
        assert_eq!(
            self.execute("return document.documentElement.lang"),
            lang,
            "{what}"
        );
        let text = self.execute("return document.body.innerText.trim()");
        let text = text.as_str().unwrap_or_default();
        assert!(
            !text.is_empty() && !text.starts_with('{') && !text.starts_with('['),
            "{what}: raw JSON or nothing:\n{text}"
        );
    }

    /// With LANGSO_SCREENSHOTS=1, saves a screenshot as docs/screenshots/NAME.png.
    pub fn screenshot_for_docs(&self, name: &str) {
        if std::env::var_os("LANGSO_SCREENSHOTS").is_some() {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
            std::fs::create_dir_all(&dir).expect("docs/screenshots");
            self.screenshot(&dir.join(format!("{name}.png")));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.agent.delete(&self.base).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
