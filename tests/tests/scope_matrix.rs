//! Every scoped endpoint × every role × own / sibling / parent / other-commune /
//! other-district (or other-grouping) object, on today's map (with the former districts as
//! groupings, issue 8) and on one with districts: the exact status (200 inside the scope,
//! 403 `out_of_scope` outside it, 404 for what does not exist) and no foreign unit's name or
//! id in any body.

use langso_tests::harness::{LEADER_PASSWORD, PROVINCE, Server};
use serde_json::json;

/// The objects of one demo map the matrix runs over: a team (`a`), its sibling in the same
/// commune (`a2`), its commune's team (`c1_team`), the team of another commune nearby
/// (`c2_team`) and of a far one (`far_team`); the communes `c1`, `c2`, the unit `d1`
/// holding both (a district, or on today's map the former district as a grouping), the far
/// units (a far commune, the other district or grouping); the names that must not leak.
struct Fixture {
    map: &'static str,
    a: &'static str,
    a2: &'static str,
    c1_team: &'static str,
    c2_team: &'static str,
    far_team: &'static str,
    village_a: &'static str,
    c1: &'static str,
    c2: &'static str,
    /// (kind, code) of the unit holding `c1` and `c2`: `district` or `grouping`.
    d1: (&'static str, &'static str),
    /// (kind, code) of the far units.
    far: &'static [(&'static str, &'static str)],
    /// (code, name) of `c2` and of the far units.
    foreign: &'static [(&'static str, &'static str)],
}

/// Today's map (deterministic seed): V000001 and V000002 lie in Phường Cao Xanh (06658);
/// Phường Hà Tu (06652) is its neighbour, both in the grouping 193 (Thành phố Hạ Long (cũ),
/// the former district the demo imports as a grouping); Phường Móng Cái 2 (06709) is far
/// away, in the grouping 194 (Thành phố Móng Cái (cũ)). No districts.
const TODAY: Fixture = Fixture {
    map: "quang-ninh-2025",
    a: "T00001",
    a2: "T00002",
    c1_team: "T01454",
    c2_team: "T01453",
    far_team: "T01461",
    village_a: "V000001",
    c1: "06658",
    c2: "06652",
    d1: ("grouping", "193"),
    far: &[("commune", "06709"), ("grouping", "194")],
    foreign: &[
        ("06652", "Phường Hà Tu"),
        ("06709", "Phường Móng Cái 2"),
        ("194", "Thành phố Móng Cái (cũ)"),
    ],
};

/// The 171-commune map of 2024-11: commune 06649 (Phường Hà Khánh) and 06652 (Phường Hà
/// Phong) in district 193 (Thành phố Hạ Long); 06709 (Phường Ka Long) in district 194.
const WITH_DISTRICTS: Fixture = Fixture {
    map: "quang-ninh-2024-11",
    a: "T00001",
    a2: "T00002",
    c1_team: "T01453",
    c2_team: "T01454",
    far_team: "T01485",
    village_a: "V000001",
    c1: "06649",
    c2: "06652",
    d1: ("district", "193"),
    far: &[("district", "194")],
    foreign: &[("06652", "Phường Hà Phong"), ("194", "Thành phố Móng Cái")],
};

struct Role {
    role: &'static str,
    scope: &'static str,
    teams: Vec<&'static str>,
    units: Vec<(&'static str, &'static str)>,
}

impl Fixture {
    fn teams(&self) -> [&'static str; 5] {
        [self.a, self.a2, self.c1_team, self.c2_team, self.far_team]
    }

    fn units(&self) -> Vec<(&'static str, &'static str)> {
        let mut units = vec![
            ("team", self.a),
            ("village", self.village_a),
            ("commune", self.c1),
            ("commune", self.c2),
            self.d1,
        ];
        units.extend(self.far);
        units.push(("province", PROVINCE));
        units
    }

    /// What each role may see among the fixture's objects.
    fn roles(&self) -> Vec<Role> {
        let (d1_kind, d1) = self.d1;
        vec![
            Role {
                role: "team_leader",
                scope: self.a,
                teams: vec![self.a],
                units: vec![("team", self.a), ("village", self.village_a)],
            },
            Role {
                role: "commune_leader",
                scope: self.c1,
                teams: vec![self.a, self.a2, self.c1_team],
                units: vec![
                    ("team", self.a),
                    ("village", self.village_a),
                    ("commune", self.c1),
                ],
            },
            Role {
                role: if d1_kind == "district" {
                    "district_leader"
                } else {
                    "grouping_leader"
                },
                scope: d1,
                teams: vec![self.a, self.a2, self.c1_team, self.c2_team],
                units: vec![
                    ("team", self.a),
                    ("village", self.village_a),
                    ("commune", self.c1),
                    ("commune", self.c2),
                    self.d1,
                ],
            },
            Role {
                role: "province_admin",
                scope: PROVINCE,
                teams: self.teams().to_vec(),
                units: self.units(),
            },
        ]
    }

    /// Names that must never appear in a body served to `role`: those of the fixture's
    /// units and teams outside its scope.
    fn foreign_names(&self, server: &Server, role: &Role) -> Vec<String> {
        let mut names = Vec::new();
        for t in self.teams().iter().filter(|t| !role.teams.contains(t)) {
            names.push((*t).to_owned());
            names.push(server.team(t)["name"].as_str().unwrap().to_owned());
        }
        for (code, name) in self.foreign.iter().copied() {
            if !role.units.iter().any(|(_, id)| *id == code) {
                names.push(name.to_owned());
            }
        }
        names
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
fn every_scoped_endpoint_answers_each_role_exactly_and_leaks_nothing_on_todays_map() {
    matrix(&TODAY);
}

#[test]
fn every_scoped_endpoint_answers_each_role_exactly_and_leaks_nothing_on_a_map_with_districts() {
    matrix(&WITH_DISTRICTS);
}

fn matrix(f: &Fixture) {
    let server = Server::start_quiet_demo_on(f.map);
    // A device in each team, so device listings and revocations have something to act on.
    let devices: Vec<(String, String)> = f
        .teams()
        .iter()
        .map(|t| (t.to_string(), server.enroll(t).device_id))
        .collect();
    let mut checked = 0;
    let roles = f.roles();
    for role in &roles {
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
        let foreign = f.foreign_names(&server, role);

        for team in f.teams() {
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
        for (kind, id) in f.units() {
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
            let of: &[&str] = match kind {
                "team" => &["volunteers"],
                "commune" => &["teams"],
                "district" | "grouping" => &["communes", "teams"],
                "province" if f.d1.0 == "district" => &["districts"],
                "province" => &["communes", "groupings"],
                _ => &[],
            };
            for of in of {
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
        for unit in ["commune:99999", "grouping:999"] {
            let (status, body) = server.send_get_with_cookie(&format!("/?unit={unit}"), &cookie);
            assert_eq!(status, 404, "dashboard, {} on {unit}: {body}", role.role);
        }
        let r = server.get(
            "/v1/reports/summary?unit_kind=grouping&unit=999&period=month",
            Some(&token),
        );
        assert_eq!(
            r.status, 404,
            "summary, {} on grouping 999: {}",
            role.role, r.body
        );
        assert_eq!(r.code(), "unknown_unit");
    }
    assert!(checked >= roles.len() * (5 * 3 + f.units().len()));
}
