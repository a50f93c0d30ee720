//! Reference-data pull: a paged snapshot first, then the change log, behind one opaque
//! cursor. Ordering is by server-assigned sequence only, never by any client clock.

use crate::auth::DeviceState;
use crate::reference::current_version;
use crate::{Result, Store, StoreError};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use langso_domain::DeviceId;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub const MAX_PULL_LIMIT: usize = 1000;
pub const DEFAULT_PULL_LIMIT: usize = 200;

const ENTITIES: [&str; 3] = ["kind", "team", "village"];

#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub entity: &'static str,
    pub op: &'static str,
    pub id: String,
    pub data: Option<Value>,
}

#[derive(Clone, Debug)]
pub struct PullPage {
    pub changes: Vec<Change>,
    pub next_cursor: String,
    pub has_more: bool,
    /// The cursor was from another database generation, or ahead of this database's change
    /// log (it was restored from a backup): this page starts a new snapshot.
    pub reset: bool,
    pub acked_through_seq: i64,
}

/// What the opaque cursor holds.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
struct Cursor {
    /// Database generation.
    g: String,
    /// Snapshot in progress: index into ENTITIES and the last key sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    snap: Option<(usize, String)>,
    /// Change-log position: every change up to this seq is reflected.
    at: i64,
    /// When the change at `at` was logged (ms; absent in cursors of older servers). A log
    /// whose change `at` has another time is another history (the file was replaced by a
    /// copy whose log has since reused the seq): the cursor cannot be continued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    t: Option<i64>,
    /// The device's team (teams.id) when the cursor was given (absent in older cursors):
    /// a phone a roster moved to another team starts a new snapshot of its new team's data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tm: Option<i64>,
}

impl Cursor {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("cursor serialises"))
    }
    /// Total: anything this server could not have written (not base64url JSON of this
    /// shape, an entity index out of range, a negative position) is `None`, never a panic.
    fn decode(s: &str) -> Option<Self> {
        let c: Self = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s).ok()?).ok()?;
        let snap_ok = c.snap.as_ref().is_none_or(|(e, _)| *e < ENTITIES.len());
        (snap_ok && c.at >= 0).then_some(c)
    }
}

/// When the change `seq` was logged (ms), if it exists.
fn logged_at(c: &Connection, seq: i64) -> Result<Option<i64>> {
    Ok(
        c.prepare_cached("SELECT at_ms FROM changes WHERE seq = ?1")?
            .query_row([seq], |r| r.get(0))
            .optional()?,
    )
}

/// Whether the cursor's change-log position belongs to this database's history.
fn same_history(c: &Connection, cursor: &Cursor) -> Result<bool> {
    Ok(match cursor.t {
        Some(t) if cursor.at > 0 => logged_at(c, cursor.at)? == Some(t),
        _ => true,
    })
}

struct Scope {
    team: i64,
    version: i64,
}

fn kind_data(c: &Connection, code: &str) -> Result<Option<Value>> {
    Ok(crate::catalogue::one(c, code)?.map(|k| json!(k)))
}

fn team_data(c: &Connection, s: &Scope, team_id: &str) -> Result<Option<Value>> {
    let row: Option<(i64, String, String, String, Option<String>)> = c
        .prepare_cached(
            "SELECT t.id, t.name, t.level, t.commune_code, u.parent_code FROM teams t
             LEFT JOIN units u ON u.version_id = ?2 AND u.code = t.commune_code
             WHERE t.team_id = ?1",
        )?
        .query_row(params![team_id, s.version], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let Some((id, name, level, commune, district)) = row.filter(|r| r.0 == s.team) else {
        return Ok(None);
    };
    let villages: Vec<String> = c
        .prepare_cached(
            "SELECT v.village_id FROM team_villages tv JOIN villages v ON v.id = tv.village_id
             WHERE tv.team_id = ?1 ORDER BY v.village_id",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(
        json!({"id": team_id, "name": name, "level": level, "commune_code": commune,
        "district_code": district, "village_ids": villages}),
    ))
}

fn village_data(c: &Connection, s: &Scope, village_id: &str) -> Result<Option<Value>> {
    Ok(c.prepare_cached(
        "SELECT v.village_id, v.name, v.population, v.households, p.commune_code, cu.name,
                cu.parent_code, du.name
         FROM villages v
         JOIN team_villages tv ON tv.village_id = v.id AND tv.team_id = ?2
         JOIN village_placements p ON p.village_id = v.id AND p.version_id = ?3
         JOIN units cu ON cu.version_id = ?3 AND cu.code = p.commune_code
         LEFT JOIN units du ON du.version_id = ?3 AND du.code = cu.parent_code AND du.level = 'district'
         WHERE v.village_id = ?1",
    )?
    .query_row(params![village_id, s.team, s.version], |r| {
        Ok(json!({"id": r.get::<_, String>(0)?, "name": r.get::<_, String>(1)?,
            "population": r.get::<_, i64>(2)?, "households": r.get::<_, i64>(3)?,
            "commune_code": r.get::<_, String>(4)?, "commune_name": r.get::<_, String>(5)?,
            "district_code": r.get::<_, Option<String>>(6)?,
            "district_name": r.get::<_, Option<String>>(7)?}))
    })
    .optional()?)
}

fn data_of(c: &Connection, s: &Scope, entity: &str, key: &str) -> Result<Option<Value>> {
    match entity {
        "kind" => kind_data(c, key),
        "team" => team_data(c, s, key),
        _ => village_data(c, s, key),
    }
}

fn static_entity(entity: &str) -> &'static str {
    ENTITIES
        .iter()
        .find(|e| **e == entity)
        .copied()
        .unwrap_or("village")
}

