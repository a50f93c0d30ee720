//! Reference data on the device: the catalogue, the team and its villages, as pulled.

use crate::error::Result;
use crate::wire::Change;
use langso_domain::text::fold;
use rusqlite::{Connection, Transaction, params};
use serde::{Deserialize, Serialize};

/// A village as the device shows it in a picker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Village {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub population: i64,
    #[serde(default)]
    pub households: i64,
    #[serde(default)]
    pub commune_code: String,
    #[serde(default)]
    pub commune_name: String,
    #[serde(default)]
    pub district_code: Option<String>,
    #[serde(default)]
    pub district_name: Option<String>,
}

/// An activity kind from the catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kind {
    pub code: String,
    pub label_vi: String,
    pub label_en: String,
    /// The one-string unit every server sends ("người / person" when the languages differ).
    pub unit: String,
    /// The unit in each language (servers since issue 9; empty from older ones: use `unit`).
    #[serde(default)]
    pub unit_vi: String,
    #[serde(default)]
    pub unit_en: String,
    /// Points per count in force today (the server's `weights` has them by day).
    pub weight: f64,
    /// False once the province deactivated it: offer it no more for new events.
    pub active: bool,
}

/// Empties the reference tables: a snapshot (first pull, or `reset: true`) follows.
pub fn clear(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch("DELETE FROM ref_kinds; DELETE FROM ref_teams; DELETE FROM ref_villages;")?;
    Ok(())
}

/// Applies one change idempotently; unknown entities are ignored (the protocol may add some).
pub fn apply(tx: &Transaction<'_>, c: &Change) -> Result<()> {
    let table = match c.entity.as_str() {
        "kind" => "ref_kinds",
        "team" => "ref_teams",
        "village" => "ref_villages",
        _ => return Ok(()),
    };
    let key = if table == "ref_kinds" { "code" } else { "id" };
    let data = match (&c.op[..], &c.data) {
        ("upsert", Some(d)) => d,
        _ => {
            tx.prepare_cached(&format!("DELETE FROM {table} WHERE {key} = ?1"))?
                .execute([&c.id])?;
            return Ok(());
        }
    };
    let json = data.to_string();
    if table == "ref_villages" {
        let s = |k: &str| data[k].as_str().unwrap_or_default();
        let folded = fold(&format!(
            "{} | {} | {}",
            s("name"),
            s("commune_name"),
            s("district_name")
        ));
        tx.prepare_cached(
            "INSERT OR REPLACE INTO ref_villages (id, name, folded, data) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![c.id, s("name"), folded, json])?;
    } else {
        tx.prepare_cached(&format!(
            "INSERT OR REPLACE INTO {table} ({key}, data) VALUES (?1, ?2)"
        ))?
        .execute(params![c.id, json])?;
    }
    Ok(())
}

/// Villages whose name, commune or district contains every word of `query`, folded
/// ("dong ngu" finds "Đông Ngũ"); all villages when the query is empty.
pub fn villages(conn: &Connection, query: &str) -> Result<Vec<Village>> {
    let words: Vec<String> = fold(query).split_whitespace().map(str::to_owned).collect();
    let mut stmt = conn.prepare("SELECT folded, data FROM ref_villages ORDER BY name, id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (folded, data) = row?;
        if words.iter().all(|w| folded.contains(w.as_str()))
            && let Ok(v) = serde_json::from_str(&data)
        {
            out.push(v);
        }
    }
    Ok(out)
}

pub fn kinds(conn: &Connection) -> Result<Vec<Kind>> {
    let mut stmt = conn.prepare("SELECT data FROM ref_kinds ORDER BY code")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for data in rows {
        if let Ok(k) = serde_json::from_str(&data?) {
            out.push(k);
        }
    }
    Ok(out)
}

/// The team's village ids, from the pulled team record.
pub fn team_villages(conn: &Connection) -> Result<Vec<String>> {
    let data: Vec<String> = conn
        .prepare("SELECT data FROM ref_teams")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(data
        .iter()
        .filter_map(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .flat_map(|v| {
            v["village_ids"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
        })
        .collect())
}
