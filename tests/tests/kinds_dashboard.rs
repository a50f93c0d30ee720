//! The catalogue page (issue 9): the province administrator adds a kind and deactivates it
//! from the dashboard; a team leader is shown a 403 page, not the catalogue.

use langso_tests::harness::{LEADER_PASSWORD, PROVINCE, Server, form_encode};
use langso_tests::reports::{TEAM, TODAY};

fn cookie(s: &Server, username: &str) -> String {
    let c = s
        .cookie_login(username, LEADER_PASSWORD)
        .session_cookie()
        .expect("a session cookie");
    format!("langso_session={c}")
}

#[test]
fn the_province_admin_adds_and_deactivates_a_kind_on_the_page() {
    let s = Server::start_quiet_demo_on(TODAY);
    let admin = s.new_leader("province_admin", PROVINCE);
    let c = cookie(&s, &admin);
    let (status, page) = s.send_get_with_cookie("/kinds", &c);
    assert_eq!(status, 200);
    assert!(page.contains("vneid_activation"), "{page}");

    let form = format!(
        "code=bdhvs_cert&label_vi={}&label_en=BDHVS+certificate&unit_vi={}&unit_en=person&weight=4",
        form_encode("Chứng nhận Bình dân học vụ số"),
        form_encode("người")
    );
    let (status, location, _) = s.post_form_with_cookie("/kinds", &c, &form);
    assert_eq!((status, location.as_deref()), (303, Some("/kinds?lang=vi")));
    let (_, page) = s.send_get_with_cookie("/kinds", &c);
    assert!(page.contains("Chứng nhận Bình dân học vụ số"), "{page}");

    let edit = format!(
        "label_vi={}&label_en=BDHVS+certificate&unit_vi={}&unit_en=person&weight=4&weight_from=&action=deactivate",
        form_encode("Chứng nhận Bình dân học vụ số"),
        form_encode("người")
    );
    let (status, _, _) = s.post_form_with_cookie("/kinds/bdhvs_cert", &c, &edit);
    assert_eq!(status, 303);
    let list: serde_json::Value =
        serde_json::from_str(&s.cli_ok(&["kinds", "list", "--json"])).expect("JSON");
    let k = list
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["code"] == "bdhvs_cert")
        .unwrap();
    assert_eq!(k["active"], false);
    let audit = s.cli_ok(&["audit", "--action", "kind"]);
    assert!(
        audit.contains("kind.add") && audit.contains("kind.deactivate"),
        "{audit}"
    );
    assert!(
        audit.contains(&admin),
        "the page's acts name who did them: {audit}"
    );

    let bad = "code=Bad&label_vi=x&label_en=x&unit_vi=x&unit_en=x&weight=-1";
    let (status, _, page) = s.post_form_with_cookie("/kinds", &c, bad);
    assert_eq!(status, 400);
    assert!(page.contains("role=\"alert\""), "{page}");
}

#[test]
fn a_team_leader_gets_a_forbidden_page() {
    let s = Server::start_quiet_demo_on(TODAY);
    let leader = s.new_leader("team_leader", TEAM);
    let c = cookie(&s, &leader);
    let (status, page) = s.send_get_with_cookie("/kinds", &c);
    assert_eq!(status, 403);
    assert!(!page.contains("vneid_activation"));
    let form = "code=x_kind&label_vi=x&label_en=x&unit_vi=x&unit_en=x&weight=1";
    assert_eq!(s.post_form_with_cookie("/kinds", &c, form).0, 403);
}
