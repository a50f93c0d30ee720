//! One member shape for the operator and the API: `langso members --json` lists each member
//! exactly as `GET /v1/teams/{team_id}/members` does (the API's answer is checked against
//! api-spec/openapi.yaml), plus the member's `team_id`. Both are built from one wire type
//! (`langso_server::wire::TeamMemberWire`); this guards that they stay one.

use langso_tests::harness::{Server, str_field};
use serde_json::Value;

const TEAM: &str = "T00001";

#[test]
fn the_cli_lists_members_as_the_api_does_plus_their_team() {
    let s = Server::start_quiet_demo_on("quang-ninh-2025");
    let leader = s.login_as("team_leader", TEAM);
    let mut kept = s.enroll(TEAM);
    let revoked = s.enroll(TEAM);
    let village = kept.village().to_owned();
    let event = kept.event("vneid_activation", &village, 2);
    s.push(&kept, &[event]).expect(200);
    s.cli_ok(&["revoke-device", &revoked.device_id]);

    let api = s
        .get(&format!("/v1/teams/{TEAM}/members"), Some(&leader))
        .expect(200);
    let cli: Vec<Value> =
        serde_json::from_str(&s.cli_ok(&["members", "--team", TEAM, "--json"])).unwrap();

    let api = api.body["members"].as_array().expect("members").clone();
    assert!(
        api.iter().any(|m| m["unassigned"] == true),
        "an unbound code made an unassigned member: {api:?}"
    );
    assert_eq!(cli.len(), api.len());
    for (mut c, a) in cli.into_iter().zip(api) {
        let team = c
            .as_object_mut()
            .unwrap()
            .remove("team_id")
            .expect("the CLI names the team");
        assert_eq!(team, TEAM);
        assert_eq!(c, a, "member {}", str_field(&a, "member_id"));
    }
}
