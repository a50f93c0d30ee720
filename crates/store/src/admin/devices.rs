//! A team's phones as its leader runs them (issue 9): which have gone quiet, and giving a
//! revoked phone back its place.

use super::TeamDevice;
use crate::{Result, Store, StoreError, audit};
use langso_domain::DeviceId;
use langso_domain::audit::Actor;
use rusqlite::{OptionalExtension, params};
use serde_json::json;

/// One day, in ms: "not synced for N days" counts 24-hour days back from now.
pub const DAY_MS: i64 = 24 * 3600 * 1000;

/// The devices not revoked whose last sync (or, never synced, enrollment) is at least
/// `days` days before `now`.
pub(super) fn stale(all: Vec<TeamDevice>, days: u32, now: i64) -> Vec<TeamDevice> {
    let cutoff = now.saturating_sub(i64::from(days).saturating_mul(DAY_MS));
    all.into_iter()
        .filter(|d| d.revoked_ms.is_none() && d.last_sync_ms.unwrap_or(d.enrolled_ms) <= cutoff)
        .collect()
}

impl Store {
    /// Un-revokes `device` (`langso unrevoke-device`, `POST /v1/devices/{id}/unrevoke`): it
    /// may push and pull again with the tokens it held when it was revoked (the refresh
    /// tokens the revocation ended are live again; tokens ended for reuse stay ended).
    /// What it pushed while revoked stays in the quarantine for review. Returns when it had
    /// been revoked; [`StoreError::Conflict`] `device_not_revoked` if it was not,
    /// `device_moved` for the record a roster move left of a phone's previous team,
    /// [`StoreError::NotFound`] if there is no such device.
    pub fn unrevoke_device(&self, actor: &Actor, device: &DeviceId) -> Result<i64> {
        let (device, actor) = (*device, actor.clone());
        self.write_blocking(move |tx| {
            let row: Option<(i64, Option<i64>, bool)> = tx
                .query_row(
                    "SELECT id, revoked_ms, past_of IS NOT NULL FROM devices WHERE device_id = ?1",
                    [device.as_bytes().as_slice()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let (id, revoked, past) =
                row.ok_or_else(|| StoreError::NotFound(format!("no device '{device}'")))?;
            if past {
                // A roster move's record of the phone's past team (crate::roster::devices):
                // the phone syncs under its own row; this one stays revoked for good.
                return Err(StoreError::Conflict(
                    "device_moved",
                    format!(
                        "{device} is the record a roster move left of a phone's work for its \
                         previous team; the phone itself syncs with its new team and needs no \
                         un-revoke"
                    ),
                ));
            }
            let revoked = revoked.ok_or_else(|| {
                StoreError::Conflict(
                    "device_not_revoked",
                    format!("device {device} is not revoked"),
                )
            })?;
            tx.execute("UPDATE devices SET revoked_ms = NULL WHERE id = ?1", [id])?;
            // The revocation stamped its tokens with its own time (crate::auth).
            tx.execute(
                "UPDATE refresh_tokens SET revoked_ms = NULL WHERE device_id = ?1 AND revoked_ms = ?2",
                params![id, revoked],
            )?;
            audit::append(
                tx,
                &actor,
                "device.unrevoke",
                &format!("device:{device}"),
                Some(json!({"revoked_ms": revoked})),
                Some(json!({"revoked_ms": null})),
            )?;
            Ok(revoked)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(enrolled_ms: i64, last_sync_ms: Option<i64>, revoked: bool) -> TeamDevice {
        TeamDevice {
            device_id: DeviceId::parse("0190a6e0-0000-7000-8000-000000000001").unwrap(),
            member_id: "M000001".into(),
            name: "phone".into(),
            enrolled_ms,
            revoked_ms: revoked.then_some(1),
            last_push_ms: None,
            last_sync_ms,
        }
    }

    #[test]
    fn stale_devices_are_those_quiet_for_n_days_and_not_revoked() {
        let now = 100 * DAY_MS;
        let all = vec![
            device(0, Some(now - 3 * DAY_MS), false),
            device(0, Some(now - DAY_MS), false),
            device(now - 5 * DAY_MS, None, false),
            device(0, Some(0), true),
        ];
        let quiet = stale(all.clone(), 2, now);
        assert_eq!(quiet.len(), 2);
        assert!(quiet.iter().all(|d| d.revoked_ms.is_none()));
        assert_eq!(stale(all.clone(), 0, now).len(), 3);
        assert_eq!(stale(all, u32::MAX, now).len(), 0);
    }
}
