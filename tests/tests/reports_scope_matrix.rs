//! Every report endpoint × every role × own / sibling / parent / other unit, over HTTP:
//! each role reads exactly its units and no body names a unit outside its scope.

use langso_tests::harness::{PROVINCE, Server};
use langso_tests::reports::{MAP_WITH_DISTRICTS, push};

// ---- scope matrix: every report endpoint × every role × own / sibling / parent / other

// Demo fixture (deterministic seed, the 171-commune map), as in tests/tests/scope_matrix.rs:
// communes 06649 and 06652 in district 193; 06709 in district 194.
const TEAM_A: &str = "T00001"; // village team of V000001, commune 06649
const TEAM_A2: &str = "T00002"; // a sibling village team in 06649
const TEAM_D2: &str = "T01485"; // commune team of 06709, district 194
const VILLAGE_A: &str = "V000001";
const C1: &str = "06649";
const C2: &str = "06652";
const D1: &str = "193";
const D2: &str = "194";

/// (kind, id) of units a role may read.
type Visible = &'static [(&'static str, &'static str)];

/// (role, scope, what it may read).
const MATRIX: [(&str, &str, Visible); 4] = [
    (
        "team_leader",
        TEAM_A,
        &[("team", TEAM_A), ("village", VILLAGE_A)],
    ),
    (
        "commune_leader",
        C1,
        &[("team", TEAM_A), ("village", VILLAGE_A), ("commune", C1)],
    ),
    (
        "district_leader",
        D1,
        &[
            ("team", TEAM_A),
            ("village", VILLAGE_A),
            ("commune", C1),
            ("commune", C2),
            ("district", D1),
        ],
    ),
    (
        "province_admin",
        PROVINCE,
        &[
            ("team", TEAM_A),
            ("village", VILLAGE_A),
            ("commune", C1),
            ("commune", C2),
            ("district", D1),
            ("district", D2),
            ("province", PROVINCE),
        ],
    ),
];

const UNITS: [(&str, &str); 7] = [
    ("team", TEAM_A),
    ("village", VILLAGE_A),
    ("commune", C1),
    ("commune", C2),
    ("district", D1),
    ("district", D2),
    ("province", PROVINCE),
];

/// The leaderboards each kind of scope can rank.
fn boards(kind: &str) -> &'static [&'static str] {
    match kind {
        "team" => &["volunteers"],
        "commune" => &["teams"],
        "district" => &["teams", "communes"],
        "province" => &["teams", "communes", "districts"],
        _ => &[],
    }
}

#[test]
fn every_report_endpoint_answers_each_role_exactly_and_leaks_nothing() {
    let s = Server::start_quiet_demo_on(MAP_WITH_DISTRICTS);
    for team in [TEAM_A, TEAM_A2, TEAM_D2] {
        let mut p = s.enroll(team);
        push(&s, &mut p, "vneid_activation", 1);
    }
    let name = |t: &str| s.team(t)["name"].as_str().unwrap().to_owned();
    let mut checked = 0;
    for (role, scope, visible) in MATRIX {
        let token = s.login_as(role, scope);
        // Names of teams and units outside the scope that no body may carry.
        let mut foreign: Vec<String> = Vec::new();
        for t in [TEAM_A2, TEAM_D2] {
            let sees = match role {
                "team_leader" => false,
                "commune_leader" | "district_leader" => t == TEAM_A2,
                _ => true,
            };
            if !sees {
                foreign.extend([t.to_owned(), name(t)]);
            }
        }
        if !visible.contains(&("district", D2)) {
            foreign.push("Thành phố Móng Cái".into());
        }
        if !visible.contains(&("commune", C2)) {
            foreign.push("Phường Hà Phong".into());
        }
        for (kind, id) in UNITS {
            let expected = if visible.contains(&(kind, id)) {
                200
            } else {
                403
            };
            let mut paths = vec![
                format!("/v1/reports/summary?unit_kind={kind}&unit={id}"),
                format!("/v1/reports/coverage?unit_kind={kind}&unit={id}"),
            ];
            for of in boards(kind) {
                paths.push(format!(
                    "/v1/reports/leaderboard?scope_kind={kind}&scope={id}&of={of}"
                ));
            }
            for path in paths {
                let r = s.get(&path, Some(&token));
                assert_eq!(r.status, expected, "{role} GET {path}: {}", r.body);
                if expected == 403 {
                    assert_eq!(r.code(), "out_of_scope");
                }
                let body = r.body.to_string();
                for f in &foreign {
                    assert!(
                        !body.contains(f.as_str()),
                        "{role} GET {path} names {f:?}: {body}"
                    );
                }
                checked += 1;
            }
        }
        for path in [
            "/v1/reports/summary?unit_kind=district&unit=999".to_owned(),
            "/v1/reports/coverage?unit_kind=village&unit=V999999".to_owned(),
            "/v1/reports/leaderboard?scope_kind=team&scope=T99999&of=volunteers".to_owned(),
        ] {
            s.get(&path, Some(&token)).expect_error(404, "unknown_unit");
            checked += 1;
        }
    }
    assert_eq!(checked, 4 * (7 * 2 + 1 + 1 + 2 + 3 + 3) + 4 * 3);
}
