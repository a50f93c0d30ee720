//! What leaders manage through the API: the devices of a team.

use crate::{Result, Store};
use langso_domain::{DeviceId, TeamId};
use rusqlite::OptionalExtension;

mod devices;
pub use devices::DAY_MS;

/// One enrolled device of a team, as a leader sees it.
#[derive(Clone, Debug)]
pub struct TeamDevice {
    pub device_id: DeviceId,
    pub member_id: String,
    /// The name the phone gave at enrollment, phone numbers in it masked
    /// (`langso_domain::text::mask_phone_numbers`); the stored name is unchanged.
    pub name: String,
    pub enrolled_ms: i64,
    pub revoked_ms: Option<i64>,
    /// When the server received the device's highest-seq stored event (None: none yet).
    pub last_push_ms: Option<i64>,
    /// The device's last sync: the later of its last push and its last token refresh (a
    /// phone refreshes every 15 minutes while it syncs, pushing or not); None: neither yet.
    pub last_sync_ms: Option<i64>,
}

/// What makes a database real rather than a simulator's playground: devices (and their
/// stored events) other than those `langso simulate` enrolled, and leader accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RealActivity {
    pub devices: i64,
    pub events: i64,
    /// Leader accounts: `langso simulate` never makes one.
    pub users: i64,
}

impl RealActivity {
    /// Whether anything real is there.
    pub fn any(&self) -> bool {
        self.devices > 0 || self.users > 0
    }
}

/// Device names `langso simulate` gives its phones are this followed by the phone's number
/// (`simulated phone 17`), exactly so.
pub const SIMULATED_DEVICE_PREFIX: &str = "simulated phone ";

/// Device names `langso demo` gives its members' phones: this and the member's row id
/// (`demo phone 17`). Like simulated phones, they are not real activity.
pub const DEMO_DEVICE_PREFIX: &str = "demo phone ";

impl Store {
    /// What the database holds besides the simulator's and the demo's own devices: refusing
    /// to simulate against real data rests on this. A simulated (demo) device is one named
    /// exactly [`SIMULATED_DEVICE_PREFIX`] ([`DEMO_DEVICE_PREFIX`]) and digits (GLOB,
    /// case-sensitive: "Simulated Phone of Lan" is a real phone).
    pub fn real_activity(&self) -> Result<RealActivity> {
        self.read(|c| {
            // Simulated: the prefix, then one or more digits and nothing else.
            Ok(c.query_row(
                "SELECT count(*), coalesce(sum((SELECT count(*) FROM events e WHERE e.device_id = d.id)), 0),
                        (SELECT count(*) FROM users)
                 FROM devices d
                 WHERE NOT (d.name GLOB ?1 || '[0-9]*' AND d.name NOT GLOB ?1 || '*[^0-9]*')
                   AND NOT (d.name GLOB ?2 || '[0-9]*' AND d.name NOT GLOB ?2 || '*[^0-9]*')",
                [SIMULATED_DEVICE_PREFIX, DEMO_DEVICE_PREFIX],
                |r| {
                    Ok(RealActivity {
                        devices: r.get(0)?,
                        events: r.get(1)?,
                        users: r.get(2)?,
                    })
                },
            )?)
        })
    }

    /// The devices enrolled in `team`, oldest first ([`StoreError::NotFound`] for an unknown
    /// team). With
    /// `stale_days`, only the devices not revoked that have not synced for that many days
    /// (24-hour days before now; one that never synced counts from its enrollment).
    pub fn team_devices(&self, team: &TeamId, stale_days: Option<u32>) -> Result<Vec<TeamDevice>> {
        let all = self.read(|c| {
            crate::reference::team_rowid(c, team)?;
            // The last push reads one row through the (device_id, seq) unique index.
            let mut stmt = c.prepare_cached(
                "SELECT d.device_id, m.member_id, d.name, d.enrolled_ms, d.revoked_ms,
                        (SELECT e.received_ms FROM events e WHERE e.device_id = d.id
                         ORDER BY e.seq DESC LIMIT 1),
                        (SELECT max(coalesce(r.rotated_ms, r.issued_ms)) FROM refresh_tokens r
                         WHERE r.device_id = d.id)
                 FROM devices d JOIN members m ON m.id = d.member_id
                 JOIN teams t ON t.id = d.team_id
                 WHERE t.team_id = ?1 ORDER BY d.enrolled_ms, d.id",
            )?;
            let rows = stmt.query_map([team.as_str()], |r| {
                let id: Vec<u8> = r.get(0)?;
                let (push, refresh): (Option<i64>, Option<i64>) = (r.get(5)?, r.get(6)?);
                Ok(TeamDevice {
                    device_id: DeviceId::from_slice(&id).expect("stored device ids are UUIDs"),
                    member_id: r.get(1)?,
                    name: crate::people::shown_name(r.get(2)?),
                    enrolled_ms: r.get(3)?,
                    revoked_ms: r.get(4)?,
                    last_push_ms: push,
                    last_sync_ms: push.max(refresh),
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })?;
        Ok(match stale_days {
            None => all,
            Some(days) => devices::stale(all, days, crate::now_ms()),
        })
    }

    /// The team a device is enrolled in (None: no such device).
    pub fn device_team(&self, device: &DeviceId) -> Result<Option<TeamId>> {
        self.read(|c| {
            let team: Option<String> = c
                .prepare_cached(
                    "SELECT t.team_id FROM devices d JOIN teams t ON t.id = d.team_id
                     WHERE d.device_id = ?1",
                )?
                .query_row([device.as_bytes().as_slice()], |r| r.get(0))
                .optional()?;
            Ok(team.map(|t| TeamId::parse(&t).expect("stored team ids are valid")))
        })
    }

    /// When a device was revoked (None: not revoked, or no such device).
    pub fn device_revoked_ms(&self, device: &DeviceId) -> Result<Option<i64>> {
        self.read(|c| {
            Ok(
                c.prepare_cached("SELECT revoked_ms FROM devices WHERE device_id = ?1")?
                    .query_row([device.as_bytes().as_slice()], |r| r.get(0))
                    .optional()?
                    .flatten(),
            )
        })
    }
}
