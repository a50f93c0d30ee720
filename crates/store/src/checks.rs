//! Whole-database views that the simulator and the benchmarks check their runs against
//! (`langso simulate`, `langso bench reports`). Each reads one snapshot on a read
//! connection; none is on a request's path.

use crate::{Result, Store};
use langso_domain::{DeviceId, EventId, MemberId, TeamId, VillageId};
use std::collections::{HashMap, HashSet};

/// How many rows the main tables hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowCounts {
    /// Every stored event: corrections and superseded versions included.
    pub events: i64,
    pub teams: i64,
    /// Every member row: merged, unassigned and off-roster members included.
    pub members: i64,
}

/// A village's tallies of one kind, summed over every day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VillageKindTotal {
    pub village_id: VillageId,
    /// The kind's catalogue code (`vneid_activation`, …).
    pub kind: String,
    pub total: i64,
}

impl Store {
    /// Every member (merged, unassigned and off-roster ones included) with its team, in the
    /// order the members were added.
    pub fn member_teams(&self) -> Result<Vec<(MemberId, TeamId)>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT m.member_id, t.team_id FROM members m JOIN teams t ON t.id = m.team_id
                 ORDER BY m.id",
            )?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (m, t) = row?;
                out.push((
                    MemberId::parse(&m).expect("stored member ids are valid"),
                    TeamId::parse(&t).expect("stored team ids are valid"),
                ));
            }
            Ok(out)
        })
    }

    /// The tallies summed over all days, one row per village and kind that has any: the
    /// totals a run's events must add up to (`langso simulate` compares them before and
    /// after the run with what its phones hold).
    pub fn village_kind_totals(&self) -> Result<Vec<VillageKindTotal>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT v.village_id, k.code, sum(t.total) FROM tallies t
                 JOIN villages v ON v.id = t.village_id JOIN kinds k ON k.id = t.kind_id
                 GROUP BY 1, 2",
            )?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (village, kind, total) = row?;
                out.push(VillageKindTotal {
                    village_id: VillageId::parse(&village).expect("stored village ids are valid"),
                    kind,
                    total,
                });
            }
            Ok(out)
        })
    }

    /// The ids of the events stored from each of `devices` (corrections and superseded
    /// versions included); a device with none is absent from the map.
    pub fn device_event_ids(
        &self,
        devices: &HashSet<DeviceId>,
    ) -> Result<HashMap<DeviceId, Vec<EventId>>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT d.device_id, e.event_id FROM events e JOIN devices d ON d.id = e.device_id",
            )?;
            let mut rows = stmt.query([])?;
            let mut out: HashMap<DeviceId, Vec<EventId>> = HashMap::new();
            while let Some(r) = rows.next()? {
                let d: Vec<u8> = r.get(0)?;
                let e: Vec<u8> = r.get(1)?;
                let (Some(d), Some(e)) = (DeviceId::from_slice(&d), EventId::from_slice(&e)) else {
                    continue;
                };
                if devices.contains(&d) {
                    out.entry(d).or_default().push(e);
                }
            }
            Ok(out)
        })
    }

    /// How many events, teams and members the database holds.
    pub fn row_counts(&self) -> Result<RowCounts> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM teams),
                        (SELECT count(*) FROM members)",
                [],
                |r| {
                    Ok(RowCounts {
                        events: r.get(0)?,
                        teams: r.get(1)?,
                        members: r.get(2)?,
                    })
                },
            )?)
        })
    }
}
