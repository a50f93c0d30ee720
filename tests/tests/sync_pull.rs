//! Pull, end to end: the real `langso` binary over loopback HTTP — first pulls page through
//! everything once, incremental pulls deliver changes, bad cursors are refused.

use langso_domain::kinds::default_catalogue;
use langso_tests::harness::{Phone, Server};
use langso_tests::sync_api::{MAP, OTHER_TEAM, TEAM};
use serde_json::{Value, json};
use std::collections::BTreeSet;

// ---- pull ----

/// Pulls pages of `limit` from `cursor` until `has_more` is false; returns every change and
/// the final cursor.
fn pull_all(
    s: &Server,
    p: &Phone,
    cursor: Option<&str>,
    limit: usize,
) -> (Vec<Value>, String, usize) {
    let (mut changes, mut cursor, mut pages) = (Vec::new(), cursor.map(str::to_owned), 0);
    loop {
        let r = s
            .pull(&p.access_token, cursor.as_deref(), Some(limit))
            .expect(200);
        let page = r.body["changes"].as_array().expect("changes").clone();
        assert!(page.len() <= limit, "a page holds at most limit changes");
        assert_eq!(r.body["reset"], false);
        changes.extend(page);
        pages += 1;
        cursor = Some(
            r.body["next_cursor"]
                .as_str()
                .expect("next_cursor")
                .to_owned(),
        );
        if r.body["has_more"] == false {
            return (changes, cursor.expect("a cursor"), pages);
        }
        assert!(pages < 100, "pull never ends");
    }
}

fn ids_of<'a>(changes: &'a [Value], entity: &str) -> Vec<&'a str> {
    changes
        .iter()
        .filter(|c| c["entity"] == entity)
        .map(|c| c["id"].as_str().expect("id"))
        .collect()
}

#[test]
fn first_pull_pages_through_kinds_team_and_villages_exactly_once() {
    let s = Server::start_quiet_demo_on(MAP);
    let p = s.enroll(TEAM);

    let (changes, _, pages) = pull_all(&s, &p, None, 3);

    assert!(pages > 3, "a small limit needs several pages");
    let mut kinds = ids_of(&changes, "kind");
    kinds.sort_unstable();
    let mut catalogue: Vec<String> = default_catalogue().into_iter().map(|k| k.code).collect();
    catalogue.sort_unstable();
    assert_eq!(kinds, catalogue);
    assert_eq!(ids_of(&changes, "team"), [TEAM]);
    assert_eq!(ids_of(&changes, "village"), p.villages);
    assert_eq!(
        changes.len(),
        catalogue.len() + 1 + p.villages.len(),
        "nothing else, nothing twice"
    );
    assert!(changes.iter().all(|c| c["op"] == "upsert"));
    for v in changes.iter().filter(|c| c["entity"] == "village") {
        let d = &v["data"];
        assert_eq!(d["commune_code"], json!(s.commune_of(TEAM)));
        assert!(
            !d["commune_name"].as_str().unwrap_or_default().is_empty(),
            "{d}"
        );
        // Today's map has no districts: the commune's parent is the province.
        assert_eq!(d["district_name"], Value::Null, "{d}");
        assert_eq!(d["district_code"], "22", "{d}");
    }
}

#[test]
fn incremental_pull_delivers_team_village_changes_made_by_the_cli() {
    let s = Server::start_quiet_demo_on(MAP);
    let p = s.enroll(TEAM);
    let (_, cursor, _) = pull_all(&s, &p, None, 50);
    let dropped = p.villages.last().expect("a village").clone();
    let added = s.team(OTHER_TEAM)["village_ids"][0]
        .as_str()
        .expect("village")
        .to_owned();
    let mut new_set: Vec<&str> = p
        .villages
        .iter()
        .map(String::as_str)
        .filter(|v| *v != dropped)
        .collect();
    new_set.push(&added);
    let mut args = vec!["team-villages", "--team", TEAM];
    args.extend(&new_set);
    s.cli_ok(&args);

    let (changes, _, _) = pull_all(&s, &p, Some(&cursor), 50);

    let summary: BTreeSet<(String, String, String)> = changes
        .iter()
        .map(|c| {
            (
                c["entity"].to_string(),
                c["op"].to_string(),
                c["id"].to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String, String)> = [
        ("village", "delete", dropped.as_str()),
        ("village", "upsert", added.as_str()),
        ("team", "upsert", TEAM),
    ]
    .iter()
    .map(|(e, o, i)| {
        (
            json!(e).to_string(),
            json!(o).to_string(),
            json!(i).to_string(),
        )
    })
    .collect();
    assert_eq!(summary, expected);
    assert_eq!(changes.len(), 3);
    let team = changes
        .iter()
        .find(|c| c["entity"] == "team")
        .expect("team change");
    let mut want: Vec<&str> = new_set.clone();
    want.sort_unstable();
    assert_eq!(team["data"]["village_ids"], json!(want));
}

#[test]
fn a_garbage_cursor_is_refused_with_400() {
    let s = Server::start_quiet_demo_on(MAP);
    let p = s.enroll(TEAM);

    let r = s.pull(&p.access_token, Some("not-a-cursor"), None);

    let r = r.expect(400);
    assert!(!r.code().is_empty(), "{}", r.body);
}
