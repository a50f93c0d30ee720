//! People, not phones (issue 8): a team's members with their devices, moving a device to
//! another member, and merging an unassigned member into a roster member.
//!
//! Who recorded an event is `coalesce(events.member_id, devices.member_id)` (migration 011):
//! NULL while the device has stayed with one member, so the push path never writes it. A
//! move first writes the old member into the device's events that have none, so they stay
//! with the member who recorded them; a move that corrects a wrong binding
//! ([`PastEvents::Follow`]) re-keys them instead. The member aggregates (`member_days`,
//! `member_months`, `member_month_totals`) change in the same transaction, so they stay
//! equal to their recompute (`langso verify`). Team aggregates never change: a device moves
//! only within its team.

mod rekey;

use crate::{Result, Store, StoreError, audit};
use langso_domain::audit::Actor;
use langso_domain::{DeviceId, MemberId, TeamId};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::json;
use std::collections::HashMap;

/// A device as the member list shows it.
#[derive(Clone, Debug)]
pub struct MemberDevice {
    pub device_id: DeviceId,
    /// The name the phone gave at enrollment (never a member's name), as leaders are
    /// shown it: phone numbers in it masked (`langso_domain::text::mask_phone_numbers`).
    pub name: String,
    pub enrolled_ms: i64,
    pub revoked_ms: Option<i64>,
    /// When the server received the device's highest-seq stored event (None: none yet).
    pub last_push_ms: Option<i64>,
}

/// A member of a team (merged members are not listed), with the devices it holds now.
#[derive(Clone, Debug)]
pub struct MemberInfo {
    pub member_id: MemberId,
    pub team_id: TeamId,
    pub name: String,
    /// `leader`, `member`, or another roster role.
    pub role: String,
    /// A placeholder made by an enrolment code bound to no member: merge it into a roster
    /// member ([`Store::merge_member`]).
    pub unassigned: bool,
    /// The province's code for the member (migration 010): the roster's `member_code`, or
    /// the member id for a member no roster named.
    pub code: String,
    /// On the team's current roster; false once a roster left the member out.
    pub active: bool,
    /// Oldest enrollment first.
    pub devices: Vec<MemberDevice>,
    /// The latest `last_push_ms` of its devices.
    pub last_push_ms: Option<i64>,
}

/// What a device move means for the events the device stored before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PastEvents {
    /// They stay with the member who recorded them (a phone handed on): the default.
    Stay,
    /// They follow the device to the new member: the device was bound to the wrong member.
    /// Only the events stored since the device's last move follow.
    Follow,
}

impl PastEvents {
    /// `stay` or `follow`, as the audit log names them.
    pub fn as_str(self) -> &'static str {
        match self {
            PastEvents::Stay => "stay",
            PastEvents::Follow => "follow",
        }
    }
}

/// A member's public id (roster code or generated), by row id.
fn member_code(c: &Connection, row: i64) -> Result<String> {
    Ok(
        c.query_row("SELECT member_id FROM members WHERE id = ?1", [row], |r| {
            r.get(0)
        })?,
    )
}

/// The result of a move or a merge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moved {
    /// The member the device (or the merged member's devices) now belongs to.
    pub member_id: MemberId,
    /// Devices that changed member (0: the device was already the member's).
    pub devices: i64,
    /// Stored events now counted for `member_id` that were counted for another member.
    pub events: i64,
}

/// members.id, then what [`MemberInfo`] shows of the row.
type Row = (i64, MemberInfo);

