//! A server restored from a backup, with the reference engine on the phones and the real
//! `langso` binary (issue 7, item 3). In every case the phone comes back without a visit to
//! the commune office, every event it holds is on the server exactly once, `langso verify`
//! passes, and reference changes made after the restore arrive by pull.

mod support;

use langso_tests::harness::Server;
use std::path::PathBuf;
use support::{Phone, enroll, fast, poke_state};

/// Records `n` events of `count` 1 each; returns their ids.
fn record(phone: &mut Phone, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let e = phone.event("vneid_activation", 1);
            phone.engine.record(e).unwrap().event_id.to_string()
        })
        .collect()
}

fn backup(server: &Server, name: &str) -> PathBuf {
    let out = server.db.with_file_name(name);
    server.cli_ok(&["backup", "--out", out.to_str().unwrap()]);
    out
}

/// The operator's procedure: stop the server, `langso restore`, start it again.
fn restore(server: &mut Server, backup: &std::path::Path, phone: &mut Phone) {
    server.kill();
    server.cli_ok(&["restore", "--from", backup.to_str().unwrap()]);
    server.restart();
    phone.engine.set_server(&server.url).unwrap();
}

/// Every id the phone recorded is stored once under its device, the tallies verify, and
/// the team's total the phone pulled counts each event once.
#[track_caller]
fn assert_all_stored_once(server: &Server, phone: &Phone, recorded: &[String]) {
    let mut stored = support::stored_ids(server, &phone.device_id());
    stored.sort();
    let mut want = recorded.to_vec();
    want.sort();
    assert_eq!(stored, want);
    server.assert_tallies_verify();
    let status = phone.engine.status().unwrap();
    assert_eq!(status.queued, 0);
    assert_eq!(status.acked_through_seq, recorded.len() as i64);
    let totals = status.team_totals.unwrap();
    assert_eq!(
        totals["today"]["totals"]["vneid_activation"],
        recorded.len() as i64
    );
}

/// An operator adds a village of another team to the phone's team; the phone's next sync
/// must bring it.
#[track_caller]
fn assert_reference_changes_arrive(server: &Server, phone: &mut Phone, other_team: &str) {
    let extra = server.team(other_team)["village_ids"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let mut villages = phone.villages.clone();
    villages.push(extra.clone());
    let mut args = vec!["team-villages", "--team", "T00001"];
    args.extend(villages.iter().map(String::as_str));
    server.cli_ok(&args);

    phone.engine.sync().unwrap();

    let pulled: Vec<String> = phone
        .engine
        .villages("")
        .unwrap()
        .into_iter()
        .map(|v| v.id)
        .collect();
    assert!(pulled.contains(&extra), "{extra} not pulled: {pulled:?}");
}

#[test]
fn a_phone_that_refreshed_its_token_after_the_backup_comes_back_with_everything() {
    let mut server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    let mut ids = record(&mut phone, 3);
    phone.engine.sync().unwrap();
    let backup = backup(&server, "backup.db");
    // After the backup: a token refresh (its row is not in the backup) and 2 more events.
    poke_state(&phone.path(), "access_expires_at", "2000-01-01T00:00:00Z");
    phone.reopen(fast());
    ids.extend(record(&mut phone, 2));
    assert!(phone.engine.sync().unwrap().refreshed);

    restore(&mut server, &backup, &mut phone);
    // The phone comes back after its access token expired: it must refresh, with a token
    // the restored database has no row for.
    poke_state(&phone.path(), "access_expires_at", "2000-01-01T00:00:00Z");
    phone.reopen(fast());
    ids.extend(record(&mut phone, 1));
    let report = phone.engine.sync().unwrap();

    assert!(report.generation_changed && report.refreshed);
    assert_eq!((report.duplicate, report.accepted), (3, 3));
    assert_all_stored_once(&server, &phone, &ids);
    assert_reference_changes_arrive(&server, &mut phone, "T00002");
}

#[test]
fn a_phone_enrolled_after_the_backup_comes_back_as_the_same_device() {
    let mut server = Server::start_demo();
    let backup = backup(&server, "backup.db");
    let mut phone = enroll(&server, "T00001", fast());
    let device = phone.device_id();
    let mut ids = record(&mut phone, 3);
    phone.engine.sync().unwrap();
    ids.extend(record(&mut phone, 1));

    restore(&mut server, &backup, &mut phone);
    let report = phone.engine.sync().unwrap();

    assert!(report.generation_changed);
    assert_eq!(phone.device_id(), device, "no new enrollment");
    assert_eq!(report.accepted, 4);
    assert_all_stored_once(&server, &phone, &ids);
    assert_reference_changes_arrive(&server, &mut phone, "T00002");
}

#[test]
fn restoring_the_same_backup_twice_loses_nothing_and_later_changes_arrive() {
    let mut server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    let mut ids = record(&mut phone, 2);
    phone.engine.sync().unwrap();
    let backup = backup(&server, "backup.db");
    ids.extend(record(&mut phone, 2));
    phone.engine.sync().unwrap();

    restore(&mut server, &backup, &mut phone);
    phone.engine.sync().unwrap();
    let first = phone.engine.status().unwrap().generation;
    ids.extend(record(&mut phone, 1));
    assert_reference_changes_arrive(&server, &mut phone, "T00002");
    restore(&mut server, &backup, &mut phone);
    let report = phone.engine.sync().unwrap();

    assert!(report.generation_changed);
    assert_ne!(phone.engine.status().unwrap().generation, first);
    assert_eq!((report.duplicate, report.accepted), (2, 3));
    assert_all_stored_once(&server, &phone, &ids);
    assert_reference_changes_arrive(&server, &mut phone, "T00003");
}

/// The old procedure (copy the file in by hand) keeps the backup's generation: restoring
/// the same copy twice shows the phone the same generation. Its `acked_through_seq`
/// falling and its cursor being ahead of the change log still tell it.
#[test]
fn a_backup_copied_in_by_hand_twice_is_still_noticed() {
    let mut server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    let mut ids = record(&mut phone, 2);
    phone.engine.sync().unwrap();
    let backup = backup(&server, "backup.db");
    let copy_in = |server: &mut Server, phone: &mut Phone| {
        server.kill();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", server.db.display()));
        }
        std::fs::copy(&backup, &server.db).unwrap();
        server.restart();
        phone.engine.set_server(&server.url).unwrap();
    };
    copy_in(&mut server, &mut phone);
    ids.extend(record(&mut phone, 2));
    phone.engine.sync().unwrap();
    assert_reference_changes_arrive(&server, &mut phone, "T00002");
    let generation = phone.engine.status().unwrap().generation;

    copy_in(&mut server, &mut phone);
    ids.extend(record(&mut phone, 1));
    phone.engine.sync().unwrap();

    assert_eq!(phone.engine.status().unwrap().generation, generation);
    assert_all_stored_once(&server, &phone, &ids);
    assert_reference_changes_arrive(&server, &mut phone, "T00003");
}
