//! A demo database and phones that push events with chosen times.
#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use langso_domain::audit::Actor;
use langso_domain::event::{PushClock, RawEvent};
use langso_domain::time::vn_offset;
use langso_domain::{BatchId, DeviceId, EventId, MemberId, TeamId, demo, kinds, units};
use langso_store::{EventStatus, PushRequest, Store, TeamInfo};
use std::collections::HashMap;

pub mod reports;

/// One commune team (T00001, commune 06649) covering three villages (V000001..3), with
/// `devices` enrolled phones: the smallest world where tallies and groups can be checked.
pub fn one_team_store(devices: usize) -> (tempfile::TempDir, Store, Vec<DeviceId>) {
    use langso_domain::VillageId;
    use langso_domain::demo::{Demo, DemoMember, DemoTeam, DemoVillage};
    use langso_domain::units::Level;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db")).unwrap();
    let tree = units::parse_hierarchy(include_str!(
        "../../../../data/quang-ninh/quang-ninh-admin-units.json"
    ))
    .unwrap();
    let village = |i: usize| DemoVillage {
        id: VillageId::from_index(i),
        name: format!("Thôn {i}"),
        commune_code: "06649".into(),
        population: 900,
        households: 250,
    };
    let demo = Demo {
        villages: (1..=3).map(village).collect(),
        teams: vec![DemoTeam {
            id: TeamId::from_index(1),
            name: "Tổ 1".into(),
            level: Level::Commune,
            commune_code: "06649".into(),
            villages: (1..=3).map(VillageId::from_index).collect(),
        }],
        members: vec![DemoMember {
            id: MemberId::from_index(1),
            team: TeamId::from_index(1),
            name: "Nguyễn Văn A".into(),
            role: "leader".into(),
        }],
    };
    store.import_units(&Actor::operator(), tree, true).unwrap();
    store.seed_demo(demo, kinds::default_catalogue()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let devices = (0..devices)
        .map(|_| {
            let code = store
                .create_invite(&Actor::operator(), &TeamId::from_index(1), None)
                .unwrap();
            rt.block_on(store.enroll(&code, "phone")).unwrap().device_id
        })
        .collect();
    (dir, store, devices)
}

pub fn demo_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("r.db")).unwrap();
    let tree = units::parse_hierarchy(include_str!(
        "../../../../data/quang-ninh/quang-ninh-admin-units.json"
    ))
    .unwrap();
    let data = demo::generate(&tree, demo::DEFAULT_SEED);
    let communes: Vec<&units::Unit> = tree.communes().collect();
    let (teams, members) = demo::commune_teams(&communes, &data, demo::DEFAULT_SEED);
    store
        .import_units(&Actor::operator(), tree.clone(), true)
        .unwrap();
    store.seed_demo(data, kinds::default_catalogue()).unwrap();
    // As `langso demo --map quang-ninh-2024-09 --events 0`: commune teams too.
    store.seed_commune_teams(teams, members, 0).unwrap();
    (dir, store)
}

/// Public ids of a team's members, in id order.
pub fn members_of(store: &Store, team: &str) -> Vec<String> {
    store
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT m.member_id FROM members m JOIN teams t ON t.id = m.team_id
                 WHERE t.team_id = ?1 ORDER BY m.id",
            )?;
            let rows = stmt.query_map([team], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .unwrap()
}

/// Phones of a demo database: each pushes with the next seq and a chosen receive time.
pub struct Phones {
    pub store: Store,
    seqs: HashMap<DeviceId, u64>,
    rt: tokio::runtime::Runtime,
}

#[derive(Clone, Debug)]
pub struct Ev {
    pub kind: &'static str,
    pub village: String,
    pub count: i64,
    pub at: DateTime<Utc>,
    pub corrects: Option<EventId>,
}

pub fn ev(kind: &'static str, village: &str, count: i64, at: DateTime<Utc>) -> Ev {
    Ev {
        kind,
        village: village.to_owned(),
        count,
        at,
        corrects: None,
    }
}

impl Phones {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            seqs: HashMap::new(),
            rt: tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap(),
        }
    }

    /// Enrolls a phone for `team`, bound to an existing member when given.
    pub fn enroll(&mut self, team: &str, member: Option<&str>) -> DeviceId {
        let member = member.map(|m| MemberId::parse(m).unwrap());
        let code = self
            .store
            .create_invite(
                &Actor::operator(),
                &TeamId::parse(team).unwrap(),
                member.as_ref(),
            )
            .unwrap();
        let id = self
            .rt
            .block_on(self.store.enroll(&code, "phone"))
            .unwrap()
            .device_id;
        self.seqs.insert(id, 1);
        id
    }

    /// Pushes one batch received at `received`; every event must be accepted.
    pub fn push(
        &mut self,
        device: DeviceId,
        events: &[Ev],
        received: DateTime<Utc>,
    ) -> Vec<EventId> {
        let seq = self.seqs.get_mut(&device).expect("an enrolled phone");
        let raw: Vec<RawEvent> = events
            .iter()
            .map(|e| {
                *seq += 1;
                RawEvent {
                    event_id: EventId(uuid::Uuid::now_v7()),
                    seq: *seq - 1,
                    kind: e.kind.into(),
                    village_id: e.village.clone(),
                    count: e.count,
                    occurred_at: e.at.with_timezone(&vn_offset()).to_rfc3339(),
                    note: None,
                    corrects: e.corrects,
                    clock_offset_ms: None,
                }
            })
            .collect();
        let ids = raw.iter().map(|r| r.event_id).collect();
        let out = self
            .store
            .push_blocking(PushRequest {
                device,
                token_iat_ms: received.timestamp_millis(),
                batch_id: BatchId(uuid::Uuid::now_v7()),
                clock: PushClock {
                    received_at: received,
                    offset: Duration::zero(),
                },
                events: raw,
                malformed: Vec::new(),
            })
            .unwrap();
        for r in &out.results {
            assert_eq!(r.status, EventStatus::Accepted, "{r:?}");
        }
        ids
    }
}

/// Teams of the demo in one district, in id order.
pub fn teams_in_district(store: &Store, district: &str) -> Vec<TeamInfo> {
    store
        .teams()
        .unwrap()
        .into_iter()
        .filter(|t| t.district_code.as_deref() == Some(district))
        .collect()
}
