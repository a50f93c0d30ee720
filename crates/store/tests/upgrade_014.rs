//! Migration 014 on a database written before it: the late changes move from
//! `late_tallies` to `village_late`, `team_late` and `area_late`, the commune rows leave
//! `area_days`, `team_days` goes, and every report answers as before with `verify` clean.
//!
//! The "before" file is made the way an older binary left it: the schema of migrations
//! 001–013 (applied from their SQL files) holding the same rows as a store written now,
//! with `late_tallies` and the commune rows of `area_days` filled as 013 kept them.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::{Phones, demo_store, ev, teams_in_district};
use langso_domain::periods::{Period, PeriodKind};
use langso_domain::scope::{UnitKind, UnitRef};
use langso_store::{Store, SummaryQuery};
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

fn vn(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    langso_domain::time::vn_offset()
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// Migrations 001–013, read from the crate's migrations directory.
fn before_014() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files.truncate(13);
    assert!(files[12].ends_with("013_current_version.sql"), "{files:?}");
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

/// `late_tallies`, the commune `area_days` rows and `team_days` as migration 013's writer
/// kept them,
/// from the tables that replace them and the event log.
const AS_013_KEPT_THEM: &str = "
    INSERT INTO late_tallies
    SELECT 'village', v.village_id, l.day, l.rday, l.kind_id, l.total, l.arrivals
    FROM new.village_late l JOIN new.villages v ON v.id = l.village_id;
    INSERT INTO late_tallies
    SELECT 'team', t.team_id, l.day, l.rday, l.kind_id, l.total, l.arrivals
    FROM new.team_late l JOIN new.teams t ON t.id = l.team_id;
    INSERT INTO late_tallies
    SELECT u.level, l.code, l.day, l.rday, l.kind_id, l.total, l.arrivals
    FROM new.area_late l JOIN new.units u ON u.code = l.code
    JOIN new.current_version h ON h.id = u.version_id;
    INSERT INTO late_tallies
    SELECT 'commune', p.commune_code, l.day, l.rday, l.kind_id, sum(l.total), sum(l.arrivals)
    FROM new.village_late l JOIN new.village_placements p ON p.village_id = l.village_id
    JOIN new.current_version h ON h.id = p.version_id GROUP BY 2, 3, 4, 5;
    INSERT INTO area_days
    SELECT p.commune_code, e.day, e.kind_id, sum(e.count), sum(e.count > 0)
    FROM new.events e JOIN new.village_placements p ON p.village_id = e.village_id
    JOIN new.current_version h ON h.id = p.version_id
    WHERE e.superseded_by IS NULL GROUP BY 1, 2, 3;
    INSERT INTO team_days
    SELECT d.team_id, e.day, e.kind_id, sum(e.count), sum(e.count > 0)
    FROM new.events e JOIN new.devices d ON d.id = e.device_id
    WHERE e.superseded_by IS NULL GROUP BY 1, 2, 3;";

/// A file at migration 013 holding `now`'s rows.
fn as_before_014(now: &std::path::Path, before: &std::path::Path) {
    let mut c = Connection::open(before).unwrap();
    let sql = before_014();
    Migrations::new(sql.iter().map(|s| M::up(s)).collect())
        .to_latest(&mut c)
        .unwrap();
    c.execute("ATTACH DATABASE ?1 AS new", [now.to_str().unwrap()])
        .unwrap();
    let tables: Vec<String> = c
        .prepare(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT IN ('late_tallies', 'team_days')",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in tables {
        let cols: Vec<String> = c
            .prepare(&format!("SELECT name FROM pragma_table_info('{t}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let cols = cols.join(", ");
        c.execute_batch(&format!(
            "DELETE FROM main.{t}; INSERT INTO main.{t} ({cols}) SELECT {cols} FROM new.{t};"
        ))
        .unwrap();
    }
    c.execute_batch(AS_013_KEPT_THEM).unwrap();
    c.execute("DETACH DATABASE new", []).unwrap();
}

#[test]
fn migration_014_keeps_every_late_change_and_every_report() {
    let (dir, store) = demo_store();
    let teams = teams_in_district(&store, "201");
    let mut phones = Phones::new(store.clone());
    let on_time = vn(2026, 10, 30, 10);
    for (i, t) in teams.iter().take(3).enumerate() {
        let p = phones.enroll(&t.id, None);
        let v = &t.village_ids[0];
        let ids = phones.push(p, &[ev("vneid_activation", v, 5, on_time)], on_time);
        // After October closed: a forgotten event and a correction 5 → 1.
        let mut fix = ev("vneid_activation", v, 1, on_time);
        fix.corrects = Some(ids[0]);
        let late = ev("digital_signature", v, 1 + i as i64, vn(2026, 10, 12, 9));
        phones.push(p, &[late, fix], vn(2026, 11, 2, 19));
    }
    let period = Period::containing(PeriodKind::Month, on_time.date_naive());
    let t = &teams[0];
    let units = [
        UnitRef::new(UnitKind::Village, t.village_ids[0].as_str()),
        UnitRef::new(UnitKind::Team, t.id.as_str()),
        UnitRef::new(UnitKind::Commune, t.commune_code.as_str()),
        UnitRef::new(UnitKind::District, "201"),
        UnitRef::new(UnitKind::Province, "22"),
    ];
    let answers = |s: &Store| -> Vec<String> {
        units
            .iter()
            .map(|u| {
                let q = SummaryQuery {
                    unit: u.clone(),
                    period,
                    granularity: None,
                    now: vn(2026, 11, 29, 12),
                    hierarchy: None,
                };
                let r = s.report_summary(&q).unwrap();
                format!("{:?} {:?} {:?} {:?}", u, r.totals, r.series, r.late)
            })
            .collect()
    };
    let expected = answers(&store);
    assert!(
        expected.iter().all(|a| a.contains("Some(Late")),
        "{expected:?}"
    );
    let now_path = store.path().to_owned();
    drop(phones);
    drop(store);
    let before = dir.path().join("before-014.db");
    as_before_014(&now_path, &before);
    let raw = Connection::open(&before).unwrap();
    let count = |sql: &str| raw.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    let communes_before = count(
        "SELECT count(*) FROM area_days WHERE code IN (SELECT code FROM units WHERE level = 'commune')",
    );
    assert!(count("SELECT count(*) FROM late_tallies WHERE level = 'commune'") > 0);
    assert!(communes_before > 0);

    // The copied rows' secrets are sealed with the first database's master key (issue 9).
    let key = |db: &std::path::Path| format!("{}.key", db.display());
    std::fs::copy(key(&now_path), key(&before)).unwrap();
    let upgraded = Store::open(&before).unwrap();

    assert_eq!(upgraded.verify().unwrap(), []);
    assert_eq!(answers(&upgraded), expected);
    let gone =
        count("SELECT count(*) FROM sqlite_master WHERE name IN ('late_tallies', 'team_days')");
    assert_eq!(gone, 0);
    assert_eq!(
        count(
            "SELECT count(*) FROM area_days WHERE code IN (SELECT code FROM units WHERE level = 'commune')"
        ),
        0
    );
    assert!(count("SELECT count(*) FROM village_late") > 0);
    assert!(count("SELECT count(*) FROM team_late") > 0);
    assert!(count("SELECT count(*) FROM area_late") > 0);
}
