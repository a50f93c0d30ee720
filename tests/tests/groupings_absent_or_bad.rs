//! Groupings of communes (issue 8, "Levels are data") when the file is bad or there is none:
//! through the real binary, a bad groupings file is refused with nothing changed, and a
//! province on today's map without groupings still ranks its communes.

use langso_tests::harness::{PROVINCE, Server};

#[test]
fn a_bad_groupings_file_is_refused_and_changes_nothing() {
    let s = Server::start_demo_on("quang-ninh-2024-09", &[]);
    let write = |name: &str, text: &str| {
        let f = s.db.with_file_name(name);
        std::fs::write(&f, text).unwrap();
        f.to_str().unwrap().to_owned()
    };
    let good = write(
        "good.csv",
        "\u{feff}Mã cụm;Tên cụm;Loại;Mã xã\r\nC1;Cụm Hà Khánh;cluster;6649\r\nC1;Cụm Hà Khánh;cluster;06652\r\n",
    );
    s.cli_ok(&["import-groupings", &good]);
    let before = s.cli_ok(&["units", "--level", "grouping", "--json"]);
    assert!(
        before.contains("\"06649\"") && before.contains("Cụm Hà Khánh"),
        "{before}"
    );
    s.login_as("grouping_leader", "C1");

    let refused = |file: &str, says: &[&str]| {
        let out = s.cli(&["import-groupings", file]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success(), "{file} was taken: {err}");
        for s in says {
            assert!(err.contains(s), "{file}: {s:?} not in: {err}");
        }
        assert!(
            err.contains("nothing was changed") || err.contains("not communes"),
            "{err}"
        );
    };
    let unknown = write(
        "unknown.csv",
        "grouping_code,grouping_name,kind,commune_code\nC2,Cụm 2,cluster,99999\nC2,Cụm 2,cluster,06709\nC3,Cụm 3,cluster,88888\n",
    );
    refused(&unknown, &["88888", "99999"]);
    let rows = write(
        "rows.csv",
        "grouping_code,grouping_name,kind,commune_code\nC2,Cụm 2,Cụm,06709\nC3,0912345678,cluster,06712\n",
    );
    refused(
        &rows,
        &["row 2, column kind", "row 3, column grouping_name"],
    );
    let columns = write(
        "columns.csv",
        "grouping_code,kind,commune_code\nC2,cluster,06709\n",
    );
    refused(&columns, &["column grouping_name"]);
    let empty = write(
        "empty.csv",
        "grouping_code,grouping_name,kind,commune_code\n",
    );
    refused(&empty, &["no grouping rows"]);
    // The demo's map (2024-09) has no built-in map before it to derive former districts.
    let out = s.cli(&["import-groupings", "--former-districts"]);
    assert!(!out.status.success());

    assert_eq!(
        s.cli_ok(&["units", "--level", "grouping", "--json"]),
        before
    );
    // A grouping leader's scope must be a grouping of the map.
    assert!(
        !s.cli(&[
            "create-user",
            "--role",
            "grouping_leader",
            "--scope",
            "C9",
            "--username",
            "nobody"
        ])
        .status
        .success()
    );
}

/// A province that went live on today's map without groupings yet: its dashboard ranks its
/// communes (it once showed an empty districts' table).
#[test]
fn without_groupings_the_province_page_ranks_its_communes() {
    let s = Server::start_quiet_demo_on("quang-ninh-2024-11");
    s.cli_ok(&["import-units", "--builtin", "quang-ninh-2025", "--current"]);
    let communes: Vec<String> = s
        .cli_ok(&["units", "--level", "commune"])
        .lines()
        .map(|l| l.split('\t').nth(3).unwrap().to_owned())
        .collect();
    assert_eq!(communes.len(), 54);
    let admin = s.new_leader("province_admin", PROVINCE);
    let (status, html) = s.dashboard_page(&admin, "/");
    assert_eq!(status, 200);
    let shown = communes
        .iter()
        .filter(|n| html.contains(n.as_str()))
        .count();
    assert!(shown >= 10, "{shown} communes ranked on the province page");
}
