//! Phone numbers volunteers type into their phones' names ("Điện thoại 0912345678 của
//! Lan") are masked wherever device names are listed (the team's devices and members over
//! HTTP, `langso members`), while the stored name stays as typed. No dashboard page and no
//! export lists device names.

use langso_tests::harness::Server;
use rusqlite::Connection;

const TEAM: &str = "T00001";
const TYPED: &str = "Điện thoại 0912345678 của Lan";
const SHOWN: &str = "Điện thoại 0912***678 của Lan";

#[test]
fn a_phone_number_in_a_device_name_is_masked_wherever_names_are_listed() {
    let s = Server::start_demo();
    let enrolled = s.enroll_raw(&s.invite(TEAM), TYPED).expect(200);
    let device = enrolled.body["device_id"].as_str().unwrap().to_owned();
    let leader = s.login_as("team_leader", TEAM);

    let devices = s
        .get(&format!("/v1/teams/{TEAM}/devices"), Some(&leader))
        .expect(200);
    let listed = devices.body["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device_id"] == device.as_str())
        .unwrap_or_else(|| panic!("{device} in {}", devices.body));
    assert_eq!(listed["name"], SHOWN);
    let members = s
        .get(&format!("/v1/teams/{TEAM}/members"), Some(&leader))
        .expect(200);
    let text = members.body.to_string();
    assert!(text.contains(SHOWN), "{text}");

    for args in [
        &["members", "--team", TEAM, "--json"][..],
        &["members", "--team", TEAM][..],
    ] {
        let out = s.cli_ok(args);
        assert!(out.contains(SHOWN), "{args:?}: {out}");
        assert!(!out.contains("0912345678"), "{args:?}: {out}");
    }
    assert!(!devices.body.to_string().contains("0912345678"));
    assert!(!text.contains("0912345678"));

    let stored: String = Connection::open(&s.db)
        .unwrap()
        .query_row(
            "SELECT name FROM devices WHERE name LIKE 'Điện thoại %'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, TYPED, "the stored name is unchanged");
}
