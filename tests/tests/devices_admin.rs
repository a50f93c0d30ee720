//! Team leaders run their team's phones (issue 9): last sync and "not synced for N days",
//! un-revoke, and the review of what a revoked phone pushed (count it once, or discard it,
//! with a reason). The real binary over loopback; answers checked against the spec.

use langso_tests::harness::{PROVINCE, Phone, Server, str_field as s};
use serde_json::{Value, json};

const TEAM: &str = "T00001";
const OTHER_TEAM: &str = "T00002";
const KIND: &str = "vneid_activation";

fn kind_total(server: &Server, witness: &Phone, village: &str) -> i64 {
    server
        .totals(witness, "village", village)
        .get(KIND)
        .copied()
        .unwrap_or(0)
}

/// A team leader, a kept batch to review, and a witness phone of the team that reads the
/// village's tally of KIND (the revoked phone cannot).
struct Review {
    server: Server,
    leader: String,
    witness: Phone,
    village: String,
    batch: Value,
    /// The tally before the review.
    before: i64,
}

impl Review {
    fn new() -> Self {
        let server = Server::start_demo();
        let leader = server.login_as("team_leader", TEAM);
        let witness = server.enroll(TEAM);
        let village = witness.village().to_owned();
        let (_p, batch) = revoked_phone_with_a_kept_batch(&server, &leader);
        let before = kind_total(&server, &witness, &village);
        Self {
            server,
            leader,
            witness,
            village,
            batch,
            before,
        }
    }

    fn total(&self) -> i64 {
        kind_total(&self.server, &self.witness, &self.village)
    }
}

/// A phone of TEAM that pushed one event, then was revoked and pushed a batch of two
/// (counts 2 and 3) that went to the quarantine. Returns the phone and the kept batch.
fn revoked_phone_with_a_kept_batch(server: &Server, leader: &str) -> (Phone, Value) {
    let mut p = server.enroll(TEAM);
    let village = p.village().to_owned();
    let first = p.event(KIND, &village, 1);
    server.push(&p, &[first]).expect(200);
    server
        .admin_post(&format!("/v1/devices/{}/revoke", p.device_id), leader, None)
        .expect(200);
    let late = [p.event(KIND, &village, 2), p.event(KIND, &village, 3)];
    server.push(&p, &late).expect_error(403, "device_revoked");
    let list = server
        .get(&format!("/v1/teams/{TEAM}/quarantine"), Some(leader))
        .expect(200)
        .body;
    let batch = list["batches"][0].clone();
    assert_eq!(batch["items"].as_array().map(Vec::len), Some(2), "{list}");
    assert!(batch["decision"].is_null());
    (p, batch)
}

#[test]
fn a_leader_sees_last_sync_and_the_phones_quiet_for_n_days() {
    let server = Server::start_demo();
    let leader = server.login_as("team_leader", TEAM);
    let mut synced = server.enroll(TEAM);
    let quiet = server.enroll(TEAM);
    let village = synced.village().to_owned();
    let e = synced.event(KIND, &village, 1);
    server.push(&synced, &[e]).expect(200);

    let all = server
        .get(&format!("/v1/teams/{TEAM}/devices"), Some(&leader))
        .expect(200)
        .body;
    let stale0 = server
        .get(
            &format!("/v1/teams/{TEAM}/devices?stale_days=0"),
            Some(&leader),
        )
        .expect(200)
        .body;
    let stale1 = server
        .get(
            &format!("/v1/teams/{TEAM}/devices?stale_days=1"),
            Some(&leader),
        )
        .expect(200)
        .body;

    let mine = all["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device_id"] == synced.device_id.as_str())
        .expect("the synced phone is listed");
    assert!(mine["last_sync_at"].is_string(), "{mine}");
    let ids = |b: &Value| -> Vec<String> {
        b["devices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| s(d, "device_id").to_owned())
            .collect()
    };
    assert!(ids(&stale0).contains(&quiet.device_id) && ids(&stale0).contains(&synced.device_id));
    assert!(
        !ids(&stale1).contains(&quiet.device_id),
        "enrolled today: not a day quiet"
    );
    server
        .get(
            &format!("/v1/teams/{TEAM}/devices?stale_days=-1"),
            Some(&leader),
        )
        .expect(400);
    let cli = server.cli_ok(&["devices", "--team", TEAM, "--stale-days", "0"]);
    assert!(cli.contains(&quiet.device_id), "{cli}");
    let cli = server.cli_ok(&["devices", "--team", TEAM, "--stale-days", "1"]);
    assert!(!cli.contains(&quiet.device_id), "{cli}");
    // An unknown team is an error, not an empty list (the operator mistyped it).
    for cmd in ["devices", "quarantine"] {
        let out = server.cli(&[cmd, "--team", "T99999"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains("no team 'T99999'"),
            "{cmd}: {err}"
        );
    }
}

#[test]
fn a_team_leader_cannot_touch_another_teams_devices_or_quarantine() {
    let server = Server::start_demo();
    let owner = server.login_as("team_leader", TEAM);
    let stranger = server.login_as("team_leader", OTHER_TEAM);
    let (p, batch) = revoked_phone_with_a_kept_batch(&server, &owner);

    server
        .admin_post(
            &format!("/v1/devices/{}/unrevoke", p.device_id),
            &stranger,
            None,
        )
        .expect_error(403, "out_of_scope");
    server
        .get(&format!("/v1/teams/{TEAM}/quarantine"), Some(&stranger))
        .expect_error(403, "out_of_scope");
    server
        .get(
            &format!("/v1/teams/{TEAM}/devices?stale_days=3"),
            Some(&stranger),
        )
        .expect_error(403, "out_of_scope");
    let reason = Some(json!({"reason": "not mine"}));
    for act in ["count", "discard"] {
        server
            .admin_post(
                &format!("/v1/quarantine/{}/{act}", batch["id"]),
                &stranger,
                reason.clone(),
            )
            .expect_error(403, "out_of_scope");
    }
    let still = server
        .get(&format!("/v1/teams/{TEAM}/quarantine"), Some(&owner))
        .expect(200)
        .body;
    assert!(
        still["batches"][0]["decision"].is_null(),
        "nothing was decided"
    );
    server
        .admin_post("/v1/quarantine/999999/count", &owner, reason)
        .expect_error(404, "unknown_batch");
}

#[test]
fn an_unrevoked_phone_syncs_again_with_the_tokens_it_held() {
    let server = Server::start_demo();
    let leader = server.login_as("team_leader", TEAM);
    let leader = leader.as_str();
    let mut p = server.enroll(TEAM);
    let village = p.village().to_owned();
    server
        .admin_post(&format!("/v1/devices/{}/revoke", p.device_id), leader, None)
        .expect(200);
    server.refresh(&p.refresh_token).expect(403);
    server
        .admin_post(
            &format!("/v1/devices/{}/unrevoke", p.device_id),
            leader,
            None,
        )
        .expect(200);

    let e = p.event(KIND, &village, 1);
    server.push(&p, &[e]).expect(200);
    server.refresh(&p.refresh_token).expect(200);
    server
        .admin_post(
            &format!("/v1/devices/{}/unrevoke", p.device_id),
            leader,
            None,
        )
        .expect_error(409, "device_not_revoked");

    // The operator's way: revoke and un-revoke on the CLI.
    server.cli_ok(&["revoke-device", &p.device_id]);
    server.cli_ok(&["unrevoke-device", &p.device_id]);
    let e = p.event(KIND, &village, 1);
    server.push(&p, &[e]).expect(200);
    let admin = server.login_as("province_admin", PROVINCE);
    let audit = server
        .get("/v1/admin/audit?action=device.unrevoke", Some(&admin))
        .expect(200)
        .body;
    let vias: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| s(e, "via"))
        .collect();
    assert_eq!(vias, ["api", "cli"], "{audit}");
}

