//! Request bodies that trickle in are cut: a body must keep an average of at least
//! [`BodyRate::min_bytes_per_sec`] once [`BodyRate::grace`] has passed since its request
//! arrived. Bytes already waiting are always accepted, so a busy server never blames the
//! client for its own slowness: the clock is only checked while the handler waits for bytes.

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::rt::time::{Instant, Sleep, sleep_until};
use actix_web::web::Bytes;
use futures_core::Stream;
use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

/// The slowest body Langso waits for.
///
/// With the defaults (10 s grace, 1 KiB/s) a body of `n` bytes may take at most
/// max(10 s, n / 1 KiB/s): a 1 MiB push has 1,024 s, so a phone on 2G (about 8 KB/s, 128 s
/// for 1 MiB) passes with room to spare, while a client sending a byte every few seconds
/// is cut 10 s after its request head arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyRate {
    /// How long a body may take before the rate is enforced.
    pub grace: Duration,
    /// The average rate, in bytes per second since the request arrived, a body must keep
    /// after the grace.
    pub min_bytes_per_sec: u64,
}

impl Default for BodyRate {
    fn default() -> Self {
        Self {
            grace: Duration::from_secs(10),
            min_bytes_per_sec: 1024,
        }
    }
}

impl BodyRate {
    /// When a body that has delivered `received` bytes since `start` is too slow.
    fn deadline(&self, start: Instant, received: u64) -> Instant {
        let rate = self.min_bytes_per_sec.max(1);
        let earned = Duration::from_millis(received.saturating_mul(1000) / rate);
        start + self.grace.max(earned)
    }
}

/// The payload of one request, cut with an I/O `TimedOut` error when it falls below the
/// rate; `cut` is set then, so the answer can become 408 whatever the handler made of it.
pub struct SlowBody {
    inner: Payload,
    rate: BodyRate,
    start: Instant,
    received: u64,
    timer: Pin<Box<Sleep>>,
    cut: Rc<Cell<bool>>,
}

impl SlowBody {
    pub fn new(inner: Payload, rate: BodyRate, cut: Rc<Cell<bool>>) -> Self {
        let start = Instant::now();
        let deadline = rate.deadline(start, 0);
        Self {
            inner,
            rate,
            start,
            received: 0,
            timer: Box::pin(sleep_until(deadline)),
            cut,
        }
    }
}

impl Stream for SlowBody {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.cut.get() {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(bytes))) => {
                this.received += bytes.len() as u64;
                Poll::Ready(Some(Ok(bytes)))
            }
            Poll::Pending => {
                let deadline = this.rate.deadline(this.start, this.received);
                if this.timer.deadline() != deadline {
                    this.timer.as_mut().reset(deadline);
                }
                if this.timer.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.cut.set(true);
                Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the request body arrived too slowly",
                )))))
            }
            done => done,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_earns_time_by_the_bytes_it_delivers() {
        let rate = BodyRate::default();
        let start = Instant::now();
        let at = |n| rate.deadline(start, n) - start;
        assert_eq!(at(0), Duration::from_secs(10));
        assert_eq!(at(5 * 1024), Duration::from_secs(10));
        assert_eq!(at(20 * 1024), Duration::from_secs(20));
        // 1 MiB may take 1,024 s; at 2G speed (8 KB/s) it takes 128 s.
        assert_eq!(at(1024 * 1024), Duration::from_secs(1024));
    }
}
