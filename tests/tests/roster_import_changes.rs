//! `langso import-roster` changing a live roster: a renamed village keeps its ID, a member
//! left out is deactivated instead of deleted, the exported XLSX imports back unchanged,
//! member IDs and placements by roster code, and invites for members who left.

use langso_tests::roster_import::{
    MEMBERS, Province, VILLAGES, counts, members_xlsx, problems, roster_rows,
};
use rusqlite::Connection;

#[test]
fn a_renamed_village_keeps_its_id_and_a_member_left_out_is_deactivated_not_deleted() {
    let p = Province::new();
    let files = p.good_files();
    assert!(p.import(&[], &files.iter().collect::<Vec<_>>()).0);
    let id: String = p.sql("SELECT village_id FROM villages WHERE code = 'HK-02'");

    let villages = p.file(
        "thon2.csv",
        VILLAGES.replace("Khu Hai", "Khu Hai Mới").as_bytes(),
    );
    let members = p.file("tv2.xlsx", &members_xlsx(&MEMBERS[..4]));
    let teams = &files[1];
    let (ok, r) = p.import(&[], &[&villages, teams, &members]);
    assert!(ok, "{r:#}");
    assert_eq!(counts(&r, "villages"), [0, 1, 2, 0]);
    assert_eq!(counts(&r, "members"), [0, 0, 4, 1]);
    let renamed: (String, String) = Connection::open(&p.db)
        .unwrap()
        .query_row(
            "SELECT village_id, name FROM villages WHERE code = 'HK-02'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(renamed, (id, "Khu Hai Mới".to_owned()));
    let active: i64 = p.sql("SELECT active FROM members WHERE code = 'TV-005'");
    assert_eq!(active, 0, "kept, inactive");
}

#[test]
fn the_exported_roster_imports_back_unchanged_and_an_empty_template_is_refused() {
    let p = Province::new();
    let files = p.good_files();
    assert!(p.import(&[], &files.iter().collect::<Vec<_>>()).0);
    let out = p.dir.path().join("export.xlsx");
    let o = p.langso(&["export-roster", "--out", out.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before = roster_rows(&p);
    let (ok, r) = p.import(&[], &[&out]);
    assert!(ok, "{r:#}");
    assert_eq!(counts(&r, "villages"), [0, 0, 3, 0]);
    assert_eq!(counts(&r, "teams"), [0, 0, 3, 0]);
    assert_eq!(counts(&r, "members"), [0, 0, 5, 0]);
    assert_eq!(roster_rows(&p), before);

    let template = p.dir.path().join("template.xlsx");
    let o = p.langso(
        &[
            "export-roster",
            "--template",
            "--out",
            template.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success());
    let (ok, r) = p.import(&[], &[&template]);
    assert!(!ok, "an empty roster would deactivate everyone");
    let codes: Vec<String> = problems(&r).into_iter().map(|p| p.3).collect();
    assert_eq!(codes, vec!["empty_table"; 3]);
}

/// A value that is one member's id and another member's roster code names no one for sure:
/// `invite --member` refuses it rather than bind a phone to the wrong person.
#[test]
fn a_member_id_that_is_another_members_code_is_refused() {
    let p = Province::new();
    let files = p.good_files();
    let (ok, _) = p.import(&[], &files.iter().collect::<Vec<_>>());
    assert!(ok);
    let taken: String = p.sql("SELECT member_id FROM members WHERE code = 'TV-002'");
    let team: String = p.sql("SELECT team_id FROM teams WHERE code = 'TO-HK-1'");
    let mut rows = MEMBERS.to_vec();
    rows.push(["TV-006", "Đỗ Thị Giang", "", "TO-HK-1", "Thành viên"]);
    let newcomer = [taken.as_str(), "Vũ Văn Hải", "", "TO-HK-1", "Thành viên"];
    rows.push(newcomer);
    let members = p.file("thanh-vien-2.xlsx", &members_xlsx(&rows));
    let (ok, report) = p.import(&[], &[&members]);
    assert!(ok, "{report}");
    let invites = || p.sql::<i64>("SELECT count(*) FROM invites");
    let before = invites();
    let out = p.langso(&["invite", "--team", &team, "--member", &taken], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("one member's id and another member's roster code"),
        "{err}"
    );
    assert_eq!(invites(), before, "no code was made");
    // The roster code alone names the person.
    let out = p.langso(&["invite", "--team", &team, "--member", "TV-002"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The operator's placements file may name a village by the province's own code.
#[test]
fn a_placements_file_names_villages_by_their_roster_code() {
    let p = Province::new();
    let files = p.good_files();
    let (ok, _) = p.import(&[], &files.iter().collect::<Vec<_>>());
    assert!(ok);
    let file = p.file(
        "placements.csv",
        b"village_code,commune_code\nHK-01,06652\n",
    );
    let out = p.langso(
        &[
            "import-units",
            "--builtin",
            "quang-ninh-2024-11",
            "--current",
            "--placements",
        ],
        &[&file],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let placed: String = p.sql(
        "SELECT p.commune_code FROM village_placements p JOIN villages v ON v.id = p.village_id
         JOIN hierarchy_versions h ON h.id = p.version_id
         WHERE v.code = 'HK-01' AND h.key = '2024-11-01'",
    );
    assert_eq!(placed, "06652");
}

/// A member a roster left out has left the team: no code binds a phone to them until a
/// roster lists them as active again.
#[test]
fn a_member_who_left_the_roster_gets_no_invite_until_listed_again() {
    let p = Province::new();
    let files = p.good_files();
    let (ok, _) = p.import(&[], &files.iter().collect::<Vec<_>>());
    assert!(ok);
    let team: String = p.sql("SELECT team_id FROM teams WHERE code = 'TO-HP-1'");
    let without = p.file("thanh-vien-3.xlsx", &members_xlsx(&MEMBERS[..4]));
    let (ok, report) = p.import(&[], &[&without]);
    assert!(ok, "{report}");
    let invites = || p.sql::<i64>("SELECT count(*) FROM invites");
    let before = invites();
    let out = p.langso(&["invite", "--team", &team, "--member", "TV-005"], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("has left the team's roster"), "{err}");
    assert_eq!(invites(), before, "no code was made");
    let (ok, _) = p.import(&[], &files.iter().collect::<Vec<_>>());
    assert!(ok);
    let out = p.langso(&["invite", "--team", &team, "--member", "TV-005"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
