//! What each simulated device does, decided up front from the seed: its clock, whether it
//! syncs through the fault proxy or is killed mid-sync, and the week of events it records.

use chrono::{DateTime, Duration, Utc};
use langso_client::Point;
use langso_domain::{KindCode, MemberId, TeamId, VillageId};

/// SplitMix64: small, seedable, and stable across crate upgrades.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut r = Self(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Rates and sizes of the simulation.
#[derive(Clone, Debug)]
pub struct Mix {
    pub max_events: usize,
    pub days: i64,
    pub skew_rate: f64,
    pub fault_devices: f64,
    pub kill_rate: f64,
    pub invalid_rate: f64,
    pub correct_rate: f64,
    /// Share of devices whose clock changes between recording and the evening sync.
    pub clock_change_rate: f64,
}

/// One planned event. Times are true times; the device writes them by its own clock.
#[derive(Clone, Debug)]
pub struct Planned {
    pub kind: KindCode,
    pub village: VillageId,
    pub count: i64,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
    /// Index of the earlier event this one corrects.
    pub corrects: Option<usize>,
    /// The rejection code the server must answer, for deliberately invalid events.
    pub invalid: Option<&'static str>,
}

#[derive(Clone, Debug)]
pub struct DevicePlan {
    pub index: usize,
    pub member: MemberId,
    pub team: TeamId,
    /// How wrong the device's clock is while it records (and syncs earlier in the week).
    pub skew: Duration,
    /// How wrong it is once it changed, when it does: a wrong clock fixed by the network,
    /// or a right one broken; before the evening push, or between the last answer and the
    /// late records (see [`DevicePlan::late_skew`], [`DevicePlan::push_skew`]).
    pub evening_skew: Option<Duration>,
    /// Syncs its evening burst through the fault proxy.
    pub faulty: bool,
    /// Killed at the n-th time the sync reaches this point, then reopened and resumed.
    pub kill: Option<(Point, usize)>,
    /// Events recorded and synced earlier in the week; the rest wait for the evening.
    pub early: usize,
    pub events: Vec<Planned>,
}

impl DevicePlan {
    /// Whether the clock changes right after the last answer the device saw (the mid-week
    /// sync, or its enrollment) and back before the evening push: half of the devices whose
    /// clock changes (odd indexes). The events recorded meanwhile need a record-time offset
    /// from the engine's boot clock: the last answer's offset is stale, and the push's too.
    /// The others' clock changes after recording, before the evening push.
    fn changes_before_recording(&self) -> bool {
        self.evening_skew.is_some() && self.index % 2 == 1
    }

    /// How wrong the clock is while the events after the mid-week sync are recorded.
    pub fn late_skew(&self) -> Duration {
        match self.evening_skew {
            Some(changed) if self.changes_before_recording() => changed,
            _ => self.skew,
        }
    }

    /// How wrong the clock is at the evening sync.
    pub fn push_skew(&self) -> Duration {
        match self.evening_skew {
            Some(changed) if !self.changes_before_recording() => changed,
            _ => self.skew,
        }
    }
}

const NOTES: [&str; 4] = [
    "Hỗ trợ tại nhà văn hoá thôn",
    "Bà con lớn tuổi, hướng dẫn lại lần hai",
    "Tại chợ phiên",
    "Hộ kinh doanh mới mở",
];

fn skew(rng: &mut Rng) -> Duration {
    let magnitude = if rng.chance(0.5) {
        Duration::minutes(60 + rng.below(47 * 60) as i64)
    } else {
        Duration::hours(24 * (2 + rng.below(4) as i64)) + Duration::minutes(rng.below(600) as i64)
    };
    if rng.chance(0.5) {
        magnitude
    } else {
        -magnitude
    }
}

#[allow(clippy::too_many_arguments)]
pub fn device(
    index: usize,
    seed: u64,
    member: MemberId,
    team: TeamId,
    villages: &[VillageId],
    foreign_village: &VillageId,
    kinds: &[KindCode],
    mix: &Mix,
    now: DateTime<Utc>,
) -> DevicePlan {
    let mut rng = Rng::new(seed, index as u64 + 1);
    let skew = if rng.chance(mix.skew_rate) {
        skew(&mut rng)
    } else {
        Duration::zero()
    };
    let faulty = rng.chance(mix.fault_devices);
    let kill = rng.chance(mix.kill_rate).then(|| {
        let at = if rng.chance(0.7) {
            Point::AnswerReceived
        } else {
            Point::BeforeRequest
        };
        (at, 1 + rng.below(2))
    });
    let n = rng.below(mix.max_events + 1);
    let window = mix.days * 24 * 60;
    let mut times: Vec<DateTime<Utc>> = (0..n)
        .map(|_| now - Duration::minutes(1 + rng.below(window as usize) as i64))
        .collect();
    times.sort();
    // A volunteer works in a few of the team's villages.
    let mine: Vec<&VillageId> = (0..villages.len().min(3))
        .map(|_| &villages[rng.below(villages.len())])
        .collect();
    let mut events: Vec<Planned> = Vec::with_capacity(n);
    let mut superseded = vec![false; n];
    for at in times {
        if rng.chance(mix.invalid_rate) {
            let mut e = Planned {
                kind: kinds[rng.below(kinds.len())].clone(),
                village: mine[rng.below(mine.len())].clone(),
                count: 1,
                note: None,
                at,
                corrects: None,
                invalid: None,
            };
            match rng.below(3) {
                0 => {
                    e.village = foreign_village.clone();
                    e.invalid = Some("village_not_in_team");
                }
                1 => {
                    e.kind = KindCode::parse("retired_campaign").expect("a valid code shape");
                    e.invalid = Some("unknown_kind");
                }
                _ => {
                    e.at = now - Duration::days(500);
                    e.invalid = Some("time_too_old");
                }
            }
            events.push(e);
            continue;
        }
        let open: Vec<usize> = (0..events.len())
            .filter(|&i| events[i].invalid.is_none() && !superseded[i])
            .collect();
        if !open.is_empty() && rng.chance(mix.correct_rate) {
            let target = open[rng.below(open.len())];
            superseded[target] = true;
            let t = &events[target];
            let count = if rng.chance(0.3) {
                0
            } else {
                1 + rng.below(5) as i64
            };
            events.push(Planned {
                kind: t.kind.clone(),
                village: t.village.clone(),
                count,
                note: Some("sửa số liệu".into()),
                at: at.max(t.at),
                corrects: Some(target),
                invalid: None,
            });
            continue;
        }
        events.push(Planned {
            kind: kinds[rng.below(kinds.len())].clone(),
            village: mine[rng.below(mine.len())].clone(),
            count: 1 + rng.below(4) as i64,
            note: rng
                .chance(0.1)
                .then(|| NOTES[rng.below(NOTES.len())].to_owned()),
            at,
            corrects: None,
            invalid: None,
        });
    }
    let early = if events.is_empty() {
        0
    } else {
        rng.below(events.len())
    };
    // Drawn last, so the rest of the plan is what the same seed gave before.
    let evening_skew = rng.chance(mix.clock_change_rate).then(|| {
        if skew.is_zero() {
            Duration::hours(if rng.chance(0.5) { 5 } else { -5 })
        } else {
            Duration::zero()
        }
    });
    DevicePlan {
        index,
        member,
        team,
        skew,
        evening_skew,
        faulty,
        kill,
        early,
        events,
    }
}
