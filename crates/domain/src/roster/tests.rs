use super::*;

fn file(name: &str, text: &str) -> (String, Vec<u8>) {
    (name.to_owned(), text.as_bytes().to_vec())
}

fn at(r: &Roster, row: Option<u32>, column: &str) -> Vec<&'static str> {
    r.problems
        .iter()
        .filter(|p| p.row == row && p.column == column)
        .map(|p| p.code)
        .collect()
}

const VILLAGES_VI: &str = "\u{feff}STT;Mã thôn;Tên thôn;Mã xã;Dân số;Số hộ;Người lớn?\r\n\
    1;TH01;Thôn Ye\u{302}n Ha\u{323};06649;1.234;300;\r\n\
    2;TH02;Thôn Đông;6649;812;200;560\r\n\
    ;;;;;;\r\n\
    ;;;;;;\r\n";

#[test]
fn vietnamese_semicolon_csv_with_bom_nfd_names_and_blank_trailing_rows() {
    let r = read(&[file("thon.csv", VILLAGES_VI)]);
    assert_eq!(r.problems, vec![]);
    let v = r.villages.expect("a villages table");
    assert_eq!(v.rows.len(), 2, "blank trailing rows are not rows");
    assert_eq!(v.rows[0].name, "Thôn Yên Hạ", "stored NFC");
    assert_eq!(v.rows[0].population, 1234);
    assert_eq!(
        v.rows[1].commune_code, "06649",
        "Excel's lost leading zero put back"
    );
    assert_eq!(v.rows[1].adults, Some(560));
    assert_eq!(v.rows[1].at.row, 3);
    assert_eq!(v.column("population"), "Dân số");
    assert_eq!(r.skipped.len(), 1, "STT is skipped");
    assert!(!r.skipped[0].personal);
}

#[test]
fn each_bad_cell_is_reported_by_row_and_column() {
    let csv = "village_code,village_name,commune_code,population,households\n\
        A,Thôn A,06649,khoảng 800,10\n\
        B,0912345678,06649,10,\n\
        A,Thôn A bis,06649,5,5\n\
        ,Thôn C,06649,5,5\n";
    let r = read(&[file("v.csv", csv)]);
    assert_eq!(at(&r, Some(2), "population"), vec!["not_a_number"]);
    assert_eq!(at(&r, Some(3), "village_name"), vec!["personal_number"]);
    assert_eq!(at(&r, Some(3), "households"), vec!["missing_value"]);
    assert_eq!(at(&r, Some(4), "village_code"), vec!["duplicate_code"]);
    assert_eq!(at(&r, Some(5), "village_code"), vec!["missing_value"]);
    assert!(
        r.problems.iter().all(|p| !p.message.contains("0912345678")),
        "a phone number is never repeated"
    );
}

#[test]
fn a_member_in_two_teams_and_a_missing_column() {
    let csv = "Mã thành viên,Họ và tên,Mã tổ,Vai trò,Còn hoạt động\n\
        M1,Nguyễn Văn An,T1,Tổ trưởng,có\n\
        M1,Nguyễn Văn An,T2,,\n\
        M2,Trần Thị Bình,T1,phó,không\n";
    let r = read(&[
        file("tv.csv", csv),
        file("to.csv", "Mã tổ;Tên tổ;Mã xã\nT1;Tổ 1;06649\n"),
    ]);
    assert_eq!(
        at(&r, Some(3), "Mã thành viên"),
        vec!["member_in_two_teams"]
    );
    assert_eq!(at(&r, None, "Mã thôn phụ trách"), vec!["missing_column"]);
    let m = r.members.unwrap();
    assert_eq!(m.rows[0].role, MemberRole::Leader);
    assert_eq!(m.rows[2].role, MemberRole::Deputy);
    assert!(!m.rows[2].active);
}

#[test]
fn personal_data_columns_are_skipped_unread() {
    let csv = "Mã thành viên,Họ và tên,Số CCCD,Số điện thoại,Mã tổ\n\
        M1,Nguyễn Văn An,001203004567,0912345678,T1\n";
    let r = read(&[file("tv.csv", csv)]);
    assert_eq!(r.problems, vec![]);
    assert_eq!(r.skipped.iter().filter(|s| s.personal).count(), 2);
    assert_eq!(r.members.unwrap().rows[0].name, "Nguyễn Văn An");
}

#[test]
fn an_unknown_file_and_an_unreadable_one_are_problems() {
    let r = read(&[
        file("x.csv", "a,b\n1,2\n"),
        ("y.csv".into(), vec![0xff, 0xfe, 0x41]),
    ]);
    let codes: Vec<_> = r.problems.iter().map(|p| p.code).collect();
    assert!(codes.contains(&"unknown_table"), "{codes:?}");
    assert!(codes.contains(&"unreadable_file"), "{codes:?}");
    assert!(
        !codes.contains(&"no_roster"),
        "said once, by each file: {codes:?}"
    );
    let r = read(&[file("e.csv", "\u{feff};;\r\n\r\n")]);
    assert_eq!(r.problems[0].code, "empty_file");
    assert_eq!(r.problems.len(), 1);
}

#[test]
fn team_village_lists_are_split_on_semicolons() {
    let csv = "team_code,team_name,commune_code,village_codes,leader_member_code\n\
        T1,Tổ 1,06649,\"TH01; TH02;;TH01\",M1\n";
    let r = read(&[file("t.csv", csv)]);
    assert_eq!(r.problems, vec![]);
    let t = &r.teams.unwrap().rows[0];
    assert_eq!(t.village_codes, vec!["TH01", "TH02"]);
    assert_eq!(t.leader.as_deref(), Some("M1"));
}
