//! What a leader manages, by role: a team leader invites and revokes in its own team only,
//! and each role sees and manages exactly the teams within its scope. The real `langso`
//! binary over loopback HTTP; every answer is checked against api-spec/openapi.yaml.

use langso_tests::harness::{MAP_WITH_DISTRICTS, PROVINCE, Server, str_field as s};
use serde_json::{Value, json};

const TEAM: &str = "T00001";

/// Teams around `team`: another team of its commune, a team of another commune of its
/// district, and a team of another district.
fn neighbours(server: &Server, team: &str) -> (String, String, String) {
    let teams = server.teams();
    let me = server.team(team);
    let find = |pred: &dyn Fn(&Value) -> bool| {
        teams
            .iter()
            .find(|t| t["id"] != team && pred(t))
            .map(|t| s(t, "id").to_owned())
            .expect("the demo has such a team")
    };
    let sibling = sibling(server, team);
    let cousin = find(&|t| {
        t["district_code"] == me["district_code"] && t["commune_code"] != me["commune_code"]
    });
    let stranger = find(&|t| t["district_code"] != me["district_code"]);
    (sibling, cousin, stranger)
}

/// Another team of `team`'s commune.
fn sibling(server: &Server, team: &str) -> String {
    let me = server.team(team);
    server
        .teams()
        .iter()
        .find(|t| t["id"] != team && t["commune_code"] == me["commune_code"])
        .map(|t| s(t, "id").to_owned())
        .expect("a team in the same commune")
}

// ---- invites and devices through the API ----

#[test]
fn a_team_leader_invites_and_revokes_in_its_own_team_only() {
    // Without the demo's history and its phones: the team's devices are this test's.
    let server = Server::start_quiet_demo_on("quang-ninh-2025");
    let sibling = sibling(&server, TEAM);
    let leader = server.login_as("team_leader", TEAM);
    let sibling_phone = server.enroll(&sibling);

    let invite = server
        .post(
            &format!("/v1/teams/{TEAM}/invites"),
            Some(&leader),
            &json!({}),
        )
        .expect(200);
    let enrolled = server
        .enroll_raw(s(&invite.body, "code"), "Điện thoại của Hoa")
        .expect(200);
    let device = s(&enrolled.body, "device_id").to_owned();
    let listed = server
        .get(&format!("/v1/teams/{TEAM}/devices"), Some(&leader))
        .expect(200);
    let devices = listed.body["devices"].as_array().expect("devices");
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0]["device_id"], device.as_str());
    assert_eq!(devices[0]["name"], "Điện thoại của Hoa");
    assert_eq!(devices[0]["revoked_at"], Value::Null);

    for r in [
        server.post(
            &format!("/v1/teams/{sibling}/invites"),
            Some(&leader),
            &json!({}),
        ),
        server.get(&format!("/v1/teams/{sibling}/devices"), Some(&leader)),
        server.post(
            &format!("/v1/devices/{}/revoke", sibling_phone.device_id),
            Some(&leader),
            &json!({}),
        ),
    ] {
        let r = r.expect_error(403, "out_of_scope");
        assert!(!r.body.to_string().contains(&sibling), "{}", r.body);
    }
    server
        .post("/v1/teams/T99999/invites", Some(&leader), &json!({}))
        .expect_error(404, "unknown_unit");
    server
        .get("/v1/teams/T99999/devices", Some(&leader))
        .expect_error(404, "unknown_unit");
    server
        .post(
            &format!("/v1/devices/{}/revoke", uuid::Uuid::new_v4()),
            Some(&leader),
            &json!({}),
        )
        .expect_error(404, "unknown_device");

    let revoked = server
        .post(
            &format!("/v1/devices/{device}/revoke"),
            Some(&leader),
            &json!({}),
        )
        .expect(200);

    assert_eq!(revoked.body["device_id"], device.as_str());
    let token = s(&enrolled.body, "access_token");
    server
        .pull(token, None, Some(1))
        .expect_error(403, "device_revoked");
    let listed = server
        .get(&format!("/v1/teams/{TEAM}/devices"), Some(&leader))
        .expect(200);
    assert_eq!(
        listed.body["devices"][0]["revoked_at"],
        revoked.body["revoked_at"]
    );
    server
        .pull(&sibling_phone.access_token, None, Some(1))
        .expect(200);
}

// ---- scope across roles ----

#[test]
fn each_role_sees_its_scope_and_manages_only_teams_within_it() {
    let server = Server::start_demo_on(MAP_WITH_DISTRICTS, &[]);
    let (sibling, cousin, stranger) = neighbours(&server, TEAM);
    // Which of (own team, sibling, cousin, stranger) each role may manage.
    let cases = [
        ("team_leader", [true, false, false, false]),
        ("commune_leader", [true, true, false, false]),
        ("district_leader", [true, true, true, false]),
        ("province_admin", [true, true, true, true]),
    ];
    for (role, allowed) in cases {
        let scope = server.scope_for(role, TEAM);
        let token = server.login_as(role, &scope);

        let me = server.get("/v1/me", Some(&token)).expect(200);

        assert_eq!(me.body["role"], role);
        assert_eq!(me.body["scope"]["id"], scope.as_str());
        assert!(me.body["scope"]["name"].is_string(), "{}", me.body);
        for (team, ok) in [TEAM, &sibling, &cousin, &stranger]
            .into_iter()
            .zip(allowed)
        {
            let r = server.get(&format!("/v1/teams/{team}/devices"), Some(&token));
            if ok {
                assert_eq!(r.expect(200).body["team_id"], team, "{role} on {team}");
            } else {
                let r = r.expect_error(403, "out_of_scope");
                assert!(!r.body.to_string().contains(team), "{role}: {}", r.body);
            }
        }
        server
            .get("/v1/teams/T99999/devices", Some(&token))
            .expect_error(404, "unknown_unit");
    }
    assert_eq!(server.scope_for("province_admin", TEAM), PROVINCE);
}
