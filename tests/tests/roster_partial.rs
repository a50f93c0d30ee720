//! A partial roster on a live server (issue 8 acceptance): one team's own teams table,
//! imported by the province, would end the coverage of every other team. It is refused, all
//! or nothing, with one `village_without_team` problem per village left without a team
//! (row null, naming the village), over the API's dry run and the CLI; the CLI prints the
//! first 50 of them and how many more, and nothing changes.

use langso_tests::harness::{PROVINCE, Server};
use serde_json::Value;
use std::collections::BTreeSet;

const TEAM: &str = "T00001";

fn village_ids(team: &Value) -> BTreeSet<String> {
    team["village_ids"]
        .as_array()
        .unwrap_or_else(|| panic!("village_ids in {team}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn one_teams_table_imported_by_the_province_is_refused_village_by_village() {
    let server = Server::start_demo();
    let before = server.teams();
    let mine = village_ids(&server.team(TEAM));
    let lost: BTreeSet<String> = before
        .iter()
        .flat_map(village_ids)
        .filter(|v| !mine.contains(v))
        .collect();
    assert!(lost.len() > 50, "the demo has more than 50 other villages");
    let csv = format!(
        "team_code,team_name,commune_code,village_codes\n{TEAM},Tổ một,{},{}\n",
        server.commune_of(TEAM),
        mine.iter().cloned().collect::<Vec<_>>().join(";")
    );

    // The API's dry run: 422 `invalid_roster`, one problem per village, row null, naming it.
    let admin = server.login_as("province_admin", PROVINCE);
    let auth = format!("Bearer {admin}");
    let r = server
        .send(
            "POST",
            "/v1/admin/roster?dry_run=true",
            &[("content-type", "text/csv"), ("authorization", &auth)],
            Some(csv.as_bytes()),
        )
        .resp
        .expect_error(422, "invalid_roster");
    let report = &r.body["report"];
    let problems = report["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", r.body));
    assert_eq!(problems.len(), lost.len(), "{report}");
    for (p, village) in problems.iter().zip(&lost) {
        assert_eq!(p["code"], "village_without_team", "{p}");
        assert_eq!(p["row"], Value::Null, "{p}");
        let message = p["message"].as_str().unwrap();
        assert!(message.contains(&format!("'{village}'")), "{message}");
    }
    assert_eq!(report["applied"], false);

    // The CLI, for real: exit non-zero, the first 50 and a count, nothing changed.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("to-mot.csv");
    std::fs::write(&file, &csv).unwrap();
    let out = server.cli(&["import-roster", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let listed = stdout
        .lines()
        .filter(|l| l.ends_with("(village_without_team)"))
        .count();
    assert_eq!(listed, 50, "{stdout}");
    let more = format!(
        "… and {} more village_without_team problem(s) ({} in all",
        lost.len() - 50,
        lost.len()
    );
    assert!(stdout.contains(&more), "{stdout}");
    assert!(stdout.contains("not imported"), "{stdout}");
    assert_eq!(server.teams(), before, "nothing changed");
}
