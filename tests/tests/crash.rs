//! Crash safety: the real binary is killed with SIGKILL while devices push, 20 times. After
//! every restart each acknowledged event is stored exactly once, the phones' retries are
//! answered `duplicate` or `accepted`, and `langso verify` passes.

use langso_tests::harness::langso_bin;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ROUNDS: usize = 20;
const DEVICES: usize = 4;
const BATCH: usize = 20;

fn langso(db: &Path, args: &[&str]) -> std::process::Output {
    let mut full = vec![args[0], "--db", db.to_str().unwrap()];
    full.extend_from_slice(&args[1..]);
    Command::new(langso_bin())
        .args(full)
        .env("LANGSO_LOG", "warn")
        .output()
        .unwrap()
}

fn start(db: &Path) -> (Child, String) {
    let mut child = Command::new(langso_bin())
        .args([
            "serve",
            "--db",
            db.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--workers",
            "2",
        ])
        .env("LANGSO_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("server exited before listening")
            .unwrap();
        if let Some(addr) = line.strip_prefix("listening on ") {
            break addr.to_owned();
        }
    };
    (child, url)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// A phone: events it recorded, the ones the server acknowledged, and its unsent batch.
struct Phone {
    token: String,
    villages: Vec<String>,
    next_seq: u64,
    pending: Option<Value>,
    sent: Vec<String>,
}

impl Phone {
    fn batch(&mut self) -> Value {
        if let Some(b) = &self.pending {
            return b.clone();
        }
        let events: Vec<Value> = (0..BATCH)
            .map(|i| {
                let id = uuid::Uuid::now_v7().to_string();
                self.sent.push(id.clone());
                let seq = self.next_seq;
                self.next_seq += 1;
                json!({"event_id": id, "seq": seq, "kind": "vneid_activation",
                       "village_id": self.villages[i % self.villages.len()], "count": 1 + (seq % 3),
                       "occurred_at": chrono::Utc::now().to_rfc3339()})
            })
            .collect();
        let b = json!({"batch_id": uuid::Uuid::now_v7(), "device_clock": chrono::Utc::now().to_rfc3339(),
                       "events": events});
        self.pending = Some(b.clone());
        b
    }

    /// Pushes until the server goes away. Returns the event ids acknowledged.
    fn push_until_down(&mut self, url: &str, stop: &AtomicBool) -> Vec<String> {
        let agent = agent();
        let mut acked = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let body = self.batch();
            let res = agent
                .post(format!("{url}/v1/sync/push"))
                .header("authorization", format!("Bearer {}", self.token))
                .send_json(&body);
            let Ok(mut res) = res else { return acked };
            let Ok(answer) = res.body_mut().read_json::<Value>() else {
                return acked;
            };
            assert_eq!(res.status(), 200, "{answer}");
            for r in answer["results"].as_array().unwrap() {
                let status = r["status"].as_str().unwrap();
                assert!(status == "accepted" || status == "duplicate", "{r}");
                acked.push(r["event_id"].as_str().unwrap().to_owned());
            }
            assert_eq!(
                answer["acked_through_seq"].as_u64(),
                Some(self.next_seq - 1)
            );
            self.pending = None;
        }
        acked
    }
}

fn enroll(db: &Path, url: &str, team: &Value) -> Phone {
    let out = langso(db, &["invite", "--team", team["id"].as_str().unwrap()]);
    let code = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let mut res = agent()
        .post(format!("{url}/v1/devices/enroll"))
        .send_json(json!({"code": code, "device_name": "crash test"}))
        .unwrap();
    let body: Value = res.body_mut().read_json().unwrap();
    Phone {
        token: body["access_token"].as_str().unwrap().to_owned(),
        villages: team["village_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect(),
        next_seq: 1,
        pending: None,
        sent: Vec::new(),
    }
}

fn count_stored(db: &Path, ids: &HashSet<String>) -> (usize, i64) {
    let store = langso_store::Store::open(db).unwrap();
    store
        .read(|c| {
            let mut once = 0;
            for id in ids {
                let u = uuid::Uuid::parse_str(id).unwrap();
                let n: i64 = c.query_row(
                    "SELECT count(*) FROM events WHERE event_id = ?1",
                    [u.as_bytes().as_slice()],
                    |r| r.get(0),
                )?;
                if n == 1 {
                    once += 1;
                }
            }
            // Beside the demo's history (its own phones' events).
            let total: i64 = c.query_row(
                "SELECT count(*) FROM events e JOIN devices d ON d.id = e.device_id
                 WHERE d.name NOT LIKE 'demo phone %'",
                [],
                |r| r.get(0),
            )?;
            Ok((once, total))
        })
        .unwrap()
}

#[test]
fn sigkill_while_devices_push_never_loses_or_doubles_an_acknowledged_event() {
    let dir = tempfile::tempdir().unwrap();
    let db: PathBuf = dir.path().join("crash.db");
    assert!(langso(&db, &["demo"]).status.success());
    let teams: Vec<Value> =
        serde_json::from_slice(&langso(&db, &["teams", "--json"]).stdout).unwrap();
    let (mut child, mut url) = start(&db);
    let phones: Vec<Arc<Mutex<Phone>>> = teams
        .iter()
        .take(DEVICES)
        .map(|t| Arc::new(Mutex::new(enroll(&db, &url, t))))
        .collect();
    let acked: Arc<Mutex<HashSet<String>>> = Arc::default();

    for round in 0..ROUNDS {
        let stop = Arc::new(AtomicBool::new(false));
        let pushers: Vec<_> = phones
            .iter()
            .map(|p| {
                let (p, url, stop, acked) = (p.clone(), url.clone(), stop.clone(), acked.clone());
                std::thread::spawn(move || {
                    let ids = p.lock().unwrap().push_until_down(&url, &stop);
                    acked.lock().unwrap().extend(ids);
                })
            })
            .collect();
        // Vary the moment of death from round to round.
        std::thread::sleep(Duration::from_millis(40 + (round as u64 * 37) % 260));
        child.kill().unwrap();
        child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for h in pushers {
            h.join().unwrap();
        }
        let acked_now = acked.lock().unwrap().clone();
        let (once, _) = count_stored(&db, &acked_now);
        assert_eq!(
            once,
            acked_now.len(),
            "round {round}: an acknowledged event is missing or doubled"
        );
        (child, url) = start(&db);
    }

    // Every phone sends what it still holds; then everything it ever recorded is stored once.
    for p in &phones {
        let mut phone = p.lock().unwrap();
        if let Some(batch) = phone.pending.clone() {
            let mut res = agent()
                .post(format!("{url}/v1/sync/push"))
                .header("authorization", format!("Bearer {}", phone.token))
                .send_json(&batch)
                .unwrap();
            let answer: Value = res.body_mut().read_json().unwrap();
            assert_eq!(
                answer["acked_through_seq"].as_u64(),
                Some(phone.next_seq - 1),
                "{answer}"
            );
            phone.pending = None;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let recorded: HashSet<String> = phones
        .iter()
        .flat_map(|p| p.lock().unwrap().sent.clone())
        .collect();
    let (once, total) = count_stored(&db, &recorded);
    assert!(
        acked.lock().unwrap().len() > ROUNDS * BATCH,
        "the pushers made progress"
    );
    assert_eq!(
        once,
        recorded.len(),
        "every recorded event is stored exactly once"
    );
    assert_eq!(total as usize, recorded.len(), "nothing else is stored");
    let verify = langso(&db, &["verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}
