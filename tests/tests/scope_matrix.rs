//! Every scoped endpoint × every role × own / sibling / parent / other-district object:
//! the exact status (200 inside the scope, 403 `out_of_scope` outside it, 404 for what does
//! not exist) and no foreign unit's name or id in any body. Groupings of communes (issue 8)
//! are imported on the demo map: G1 holds commune 06649 only, G2 commune 06709.

use langso_tests::harness::{LEADER_PASSWORD, PROVINCE, Server};
use serde_json::json;

// Demo fixture (deterministic seed): commune 06649 (Phường Hà Khánh) and 06652 (Phường Hà
// Phong) in district 193 (Thành phố Hạ Long); 06709 (Phường Ka Long) in district 194.
const TEAM_A: &str = "T00178"; // village team, V000001, commune 06649
const TEAM_A2: &str = "T00179"; // its sibling: village team in the same commune
const TEAM_C1: &str = "T00001"; // the commune team of 06649 (the team's parent level)
const TEAM_C2: &str = "T00002"; // commune team of 06652, same district
const TEAM_D2: &str = "T00034"; // commune team of 06709, another district
const VILLAGE_A: &str = "V000001";
const C1: &str = "06649";
const C2: &str = "06652";
const D1: &str = "193";
const D2: &str = "194";
const G1: &str = "G1";
const G2: &str = "G2";
const GROUPINGS_CSV: &str = "grouping_code,grouping_name,kind,commune_code\n\
                             G1,Cụm thử Một,cluster,06649\n\
                             G2,Cụm thử Hai,cluster,06709\n";

struct Role {
    role: &'static str,
    scope: &'static str,
    teams: &'static [&'static str],
    units: &'static [(&'static str, &'static str)],
}

/// What each role may see among the fixture's objects.
const ROLES: [Role; 5] = [
    Role {
        role: "team_leader",
        scope: TEAM_A,
        teams: &[TEAM_A],
        units: &[("team", TEAM_A), ("village", VILLAGE_A)],
    },
    Role {
        role: "commune_leader",
        scope: C1,
        teams: &[TEAM_A, TEAM_A2, TEAM_C1],
        units: &[("team", TEAM_A), ("village", VILLAGE_A), ("commune", C1)],
    },
    Role {
        role: "grouping_leader",
        scope: G1,
        teams: &[TEAM_A, TEAM_A2, TEAM_C1],
        units: &[
            ("team", TEAM_A),
            ("village", VILLAGE_A),
            ("commune", C1),
            ("grouping", G1),
        ],
    },
    Role {
        role: "district_leader",
        scope: D1,
        teams: &[TEAM_A, TEAM_A2, TEAM_C1, TEAM_C2],
        units: &[
            ("team", TEAM_A),
            ("village", VILLAGE_A),
            ("commune", C1),
            ("commune", C2),
            ("district", D1),
        ],
    },
    Role {
        role: "province_admin",
        scope: PROVINCE,
        teams: &[TEAM_A, TEAM_A2, TEAM_C1, TEAM_C2, TEAM_D2],
        units: &[
            ("team", TEAM_A),
            ("village", VILLAGE_A),
            ("commune", C1),
            ("commune", C2),
            ("district", D1),
            ("district", D2),
            ("grouping", G1),
            ("grouping", G2),
            ("province", PROVINCE),
        ],
    },
];

const ALL_TEAMS: [&str; 5] = [TEAM_A, TEAM_A2, TEAM_C1, TEAM_C2, TEAM_D2];
const ALL_UNITS: [(&str, &str); 9] = [
    ("team", TEAM_A),
    ("village", VILLAGE_A),
    ("commune", C1),
    ("commune", C2),
    ("district", D1),
    ("district", D2),
    ("grouping", G1),
    ("grouping", G2),
    ("province", PROVINCE),
];

/// Names that must never appear in a body served to `role`: those of the fixture's units and
/// teams outside its scope.
fn foreign_names(server: &Server, role: &Role) -> Vec<String> {
    let mut names = Vec::new();
    for t in ALL_TEAMS.iter().filter(|t| !role.teams.contains(t)) {
        names.push((*t).to_owned());
        names.push(server.team(t)["name"].as_str().unwrap().to_owned());
    }
    for (kind, id) in [
        ("commune", C2),
        ("district", D2),
        ("grouping", G1),
        ("grouping", G2),
    ] {
        if !role.units.contains(&(kind, id)) {
            names.push(unit_name(id).to_owned());
        }
    }
    names
}

