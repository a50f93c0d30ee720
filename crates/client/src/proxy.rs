//! A fault-injecting HTTP proxy for loopback tests and `langso simulate`.
//!
//! It sits between engines and the server and, per request, can drop the answer after the
//! server committed, delay it, send the request to the server twice, cut the answer
//! mid-body, or answer 503 itself. It lives in this crate, behind the `fault-proxy`
//! feature, because both this crate's tests and the simulator need the same faults; apps
//! embedding the engine never compile it.
//!
//! One request per client connection: the proxy asks the server for `Connection: close`
//! and reads its answer to the end, so the answer it drops or cuts is a complete, committed
//! one. Plain HTTP/1.1 only; request bodies by Content-Length (what the engine sends).

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What happens to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Forwarded and answered normally.
    Pass,
    /// Forwarded; the server's complete answer is read, then the client's connection is
    /// closed without a byte: "the answer was lost after the commit".
    DropAnswer,
    /// Forwarded; the answer is held this long first.
    Delay(Duration),
    /// Sent to the server twice; the client gets the second answer.
    Duplicate,
    /// Forwarded; the client gets the headers and half the body, then the connection closes.
    CutBody,
    /// Not forwarded: the proxy answers 503 with `Retry-After: 1`.
    Unavailable,
}

/// Random faults: each probability is per request, checked in this order.
#[derive(Clone, Debug)]
pub struct Faults {
    pub drop_answer: f64,
    pub delay: f64,
    pub max_delay: Duration,
    pub duplicate: f64,
    pub cut_body: f64,
    pub unavailable: f64,
    pub seed: u64,
}

impl Faults {
    /// No random faults (scripted ones still apply).
    pub fn none() -> Self {
        Self {
            drop_answer: 0.0,
            delay: 0.0,
            max_delay: Duration::ZERO,
            duplicate: 0.0,
            cut_body: 0.0,
            unavailable: 0.0,
            seed: 1,
        }
    }

    /// Every kind of fault, `p` each.
    pub fn each(p: f64, seed: u64) -> Self {
        Self {
            drop_answer: p,
            delay: p,
            max_delay: Duration::from_millis(300),
            duplicate: p,
            cut_body: p,
            unavailable: p,
            seed,
        }
    }
}

/// How many of each fault the proxy injected.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub requests: u64,
    pub dropped: u64,
    pub delayed: u64,
    pub duplicated: u64,
    pub cut: u64,
    pub unavailable: u64,
}

struct Shared {
    upstream: SocketAddr,
    faults: Faults,
    /// Scripted faults: (path prefix, fault), used in order by the first matching requests.
    script: Mutex<VecDeque<(String, Fault)>>,
    counter: AtomicU64,
    counts: Mutex<Counts>,
    stop: AtomicBool,
}

pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream` (e.g. "127.0.0.1:8080" or
    /// "http://127.0.0.1:8080").
    pub fn start(upstream: &str, faults: Faults) -> io::Result<Self> {
        let host = upstream.trim_start_matches("http://").trim_end_matches('/');
        let upstream = std::net::ToSocketAddrs::to_socket_addrs(host)?
            .next()
            .ok_or_else(|| io::Error::other("upstream address resolves to nothing"))?;
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            upstream,
            faults,
            script: Mutex::new(VecDeque::new()),
            counter: AtomicU64::new(0),
            counts: Mutex::new(Counts::default()),
            stop: AtomicBool::new(false),
        });
        let s = shared.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.stop.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(conn) = conn {
                    let s = s.clone();
                    std::thread::spawn(move || {
                        let _ = handle(&s, conn);
                    });
                }
            }
        });
        Ok(Self { addr, shared })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The next requests whose path starts with `path_prefix` get these faults, in order.
    pub fn script(&self, path_prefix: &str, faults: impl IntoIterator<Item = Fault>) {
        let mut q = self.shared.script.lock().expect("script lock");
        q.extend(faults.into_iter().map(|f| (path_prefix.to_owned(), f)));
    }

    pub fn counts(&self) -> Counts {
        self.shared.counts.lock().expect("counts lock").clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// A request as read from the client: head (with `Connection: close` forced) and body.
struct Request {
    path: String,
    bytes: Vec<u8>,
}

fn read_request(conn: &TcpStream) -> io::Result<Request> {
    let mut reader = BufReader::new(conn);
    let mut head = String::new();
    let mut path = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        if path.is_empty() {
            path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
            head.push_str(&line);
            continue;
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("connection:") {
            continue;
        }
        head.push_str(&line);
    }
    head.push_str("connection: close\r\n\r\n");
    let mut bytes = head.into_bytes();
    let start = bytes.len();
    bytes.resize(start + length, 0);
    reader.read_exact(&mut bytes[start..])?;
    Ok(Request { path, bytes })
}

/// Sends the request to the server and reads its whole answer (it closes the connection).
fn forward(upstream: SocketAddr, req: &Request) -> io::Result<Vec<u8>> {
    let mut up = TcpStream::connect(upstream)?;
    up.set_read_timeout(Some(Duration::from_secs(120)))?;
    up.write_all(&req.bytes)?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer)?;
    Ok(answer)
}

fn pick(s: &Shared, path: &str) -> Fault {
    {
        let mut q = s.script.lock().expect("script lock");
        if let Some(i) = q.iter().position(|(p, _)| path.starts_with(p.as_str())) {
            return q.remove(i).map_or(Fault::Pass, |(_, f)| f);
        }
    }
    // Enrollment codes work once: a lost enrollment answer cannot be retried, so random
    // faults leave it alone.
    if path.starts_with("/v1/devices/enroll") {
        return Fault::Pass;
    }
    let f = &s.faults;
    let n = s.counter.fetch_add(1, Ordering::SeqCst);
    let mut x = f.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut unit = || {
        // SplitMix64
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let roll = unit();
    let mut edge = 0.0;
    for (p, fault) in [
        (f.drop_answer, Fault::DropAnswer),
        (f.delay, Fault::Delay(f.max_delay.mul_f64(unit()))),
        (f.duplicate, Fault::Duplicate),
        (f.cut_body, Fault::CutBody),
        (f.unavailable, Fault::Unavailable),
    ] {
        edge += p;
        if roll < edge {
            return fault;
        }
    }
    Fault::Pass
}

fn handle(s: &Shared, mut client: TcpStream) -> io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(60)))?;
    let req = read_request(&client)?;
    let fault = pick(s, &req.path);
    {
        let mut c = s.counts.lock().expect("counts lock");
        c.requests += 1;
        match fault {
            Fault::Pass => {}
            Fault::DropAnswer => c.dropped += 1,
            Fault::Delay(_) => c.delayed += 1,
            Fault::Duplicate => c.duplicated += 1,
            Fault::CutBody => c.cut += 1,
            Fault::Unavailable => c.unavailable += 1,
        }
    }
    let answer = match fault {
        Fault::Unavailable => {
            let body = r#"{"code":"storage_unavailable","message":"injected by the fault proxy; retry later"}"#;
            format!(
                "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        }
        Fault::Duplicate => {
            forward(s.upstream, &req)?;
            forward(s.upstream, &req)?
        }
        _ => forward(s.upstream, &req)?,
    };
    match fault {
        Fault::DropAnswer => {}
        Fault::CutBody => {
            let body_at = answer
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map_or(0, |i| i + 4);
            let cut = body_at + (answer.len() - body_at) / 2;
            client.write_all(&answer[..cut])?;
        }
        Fault::Delay(d) => {
            std::thread::sleep(d);
            client.write_all(&answer)?;
        }
        _ => client.write_all(&answer)?,
    }
    client.flush()?;
    let _ = client.shutdown(Shutdown::Both);
    Ok(())
}
