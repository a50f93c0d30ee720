//! `langso field …`: a volunteer enrolls, finds villages and records offline, then syncs.

use langso_tests::harness::{Server, langso_bin};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn field(device_db: &Path, args: &[&str]) -> Output {
    Command::new(langso_bin())
        .arg("field")
        .args(args)
        .arg("--device-db")
        .arg(device_db)
        .env("LANGSO_LOG", "warn")
        .output()
        .expect("run langso field")
}

#[track_caller]
fn field_ok(device_db: &Path, args: &[&str]) -> String {
    let out = field(device_db, args);
    assert!(
        out.status.success(),
        "langso field {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap()
}

#[test]
fn a_volunteer_enrolls_records_offline_and_syncs_later() {
    let mut server = Server::start_demo();
    let team = server
        .teams()
        .into_iter()
        .find(|t| t["name"].as_str().unwrap().ends_with("Xã Đông Ngũ"))
        .expect("the commune team of Đông Ngũ");
    let team_id = team["id"].as_str().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("phone.db");
    let code = server.invite(&team_id);
    let out = field_ok(&db, &["enroll", "--server", &server.url, "--code", &code]);
    assert!(out.contains(&format!("team {team_id}")), "{out}");

    // No network from here until sync: the server is down.
    server.kill();
    let found = json(&field_ok(&db, &["villages", "dong", "ngu", "--json"]));
    let found = found.as_array().unwrap();
    assert!(
        !found.is_empty(),
        "villages of Xã Đông Ngũ, diacritics ignored"
    );
    assert!(found.iter().all(|v| v["commune_name"] == "Xã Đông Ngũ"));
    let village = found[0]["id"].as_str().unwrap();
    let recorded = json(&field_ok(
        &db,
        &[
            "record",
            "--kind",
            "vneid_activation",
            "--village",
            village,
            "--count",
            "3",
            "--json",
        ],
    ));
    assert_eq!(recorded["seq"], 1);
    let foreign = server.team("T00001")["village_ids"][0]
        .as_str()
        .unwrap()
        .to_owned();
    field_ok(
        &db,
        &[
            "record",
            "--kind",
            "vneid_activation",
            "--village",
            &foreign,
            "--count",
            "1",
        ],
    );
    let status = json(&field_ok(&db, &["status", "--json"]));
    assert_eq!(status["queued"], 2);

    let offline = field(&db, &["sync", "--attempts", "2"]);
    assert!(!offline.status.success());
    assert!(String::from_utf8_lossy(&offline.stderr).contains("could not be reached"));
    assert_eq!(
        json(&field_ok(&db, &["status", "--json"]))["queued"],
        2,
        "kept"
    );

    server.restart();
    let synced = field_ok(&db, &["sync", "--server", &server.url]);
    assert!(
        synced.contains("1 accepted") && synced.contains("1 rejected"),
        "{synced}"
    );
    assert!(synced.contains("village_not_in_team"), "{synced}");

    let status = json(&field_ok(&db, &["status", "--json"]));
    assert_eq!(status["queued"], 0);
    assert_eq!(status["problems"][0]["code"], "village_not_in_team");
    assert_eq!(
        status["team_totals"]["today"]["totals"]["vneid_activation"],
        3
    );
    let problem = status["problems"][0]["event_id"].as_str().unwrap();
    field_ok(&db, &["dismiss", problem]);
    assert!(
        json(&field_ok(&db, &["status", "--json"]))["problems"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    server.assert_tallies_verify();
}

#[test]
fn a_village_can_be_given_by_a_name_that_matches_only_it() {
    use langso_domain::text::fold;
    let server = Server::start_demo();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("phone.db");
    let code = server.invite("T00001");
    field_ok(&db, &["enroll", "--server", &server.url, "--code", &code]);
    let villages = json(&field_ok(&db, &["villages", "--json"]));
    let villages = villages.as_array().unwrap();
    let searchable = |v: &Value| {
        fold(&format!(
            "{} | {} | {}",
            v["name"].as_str().unwrap(),
            v["commune_name"].as_str().unwrap(),
            v["district_name"].as_str().unwrap_or_default()
        ))
    };
    let (unique, name) = villages
        .iter()
        .map(|v| (v, fold(v["name"].as_str().unwrap())))
        .find(|(_, name)| {
            villages
                .iter()
                .filter(|o| searchable(o).contains(name))
                .count()
                == 1
        })
        .expect("some village name of the team is unique");

    let r = json(&field_ok(
        &db,
        &[
            "record",
            "--kind",
            "digital_signature",
            "--village",
            &name,
            "--count",
            "1",
            "--json",
        ],
    ));
    assert_eq!(r["seq"], 1);
    let held = json(&field_ok(&db, &["status", "--json"]));
    assert_eq!(held["queued"], 1);
    let synced = field_ok(&db, &["sync", "--json"]);
    assert_eq!(
        json(&synced)["report"]["accepted"],
        1,
        "{synced} for {}",
        unique["id"]
    );

    let out = field(
        &db,
        &[
            "record",
            "--kind",
            "digital_signature",
            "--village",
            "no such place",
            "--count",
            "1",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no village"));
}