#[test]
fn counting_a_kept_batch_changes_the_tallies_exactly_once() {
    let r = Review::new();
    let (server, leader, batch, before) = (&r.server, r.leader.as_str(), &r.batch, r.before);
    let path = format!("/v1/quarantine/{}/count", batch["id"]);

    server
        .admin_post(&path, leader, Some(json!({"reason": "  "})))
        .expect_error(400, "invalid_reason");
    let counted = server
        .admin_post(
            &path,
            leader,
            Some(json!({"reason": "điện thoại đã tìm thấy"})),
        )
        .expect(200)
        .body;

    let statuses: Vec<&str> = counted["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| s(r, "status"))
        .collect();
    assert_eq!(statuses, ["accepted", "accepted"], "{counted}");
    assert_eq!(counted["batch"]["decision"], "counted");
    assert_eq!(counted["batch"]["reason"], "điện thoại đã tìm thấy");
    assert_eq!(r.total(), before + 5);
    for act in ["count", "discard"] {
        server
            .admin_post(
                &format!("/v1/quarantine/{}/{act}", batch["id"]),
                leader,
                Some(json!({"reason": "again"})),
            )
            .expect_error(409, "already_decided");
    }
    assert_eq!(r.total(), before + 5);
    server.assert_tallies_verify();
    let admin = server.login_as("province_admin", PROVINCE);
    let audit = server
        .get("/v1/admin/audit?action=quarantine.count", Some(&admin))
        .expect(200)
        .body;
    let entry = &audit["entries"][0];
    assert_eq!(
        entry["after"]["reason"], "điện thoại đã tìm thấy",
        "{audit}"
    );
    assert_eq!(entry["after"]["results"]["accepted"], 2);
}

#[test]
fn discarding_counts_nothing_and_the_cli_reviews_too() {
    let r = Review::new();
    let (server, leader, batch, before) = (&r.server, r.leader.as_str(), &r.batch, r.before);

    let discarded = server
        .admin_post(
            &format!("/v1/quarantine/{}/discard", batch["id"]),
            leader,
            Some(json!({"reason": "stolen phone"})),
        )
        .expect(200)
        .body;

    assert_eq!(discarded["batch"]["decision"], "discarded");
    assert!(discarded["results"].as_array().unwrap().is_empty());
    assert_eq!(r.total(), before);
    server.assert_tallies_verify();
    let listed = server.cli_ok(&["quarantine", "--team", TEAM]);
    assert!(listed.contains("\"discarded\""), "{listed}");
    let again = server.cli(&[
        "review-quarantine",
        "--batch",
        &batch["id"].to_string(),
        "--count",
        "--reason",
        "changed my mind",
    ]);
    assert!(!again.status.success(), "decided once");
    assert_eq!(r.total(), before);
}

#[test]
fn the_operator_counts_a_kept_batch_on_the_cli() {
    let r = Review::new();
    let (server, batch, before) = (&r.server, &r.batch, r.before);

    let out = server.cli_ok(&[
        "review-quarantine",
        "--batch",
        &batch["id"].to_string(),
        "--count",
        "--reason",
        "confirmed by the team leader",
    ]);

    assert_eq!(
        out.lines().filter(|l| l.contains("\taccepted")).count(),
        2,
        "{out}"
    );
    assert_eq!(r.total(), before + 5);
    server.assert_tallies_verify();
}