fn member_rows(c: &Connection, team: Option<&TeamId>) -> Result<Vec<Row>> {
    let mut stmt = c.prepare_cached(
        "SELECT m.id, m.member_id, t.team_id, m.name, m.role, m.unassigned, m.code, m.active
         FROM members m JOIN teams t ON t.id = m.team_id
         WHERE m.merged_into IS NULL AND (?1 IS NULL OR t.team_id = ?1)
         ORDER BY t.team_id, m.member_id",
    )?;
    let rows = stmt.query_map([team.map(TeamId::as_str)], |r| {
        let (m, t): (String, String) = (r.get(1)?, r.get(2)?);
        let info = MemberInfo {
            member_id: MemberId::parse(&m).expect("stored member ids are valid"),
            team_id: TeamId::parse(&t).expect("stored team ids are valid"),
            name: r.get(3)?,
            role: r.get(4)?,
            unassigned: r.get(5)?,
            code: r.get(6)?,
            active: r.get(7)?,
            devices: Vec::new(),
            last_push_ms: None,
        };
        Ok((r.get(0)?, info))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A stored device name as listings show it: phone numbers masked.
pub(crate) fn shown_name(stored: String) -> String {
    match langso_domain::text::mask_phone_numbers(&stored) {
        std::borrow::Cow::Borrowed(_) => stored,
        std::borrow::Cow::Owned(masked) => masked,
    }
}

/// Every device of the members listed, by members.id.
fn devices_by_member(
    c: &Connection,
    team: Option<&TeamId>,
) -> Result<HashMap<i64, Vec<MemberDevice>>> {
    // The last push reads one row through the (device_id, seq) unique index.
    let mut stmt = c.prepare_cached(
        "SELECT d.member_id, d.device_id, d.name, d.enrolled_ms, d.revoked_ms,
                (SELECT e.received_ms FROM events e WHERE e.device_id = d.id
                 ORDER BY e.seq DESC LIMIT 1)
         FROM devices d JOIN members m ON m.id = d.member_id JOIN teams t ON t.id = m.team_id
         WHERE (?1 IS NULL OR t.team_id = ?1) AND d.past_of IS NULL
         ORDER BY d.enrolled_ms, d.id",
    )?;
    let mut out: HashMap<i64, Vec<MemberDevice>> = HashMap::new();
    let mut rows = stmt.query([team.map(TeamId::as_str)])?;
    while let Some(r) = rows.next()? {
        let id: Vec<u8> = r.get(1)?;
        out.entry(r.get(0)?).or_default().push(MemberDevice {
            device_id: DeviceId::from_slice(&id).expect("stored device ids are UUIDs"),
            name: shown_name(r.get(2)?),
            enrolled_ms: r.get(3)?,
            revoked_ms: r.get(4)?,
            last_push_ms: r.get(5)?,
        });
    }
    Ok(out)
}

/// A member of `team` by public id: (members.id, unassigned, merged_into). `NotFound` if the
/// team holds no such member.
fn member_in(tx: &Transaction<'_>, team: i64, m: &MemberId) -> Result<(i64, bool, Option<i64>)> {
    tx.query_row(
        "SELECT id, unassigned, merged_into FROM members WHERE member_id = ?1 AND team_id = ?2",
        params![m.as_str(), team],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("no member '{m}' in the team")))
}

fn public_member(tx: &Transaction<'_>, id: i64) -> Result<String> {
    Ok(
        tx.query_row("SELECT member_id FROM members WHERE id = ?1", [id], |r| {
            r.get(0)
        })?,
    )
}

fn refuse_merged(tx: &Transaction<'_>, m: &MemberId, merged_into: Option<i64>) -> Result<()> {
    match merged_into {
        None => Ok(()),
        Some(into) => Err(StoreError::Conflict(
            "member_merged",
            format!(
                "member '{m}' was merged into '{}'; use that member",
                public_member(tx, into)?
            ),
        )),
    }
}

impl Store {
    /// The member a roster code or a member id names (M000042). None: neither;
    /// `Invalid` when it is one member's id and another's roster code (never guessed).
    pub fn find_member(&self, code_or_id: &str) -> Result<Option<MemberId>> {
        let key = code_or_id.trim().to_owned();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT DISTINCT member_id FROM members WHERE code = ?1 OR member_id = ?1",
            )?;
            let found: Vec<String> = stmt
                .query_map([&key], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            match found.as_slice() {
                [] => Ok(None),
                [one] => Ok(Some(
                    MemberId::parse(one).expect("stored member ids are valid"),
                )),
                _ => Err(StoreError::Invalid(format!(
                    "'{key}' is one member's id and another member's roster code ({}); \
                     `langso members` lists both: give the other one's code",
                    found.join(", ")
                ))),
            }
        })
    }

    /// The team of member `member` (None: no such member).
    pub fn member_team(&self, member: &MemberId) -> Result<Option<TeamId>> {
        self.read(|c| {
            let team: Option<String> = c
                .query_row(
                    "SELECT t.team_id FROM members m JOIN teams t ON t.id = m.team_id
                     WHERE m.member_id = ?1",
                    [member.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(team.map(|t| TeamId::parse(&t).expect("stored team ids are valid")))
        })
    }

    /// The members of `team` (every team's if None) with their devices, by team and member
    /// id. None: no such team.
    pub fn members(&self, team: Option<&TeamId>) -> Result<Option<Vec<MemberInfo>>> {
        self.read(|c| {
            if let Some(t) = team {
                match crate::reference::team_rowid(c, t) {
                    Err(StoreError::NotFound(_)) => return Ok(None),
                    other => other?,
                };
            }
            let mut devices = devices_by_member(c, team)?;
            let rows = member_rows(c, team)?;
            let members = rows
                .into_iter()
                .map(|(id, info)| {
                    let devices = devices.remove(&id).unwrap_or_default();
                    MemberInfo {
                        last_push_ms: devices.iter().filter_map(|d| d.last_push_ms).max(),
                        devices,
                        ..info
                    }
                })
                .collect();
            Ok(Some(members))
        })
    }

    /// Moves `device` to `member`, another member of the device's team; `past` says what
    /// happens to the events it stored before (see [`PastEvents`]). `NotFound` for an
    /// unknown device or a member not in its team; `Conflict("member_merged")` for a merged
    /// member. Moving a device to its own member changes nothing.
    pub fn move_device(
        &self,
        actor: &Actor,
        device: &DeviceId,
        member: &MemberId,
        past: PastEvents,
    ) -> Result<Moved> {
        let (device, member, actor) = (*device, member.clone(), actor.clone());
        self.write_blocking(move |tx| {
            let (id, team, from): (i64, i64, i64) = tx
                .query_row(
                    "SELECT id, team_id, member_id FROM devices WHERE device_id = ?1",
                    [device.as_bytes().as_slice()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("no device '{device}'")))?;
            let (to, _, merged_into) = member_in(tx, team, &member)?;
            refuse_merged(tx, &member, merged_into)?;
            if to == from {
                return Ok(Moved {
                    member_id: member,
                    devices: 0,
                    events: 0,
                });
            }
            let events = match past {
                PastEvents::Stay => {
                    rekey::keep_with(tx, id, from)?;
                    0
                }
                PastEvents::Follow => rekey::device_events(tx, id, team, from, to)?,
            };
            tx.execute(
                "UPDATE devices SET member_id = ?1 WHERE id = ?2",
                params![to, id],
            )?;
            let before = json!({ "member": member_code(tx, from)? });
            let after = json!({ "member": member.as_str(), "past_events": past.as_str(), "events_moved": events });
            let subject = format!("device:{device}");
            audit::append(tx, &actor, "device.move", &subject, Some(before), Some(after))?;
            Ok(Moved {
                member_id: member,
                devices: 1,
                events,
            })
        })
    }

    /// Merges `member`, an unassigned member of `team`, into `into`, another member of the
    /// team: its devices, its events (and so its figures in every report) and its pending
    /// invites become `into`'s; it leaves every list. `NotFound` for a member not in the
    /// team; `Conflict` with `same_member`, `member_merged` or `member_not_unassigned`.
    pub fn merge_member(
        &self,
        actor: &Actor,
        team: &TeamId,
        member: &MemberId,
        into: &MemberId,
    ) -> Result<Moved> {
        let (team, member, into) = (team.clone(), member.clone(), into.clone());
        let actor = actor.clone();
        self.write_blocking(move |tx| {
            let team_row = crate::reference::team_rowid(tx, &team)?;
            let (from, unassigned, from_merged) = member_in(tx, team_row, &member)?;
            let (to, _, to_merged) = member_in(tx, team_row, &into)?;
            if from == to {
                return Err(StoreError::Conflict(
                    "same_member",
                    format!("'{member}' cannot be merged into itself"),
                ));
            }
            refuse_merged(tx, &member, from_merged)?;
            refuse_merged(tx, &into, to_merged)?;
            if !unassigned {
                return Err(StoreError::Conflict(
                    "member_not_unassigned",
                    format!(
                        "'{member}' is a roster member; only an unassigned member (made by an \
                         enrolment code bound to no member) can be merged"
                    ),
                ));
            }
            let (devices, events) = rekey::merge(tx, from, to)?;
            let after =
                json!({ "merged_into": into.as_str(), "devices": devices, "events": events });
            let subject = format!("member:{team}/{member}");
            audit::append(tx, &actor, "member.merge", &subject, None, Some(after))?;
            Ok(Moved {
                member_id: into,
                devices,
                events,
            })
        })
    }
}