/// Keys of entity `e` visible to the scope, after `after`, in key order.
fn snapshot_keys(
    c: &Connection,
    s: &Scope,
    e: usize,
    after: &str,
    limit: usize,
) -> Result<Vec<String>> {
    let sql = match ENTITIES[e] {
        "kind" => "SELECT code FROM kinds WHERE code > ?2 AND ?1 = ?1 ORDER BY code LIMIT ?3",
        "team" => {
            "SELECT team_id FROM teams WHERE id = ?1 AND team_id > ?2 ORDER BY team_id LIMIT ?3"
        }
        _ => {
            "SELECT v.village_id FROM team_villages tv JOIN villages v ON v.id = tv.village_id
             WHERE tv.team_id = ?1 AND v.village_id > ?2 ORDER BY v.village_id LIMIT ?3"
        }
    };
    Ok(c.prepare_cached(sql)?
        .query_map(params![s.team, after, limit as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// One page of reference changes for a device, from `cursor` (None: a full snapshot).
    pub fn pull(
        &self,
        device: &DeviceId,
        token_iat_ms: i64,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PullPage> {
        let limit = limit.clamp(1, MAX_PULL_LIMIT);
        let generation = self.generation().to_owned();
        self.read(move |conn| {
            // One read transaction: every query of the page sees the same snapshot.
            let tx = conn.unchecked_transaction()?;
            let c: &Connection = &tx;
            let max_seq: i64 =
                c.query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
                    r.get(0)
                })?;
            let dev: DeviceState = {
                let (id, team_id, acked_seq) = crate::push::load_device(c, device, token_iat_ms)?;
                DeviceState {
                    id,
                    team_id,
                    acked_seq,
                }
            };
            let parsed = match cursor {
                None => None,
                Some(s) => Some(Cursor::decode(s).ok_or(StoreError::InvalidCursor)?),
            };
            let scope = Scope {
                team: dev.team_id,
                version: current_version(c)?,
            };
            // A cursor from another generation, or ahead of this change log (the database
            // was replaced by an older copy), cannot be continued: a new snapshot starts.
            let reset = match &parsed {
                None => false,
                Some(p) => {
                    p.g != generation
                        || p.at > max_seq
                        || p.tm.is_some_and(|t| t != dev.team_id)
                        || !same_history(c, p)?
                }
            };
            let mut cur = match parsed {
                Some(p) if !reset => p,
                _ => Cursor {
                    g: generation.clone(),
                    snap: Some((0, String::new())),
                    at: max_seq,
                    t: None,
                    tm: None,
                },
            };
            let mut changes = Vec::new();
            while changes.len() < limit {
                let Some((e, after)) = cur.snap.clone() else {
                    break;
                };
                let keys = snapshot_keys(c, &scope, e, &after, limit - changes.len())?;
                match keys.last() {
                    Some(last) => cur.snap = Some((e, last.clone())),
                    None if e + 1 < ENTITIES.len() => cur.snap = Some((e + 1, String::new())),
                    None => cur.snap = None,
                }
                for k in keys {
                    // An entity without data (e.g. a village not placed in the current
                    // hierarchy) is not visible: the snapshot leaves it out.
                    if let Some(data) = data_of(c, &scope, ENTITIES[e], &k)? {
                        changes.push(Change {
                            entity: ENTITIES[e],
                            op: "upsert",
                            id: k,
                            data: Some(data),
                        });
                    }
                }
            }
            let mut has_more = cur.snap.is_some();
            if !has_more && changes.len() < limit {
                let mut stmt = c.prepare_cached(
                    "SELECT seq, entity, entity_key, op FROM changes
                     WHERE seq > ?1 AND seq <= ?4 AND (team_id IS NULL OR team_id = ?2)
                     ORDER BY seq LIMIT ?3",
                )?;
                let want = limit - changes.len();
                let rows: Vec<(i64, String, String, String)> = stmt
                    .query_map(params![cur.at, scope.team, want as i64 + 1, max_seq], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                has_more = rows.len() > want;
                for (seq, entity, key, op) in rows.into_iter().take(want) {
                    let data = if op == "upsert" {
                        data_of(c, &scope, &entity, &key)?
                    } else {
                        None
                    };
                    let op = if data.is_some() { "upsert" } else { "delete" };
                    changes.push(Change {
                        entity: static_entity(&entity),
                        op,
                        id: key,
                        data,
                    });
                    cur.at = seq;
                }
                if !has_more {
                    // Skip past changes of other teams so the cursor does not re-scan them.
                    cur.at = cur.at.max(max_seq);
                }
            }
            cur.t = logged_at(c, cur.at)?;
            cur.tm = Some(dev.team_id);
            Ok(PullPage {
                changes,
                next_cursor: cur.encode(),
                has_more,
                reset,
                acked_through_seq: dev.acked_seq,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = Cursor {
            g: "g".into(),
            snap: Some((2, "V000001".into())),
            at: 7,
            t: Some(1_764_000_000_000),
            tm: Some(3),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("not-a-cursor"), None);
        let forged = |json: &str| URL_SAFE_NO_PAD.encode(json);
        for bad in [
            r#"{"g":"g","snap":[3,""],"at":0}"#,
            r#"{"g":"g","snap":[18446744073709551615,""],"at":0}"#,
            r#"{"g":"g","at":-1}"#,
            r#"{"g":"g","at":1e999}"#,
            r#"[]"#,
        ] {
            assert_eq!(Cursor::decode(&forged(bad)), None, "{bad}");
        }
    }
}
