//! The engine a phone app embeds: enrollment, `record()`, status and local look-ups.
//! `sync()` lives in `sync.rs`.

use crate::boot_clock::Anchor;
use crate::config::{Config, Point};
use crate::error::{Error, Result};
use crate::events::{self, HeldEvent};
use crate::http::{Http, Method, Stats};
use crate::outbox::{Outbox, State, load_state, save_state};
use crate::reference::{self, Kind, Village};
use crate::wire::TokenPair;
use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use langso_domain::event::MAX_NOTE_CHARS;
use langso_domain::time::vn_offset;
use langso_domain::{Count, EventId, KindCode, VillageId};
use rusqlite::Transaction;
use serde::Serialize;
use serde_json::json;
use std::path::Path;

/// A new activity, as the volunteer enters it.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub kind: KindCode,
    pub village: VillageId,
    /// 1..=1000; 0..=1000 in a correction (0 voids the target).
    pub count: i64,
    pub note: Option<String>,
    /// The event this one corrects (supersedes).
    pub corrects: Option<EventId>,
    /// When it happened by the device's clock; default: now by the device's clock.
    pub occurred_at: Option<DateTime<FixedOffset>>,
}

impl NewEvent {
    pub fn new(kind: KindCode, village: VillageId, count: i64) -> Self {
        Self {
            kind,
            village,
            count,
            note: None,
            corrects: None,
            occurred_at: None,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Recorded {
    pub event_id: EventId,
    pub seq: u64,
    pub occurred_at: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Enrollment {
    pub device_id: String,
    pub member_id: String,
    pub team_id: String,
    /// Events of a former enrollment moved to this one to be pushed again: unanswered ones
    /// and stored ones still held (a restored server may have lost them).
    pub carried_over: u64,
}

/// What a volunteer (or an app's status screen) needs to know.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    pub server: Option<String>,
    pub device_id: Option<String>,
    pub member_id: Option<String>,
    pub team_id: Option<String>,
    /// Events waiting to go up.
    pub queued: usize,
    /// Events the server could not judge yet (a correction whose target has not reached it):
    /// pushed again at each sync until settled, or a problem once the retention window is
    /// over. Not counted in `queued`.
    pub waiting: usize,
    /// Events the device still holds (queued, answered, kept for the retention window).
    pub held: usize,
    /// Rejected or conflicting events not dismissed, with the server's reasons.
    pub problems: Vec<HeldEvent>,
    /// Server time of the last sync that completed.
    pub last_sync: Option<String>,
    pub generation: Option<String>,
    pub acked_through_seq: i64,
    pub next_seq: u64,
    pub villages: usize,
    /// The team's totals today and this month, as of the last pull.
    pub team_totals: Option<serde_json::Value>,
}

/// The server's clock as one answer showed it: server minus device clock, and the anchor on
/// the boot clock (none without one).
pub(crate) struct Observed {
    offset_ms: i64,
    anchor: Option<String>,
}

impl Observed {
    pub(crate) fn apply(&self, s: &mut State) {
        s.server_offset_ms = self.offset_ms;
        s.clock_anchor.clone_from(&self.anchor);
    }
}

pub struct Engine {
    pub(crate) outbox: Outbox,
    pub(crate) state: State,
    pub(crate) config: Config,
    pub(crate) http: Http,
}

pub(crate) fn rfc3339(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, false)
}

/// The device clock (deliberately offset in simulations), as a phone in Vietnam writes it.
pub(crate) fn device_clock(offset: chrono::Duration) -> DateTime<FixedOffset> {
    (Utc::now() + offset).with_timezone(&vn_offset())
}

impl Engine {
    /// Opens (creating if needed) the device database at `path`.
    pub fn open(path: &Path, config: Config) -> Result<Self> {
        let outbox = Outbox::open(path, config.durable)?;
        let state = outbox.load_state()?;
        let http = Http::new(&config);
        Ok(Self {
            outbox,
            state,
            config,
            http,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn device_now(&self) -> DateTime<FixedOffset> {
        device_clock(self.config.clock_offset)
    }

    /// The server's clock as best known. Token expiry, retention and each event's
    /// `clock_offset_ms` are judged by it, never by the device clock alone.
    pub(crate) fn server_now(&self) -> DateTime<Utc> {
        self.server_time_at(self.device_now().with_timezone(&Utc))
    }

    /// The server's time when the device clock reads `device`: the last answer's
    /// `server_time` plus the boot clock's advance since, if still in that boot session
    /// (right however the wall clock moved meanwhile); otherwise the device clock corrected
    /// by the offset seen in the last answer.
    fn server_time_at(&self, device: DateTime<Utc>) -> DateTime<Utc> {
        let by_boot_clock = || {
            let anchor = Anchor::parse(self.state.clock_anchor.as_deref()?)?;
            anchor.server_time(&(self.config.monotonic)()?)
        };
        by_boot_clock()
            .unwrap_or_else(|| device + chrono::Duration::milliseconds(self.state.server_offset_ms))
    }

    /// What an answer with the server's time `server` tells the engine, to store with the
    /// answer's other effects (see [`Observed::apply`]).
    pub(crate) fn observe(&self, server: DateTime<Utc>) -> Observed {
        let boot = (self.config.monotonic)();
        let device = self.device_now().with_timezone(&Utc);
        Observed {
            offset_ms: (server - device).num_milliseconds(),
            anchor: boot.map(|boot| {
                Anchor {
                    boot,
                    server_ms: server.timestamp_millis(),
                }
                .to_string()
            }),
        }
    }

    pub(crate) fn interrupt(&self, at: Point) -> Result<()> {
        match &self.config.interrupt {
            Some(f) if f(at) => Err(Error::Interrupted),
            _ => Ok(()),
        }
    }

    /// Runs `f` in one write transaction on the state as stored (another process may have
    /// changed it), saving what `f` changed.
    pub(crate) fn transact<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>, &mut State) -> Result<T>,
    ) -> Result<T> {
        let tx = self.outbox.begin()?;
        let stored = load_state(&tx)?;
        let mut next = stored.clone();
        let out = f(&tx, &mut next)?;
        save_state(&tx, &stored, &next)?;
        tx.commit()?;
        self.state = next;
        Ok(out)
    }

    pub(crate) fn store_tokens(s: &mut State, p: &TokenPair) {
        s.access_token = Some(p.access_token.clone());
        s.access_expires_at = Some(p.access_expires_at.clone());
        s.refresh_token = Some(p.refresh_token.clone());
        s.refresh_expires_at = Some(p.refresh_expires_at.clone());
    }

    /// Enrolls with a one-time code. On a device enrolled before, the events the former
    /// enrollment still holds (unanswered, and stored within the retention window) move to
    /// the new one and go up again (the queue is never dropped).
    pub fn enroll(&mut self, server: &str, code: &str, device_name: &str) -> Result<Enrollment> {
        let server = server.trim().trim_end_matches('/').to_owned();
        let body = json!({"code": code, "device_name": device_name}).to_string();
        let url = format!("{server}/v1/devices/enroll");
        let a = self.http.call(
            Method::Post,
            &url,
            None,
            &|| Some(body.clone()),
            &mut Stats::default(),
        )?;
        if a.status != 200 {
            let (code, message) = a.error();
            return Err(Error::Refused {
                status: a.status,
                code,
                message,
            });
        }
        let p: TokenPair = a.json()?;
        let server_time = p
            .server_time
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
            .or(a.date);
        let observed = server_time.map(|d| self.observe(d));
        let carried = self.transact(|tx, s| {
            let next = events::carry_over(tx, &p.device_id)?;
            s.server = Some(server);
            s.device_id = Some(p.device_id.clone());
            s.member_id = Some(p.member_id.clone());
            s.team_id = Some(p.team_id.clone());
            Self::store_tokens(s, &p);
            s.next_seq = next;
            s.acked_seq = 0;
            s.cursor = None;
            s.team_totals = None;
            if let Some(o) = &observed {
                o.apply(s);
            }
            Ok(next - 1)
        })?;
        Ok(Enrollment {
            device_id: p.device_id,
            member_id: p.member_id,
            team_id: p.team_id,
            carried_over: carried,
        })
    }

    /// Points the device at another address of the same server (e.g. after a move).
    pub fn set_server(&mut self, url: &str) -> Result<()> {
        let url = url.trim().trim_end_matches('/').to_owned();
        self.transact(|_, s| {
            s.server = Some(url);
            Ok(())
        })
    }

    /// Stores an event durably with a new UUIDv7 and the next seq, and returns at once.
    /// Needs no network. Rules that need no server are checked here; the rest (kind,
    /// village, team, correction target) come back from the server as per-event results.
    pub fn record(&mut self, e: NewEvent) -> Result<Recorded> {
        let device = self.state.device_id.clone().ok_or(Error::NotEnrolled)?;
        let is_correction = e.corrects.is_some();
        if Count::new(e.count, is_correction).is_none() {
            let min = i64::from(!is_correction);
            return Err(Error::Invalid(format!(
                "count must be from {min} to 1000, got {}",
                e.count
            )));
        }
        let note = e
            .note
            .map(|n| langso_domain::text::nfc(n.trim()))
            .filter(|n| !n.is_empty());
        if let Some(n) = &note
            && n.chars().count() > MAX_NOTE_CHARS
        {
            return Err(Error::Invalid(format!(
                "a note may be at most {MAX_NOTE_CHARS} characters"
            )));
        }
        let now = self.device_now();
        let clock_offset_ms = (now.with_timezone(&Utc)
            - self.server_time_at(now.with_timezone(&Utc)))
        .num_milliseconds();
        let occurred_at = rfc3339(e.occurred_at.unwrap_or(now));
        let mut held = HeldEvent {
            event_id: EventId(uuid::Uuid::now_v7()),
            device_id: device,
            seq: 0,
            kind: e.kind.as_str().to_owned(),
            village_id: e.village.as_str().to_owned(),
            count: e.count,
            occurred_at: occurred_at.clone(),
            note,
            corrects: e.corrects,
            recorded_at: rfc3339(now),
            // The clock's offset now, by the boot clock if it can: the server places the
            // event by it even if the clock changes before the push (sync protocol §3, Clocks).
            clock_offset_ms: Some(clock_offset_ms),
            state: events::EventState::Pending,
            code: None,
            message: None,
            clock_corrected: false,
            acked: false,
            dismissed: false,
        };
        let seq = self.transact(|tx, s| {
            held.seq = s.next_seq;
            events::insert(tx, &held)?;
            s.next_seq += 1;
            Ok(held.seq)
        })?;
        Ok(Recorded {
            event_id: held.event_id,
            seq,
            occurred_at,
        })
    }

    /// Hides a rejected or conflicting event from the problem list; it is pruned like any
    /// acknowledged event. Returns false if there is no such problem.
    pub fn dismiss(&mut self, id: &EventId) -> Result<bool> {
        self.transact(|tx, _| events::dismiss(tx, id))
    }

    pub fn status(&self) -> Result<Status> {
        let conn = &self.outbox.conn;
        let s = &self.state;
        let (queued, waiting, held) =
            events::counts(conn, s.device_id.as_deref().unwrap_or_default())?;
        Ok(Status {
            server: s.server.clone(),
            device_id: s.device_id.clone(),
            member_id: s.member_id.clone(),
            team_id: s.team_id.clone(),
            queued,
            waiting,
            held,
            problems: events::problems(conn)?,
            last_sync: s.last_sync.clone(),
            generation: s.generation.clone(),
            acked_through_seq: s.acked_seq,
            next_seq: s.next_seq,
            villages: reference::villages(conn, "")?.len(),
            team_totals: s
                .team_totals
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok()),
        })
    }

    /// Every event the device holds, oldest first.
    pub fn events(&self) -> Result<Vec<HeldEvent>> {
        events::all(&self.outbox.conn)
    }

    pub fn event(&self, id: &EventId) -> Result<Option<HeldEvent>> {
        events::one(&self.outbox.conn, id)
    }

    /// The team's villages matching `query`, diacritics ignored.
    pub fn villages(&self, query: &str) -> Result<Vec<Village>> {
        reference::villages(&self.outbox.conn, query)
    }

    pub fn kinds(&self) -> Result<Vec<Kind>> {
        reference::kinds(&self.outbox.conn)
    }

    /// Village ids of the device's team, as last pulled.
    pub fn team_villages(&self) -> Result<Vec<String>> {
        reference::team_villages(&self.outbox.conn)
    }
}
