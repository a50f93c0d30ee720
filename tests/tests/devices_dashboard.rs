//! A team's phones on the dashboard (issue 9, "Team leaders: the same for their own team's
//! devices"): the leader sees each phone's last sync, filters the quiet ones, revokes a
//! phone on the page, reviews what it pushed afterwards (a reason required; counted once,
//! `verify` clean), un-revokes it; another team's leader gets 403 pages.

use langso_tests::harness::{LEADER_PASSWORD, Server};

const TEAM: &str = "T00001";
const OTHER_TEAM: &str = "T00002";
const KIND: &str = "vneid_activation";

fn cookie(s: &Server, username: &str) -> String {
    let c = s
        .cookie_login(username, LEADER_PASSWORD)
        .session_cookie()
        .expect("a session cookie");
    format!("langso_session={c}")
}

/// The id of the first quarantined batch on the page (`action="/quarantine/ID?…"`).
fn batch_id(page: &str) -> String {
    let at = page
        .find("action=\"/quarantine/")
        .expect("a batch to review")
        + 20;
    page[at..at + page[at..].find('?').unwrap()].to_owned()
}

#[test]
fn a_team_leader_revokes_reviews_and_unrevokes_a_phone_on_the_page() {
    let s = Server::start_demo();
    let leader = s.new_leader("team_leader", TEAM);
    let c = cookie(&s, &leader);
    let witness = s.enroll(TEAM);
    let mut p = s.enroll(TEAM);
    let village = p.village().to_owned();
    let first = p.event(KIND, &village, 1);
    s.push(&p, &[first]).expect(200);

    let (status, team_page) = s.send_get_with_cookie(&format!("/?unit=team:{TEAM}"), &c);
    assert_eq!(status, 200);
    assert!(
        team_page.contains(&format!("href=\"/devices?team={TEAM}&amp;lang=vi\"")),
        "linked"
    );
    let (status, page) = s.send_get_with_cookie("/devices", &c);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(&p.device_id.to_string()), "{page}");
    let (_, quiet) = s.send_get_with_cookie(&format!("/devices?team={TEAM}&stale_days=3"), &c);
    assert!(
        !quiet.contains(&format!("/devices/{}?", p.device_id)),
        "a phone that just synced is not quiet"
    );
    let (status, _) = s.send_get_with_cookie("/devices?stale_days=soon", &c);
    assert_eq!(status, 400);

    let path = format!("/devices/{}?team={TEAM}", p.device_id);
    let (status, location, _) = s.post_form_with_cookie(&path, &c, "action=revoke");
    assert_eq!(
        (status, location.as_deref()),
        (303, Some(&*format!("/devices?team={TEAM}&lang=vi")))
    );
    // Revoking it again changes nothing and is not recorded twice.
    assert_eq!(s.post_form_with_cookie(&path, &c, "action=revoke").0, 303);
    let late = [p.event(KIND, &village, 2), p.event(KIND, &village, 3)];
    s.push(&p, &late).expect_error(403, "device_revoked");
    let before = s.totals(&witness, "village", &village)[KIND];

    let (_, page) = s.send_get_with_cookie("/devices", &c);
    let batch = batch_id(&page);
    let review = format!("/quarantine/{batch}?team={TEAM}");
    let (status, _, refused) = s.post_form_with_cookie(&review, &c, "action=count&reason=");
    assert_eq!(status, 400, "a reason is required");
    assert!(refused.contains("Hãy ghi lý do"), "{refused}");
    let (status, _, _) =
        s.post_form_with_cookie(&review, &c, "action=count&reason=phone+lost+then+found");
    assert_eq!(status, 303);
    assert_eq!(s.totals(&witness, "village", &village)[KIND], before + 5);
    let (status, _, again) = s.post_form_with_cookie(&review, &c, "action=discard&reason=twice");
    assert_eq!(status, 409, "decided once: {again}");
    assert_eq!(s.totals(&witness, "village", &village)[KIND], before + 5);
    s.assert_tallies_verify();

    let (status, _, _) = s.post_form_with_cookie(&path, &c, "action=unrevoke");
    assert_eq!(status, 303);
    let again = p.event(KIND, &village, 1);
    s.push(&p, &[again]).expect(200);
    let audit = s.cli_ok(&["audit", "--who", &leader]);
    for a in ["device.revoke", "quarantine.count", "device.unrevoke"] {
        assert_eq!(audit.matches(&format!(" {a} ")).count(), 1, "{a}: {audit}");
    }
}

#[test]
fn another_teams_leader_gets_403_pages() {
    let s = Server::start_demo();
    let p = s.enroll(TEAM);
    let stranger = s.new_leader("team_leader", OTHER_TEAM);
    let c = cookie(&s, &stranger);
    let (status, page) = s.send_get_with_cookie(&format!("/devices?team={TEAM}"), &c);
    assert_eq!(status, 403);
    assert!(page.starts_with("<!DOCTYPE html>") && !page.contains(&p.device_id.to_string()));
    let path = format!("/devices/{}?team={TEAM}", p.device_id);
    let (status, _, _) = s.post_form_with_cookie(&path, &c, "action=revoke");
    assert_eq!(status, 403);
    let (status, _, _) =
        s.post_form_with_cookie("/quarantine/1?team=T00001", &c, "action=discard&reason=x");
    assert!(status == 403 || status == 404, "{status}");
    let (status, _) = s.send_get_with_cookie("/devices", &c);
    assert_eq!(status, 200, "their own team's page");
}
