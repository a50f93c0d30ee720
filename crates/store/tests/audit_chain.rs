//! The audit log's store rules (issue 9): an act and its entry commit together (a refused
//! act writes none), entries chain, and a removed entry is found by `verify_integrity`.

mod common;

use langso_domain::TeamId;
use langso_domain::audit::Actor;
use langso_domain::scope::{Role, UnitKind, UnitRef};
use langso_store::AuditQuery;

fn all(store: &langso_store::Store) -> Vec<langso_store::AuditEntry> {
    store
        .audit(&AuditQuery {
            limit: 1000,
            ..Default::default()
        })
        .unwrap()
}

#[test]
fn a_refused_act_writes_no_entry_and_a_done_one_writes_exactly_one() {
    let (_dir, store) = common::demo_store();
    let before = all(&store).len();
    let nowhere = UnitRef::new(UnitKind::Commune, "99999");
    let refused = store.create_user(&Actor::operator(), "lan", Role::CommuneLeader, &nowhere);
    assert!(refused.is_err());
    assert_eq!(all(&store).len(), before);

    let team = TeamId::parse("T00001").unwrap();
    let by = Actor::user("hoa", Some("203.0.113.7".into()));
    store.create_invite(&by, &team, None).unwrap();
    let after = all(&store);
    assert_eq!(after.len(), before + 1);
    let e = after.last().unwrap();
    assert_eq!(
        (e.action.as_str(), e.subject.as_str()),
        ("invite.create", "team:T00001")
    );
    assert_eq!(
        (e.who.as_str(), e.addr.as_deref()),
        ("hoa", Some("203.0.113.7"))
    );
    assert!(store.verify_integrity().unwrap().is_empty());
}

#[test]
fn an_entry_removed_by_hand_breaks_the_chain() {
    let (dir, store) = common::demo_store();
    let team = TeamId::parse("T00001").unwrap();
    for _ in 0..3 {
        store
            .create_invite(&Actor::operator(), &team, None)
            .unwrap();
    }
    let middle = all(&store)[1].id;
    drop(store);
    let db = rusqlite::Connection::open(dir.path().join("r.db")).unwrap();
    db.execute_batch("DROP TRIGGER audit_log_no_delete")
        .unwrap();
    db.execute("DELETE FROM audit_log WHERE id = ?1", [middle])
        .unwrap();
    drop(db);
    let store = langso_store::Store::open(&dir.path().join("r.db")).unwrap();
    let problems = store.verify_integrity().unwrap();
    let details: Vec<&str> = problems
        .iter()
        .filter(|p| p.check == "audit_chain")
        .map(|p| p.detail.as_str())
        .collect();
    assert!(
        details.iter().any(|d| d.contains("entries are missing"))
            && details.iter().any(|d| d.contains("does not chain")),
        "{details:?}"
    );
}