fn unit_name(code: &str) -> &'static str {
    match code {
        C2 => "Phường Hà Phong",
        D2 => "Thành phố Móng Cái",
        G1 => "Cụm thử Một",
        G2 => "Cụm thử Hai",
        _ => unreachable!(),
    }
}

fn assert_clean(body: &str, foreign: &[String], what: &str) {
    for name in foreign {
        assert!(
            !body.contains(name.as_str()),
            "{what}: the body names {name:?}, outside the scope:\n{body}"
        );
    }
}

#[test]
fn every_scoped_endpoint_answers_each_role_exactly_and_leaks_nothing() {
    let server = Server::start_demo();
    let file = server.db.with_file_name("groupings.csv");
    std::fs::write(&file, GROUPINGS_CSV).unwrap();
    server.cli_ok(&["import-groupings", file.to_str().unwrap()]);
    // A device in each team, so device listings and revocations have something to act on.
    let devices: Vec<(String, String)> = ALL_TEAMS
        .iter()
        .map(|t| (t.to_string(), server.enroll(t).device_id))
        .collect();
    let mut checked = 0;
    for role in &ROLES {
        let username = server.new_leader(role.role, role.scope);
        let token = server.login(&username, LEADER_PASSWORD).expect(200).body["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let cookie = format!(
            "langso_session={}",
            server
                .cookie_login(&username, LEADER_PASSWORD)
                .session_cookie()
                .unwrap()
        );
        let foreign = foreign_names(&server, role);

        for team in ALL_TEAMS {
            let expected = if role.teams.contains(&team) { 200 } else { 403 };
            let what = format!("{} on team {team}", role.role);
            let r = server.get(&format!("/v1/teams/{team}/devices"), Some(&token));
            assert_eq!(r.status, expected, "GET devices, {what}: {}", r.body);
            assert_clean(&r.body.to_string(), &foreign, &what);
            let r = server.post(
                &format!("/v1/teams/{team}/invites"),
                Some(&token),
                &json!({}),
            );
            assert_eq!(r.status, expected, "POST invites, {what}: {}", r.body);
            assert_clean(&r.body.to_string(), &foreign, &what);
            if expected == 403 {
                let device = &devices.iter().find(|(t, _)| t == team).unwrap().1;
                let r = server.post(
                    &format!("/v1/devices/{device}/revoke"),
                    Some(&token),
                    &json!({}),
                );
                assert_eq!(r.status, 403, "POST revoke, {what}: {}", r.body);
                assert_eq!(r.code(), "out_of_scope");
            }
            checked += 3;
        }
        for (kind, id) in ALL_UNITS {
            let expected = if role.units.contains(&(kind, id)) {
                200
            } else {
                403
            };
            let what = format!("{} on {kind} {id}", role.role);
            let query = format!("unit_kind={kind}&unit={id}&period=month");
            for path in ["/v1/reports/summary", "/v1/reports/coverage"] {
                let r = server.get(&format!("{path}?{query}"), Some(&token));
                assert_eq!(r.status, expected, "{path}, {what}: {}", r.body);
                assert_clean(&r.body.to_string(), &foreign, &format!("{path}, {what}"));
                checked += 1;
            }
            let of = match kind {
                "team" => Some("volunteers"),
                "commune" => Some("teams"),
                "district" | "grouping" => Some("communes"),
                "province" => Some("districts"),
                _ => None,
            };
            if let Some(of) = of {
                let path = format!(
                    "/v1/reports/leaderboard?scope_kind={kind}&scope={id}&of={of}&period=month"
                );
                let r = server.get(&path, Some(&token));
                assert_eq!(r.status, expected, "{path}, {what}: {}", r.body);
                if kind != "province" {
                    assert_clean(&r.body.to_string(), &foreign, &format!("{path}, {what}"));
                }
                checked += 1;
            }
            let page = server.send_get_with_cookie(&format!("/?unit={kind}:{id}"), &cookie);
            assert_eq!(page.0, expected, "dashboard, {what}: {}", page.1);
            assert_clean(&page.1, &foreign, &format!("dashboard, {what}"));
            checked += 1;
        }
        // Unknown objects are 404 for everyone.
        assert_eq!(
            server.get("/v1/teams/T09999/devices", Some(&token)).status,
            404
        );
        assert_eq!(
            server
                .send_get_with_cookie("/?unit=commune:99999", &cookie)
                .0,
            404
        );
    }
    assert!(checked >= 5 * (5 * 3 + 9));
}
