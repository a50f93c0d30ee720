//! The roster as an XLSX workbook a province edits and imports back: an instructions sheet,
//! then Thôn (villages), Tổ (teams) and Thành viên (members) with the Vietnamese headings
//! `langso_domain::roster::columns` accepts. Codes are text cells, so `06649` keeps its
//! zero. The current roster, imported unchanged, changes nothing.

use super::{Book, Cell, Table};
use langso_domain::roster::columns::fields;
use langso_domain::roster::{MemberRole, TableKind};
use langso_domain::units::Level;
use langso_store::CurrentRoster;

fn headings(kind: TableKind) -> Vec<String> {
    fields(kind).iter().map(|f| f.vi.to_owned()).collect()
}

/// Per table, which columns need a value and which may be empty or left out, as the
/// reader (`columns::fields`, `required`) takes them.
fn columns_needed() -> Vec<(String, Cell)> {
    let list = |kind, required: bool| {
        fields(kind)
            .iter()
            .filter(|f| f.required == required)
            .map(|f| f.vi)
            .collect::<Vec<_>>()
            .join(", ")
    };
    [
        (TableKind::Villages, "Thôn"),
        (TableKind::Teams, "Tổ"),
        (TableKind::Members, "Thành viên"),
    ]
    .into_iter()
    .map(|(kind, sheet)| {
        let text = format!(
            "Bắt buộc (phải có giá trị): {}. Có thể để trống hoặc bỏ cột: {}",
            list(kind, true),
            list(kind, false)
        );
        (format!("Cột {sheet}"), Cell::from(text.as_str()))
    })
    .collect()
}

fn instructions() -> Vec<(String, Cell)> {
    let mut rows: Vec<(String, Cell)> = [
        ("Danh sách", "Thôn, tổ công nghệ số cộng đồng và thành viên (Langso)"),
        ("Dòng 1", "Tiêu đề cột: giữ nguyên; mỗi dòng sau là một thôn, một tổ hoặc một thành viên"),
        ("Mã", "Mã của tỉnh (Mã thôn, Mã tổ, Mã thành viên): cập nhật theo mã; đổi tên không mất lịch sử"),
        ("Mã xã", "Mã xã/phường/đặc khu theo bản đồ hành chính hiện hành (5 chữ số)"),
        ("Mã thôn phụ trách", "Các mã thôn tổ phụ trách, cách nhau bằng dấu ;"),
        ("Vai trò", "Tổ trưởng, Tổ phó hoặc Thành viên"),
        ("Còn hoạt động", "có / không; thành viên không có trong danh sách mới sẽ ngừng hoạt động, không bị xoá"),
        ("Dữ liệu cá nhân", "Không cần số CCCD hay số điện thoại; cột như vậy sẽ bị bỏ qua, không lưu"),
        ("Cột Người lớn", "Số người từ 18 tuổi; để trống thì chỉ tiêu theo người lớn tính 70% dân số. Số hộ và số người lớn không vượt dân số"),
        ("Tải lên", "langso import-roster, hoặc POST /v1/admin/roster (quản trị tỉnh)"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), Cell::from(v)))
    .collect();
    rows.splice(2..2, columns_needed());
    rows
}

fn role_vi(stored: &str) -> &'static str {
    match MemberRole::from_stored(stored) {
        MemberRole::Leader => "Tổ trưởng",
        MemberRole::Deputy => "Tổ phó",
        MemberRole::Member => "Thành viên",
    }
}

fn level_vi(level: Level) -> &'static str {
    if level == Level::Village {
        "thôn"
    } else {
        "xã"
    }
}

fn table(name: &str, kind: TableKind, rows: Vec<Vec<Cell>>) -> Table {
    Table {
        name: name.into(),
        columns: headings(kind),
        rows,
    }
}

/// The workbook of `roster` (empty tables: the template), named by `stem`.
pub fn roster_book(roster: &CurrentRoster, stem: &str) -> Book {
    let villages = roster
        .villages
        .iter()
        .map(|v| {
            vec![
                Cell::from(v.code.as_str()),
                Cell::from(v.name.as_str()),
                Cell::from(v.commune_code.as_str()),
                Cell::Int(v.population),
                Cell::Int(v.households),
                Cell::from(v.adults),
            ]
        })
        .collect();
    let teams = roster
        .teams
        .iter()
        .map(|t| {
            vec![
                Cell::from(t.code.as_str()),
                Cell::from(t.name.as_str()),
                Cell::from(t.commune_code.as_str()),
                Cell::from(t.village_codes.join(";")),
                Cell::from(t.leader.clone()),
                Cell::from(level_vi(t.level)),
            ]
        })
        .collect();
    let members = roster
        .members
        .iter()
        .map(|m| {
            vec![
                Cell::from(m.code.as_str()),
                Cell::from(m.name.as_str()),
                Cell::from(m.team_code.as_str()),
                Cell::from(role_vi(&m.role)),
                Cell::from(if m.active { "có" } else { "không" }),
            ]
        })
        .collect();
    Book {
        file_stem: stem.to_owned(),
        info: instructions(),
        tables: vec![
            table("Thôn", TableKind::Villages, villages),
            table("Tổ", TableKind::Teams, teams),
            table("Thành viên", TableKind::Members, members),
        ],
    }
}

/// The roster as XLSX bytes.
pub fn roster_xlsx(roster: &CurrentRoster) -> Result<Vec<u8>, String> {
    super::xlsx::render(&roster_book(roster, "langso-roster")).map_err(|e| e.to_string())
}

/// An empty roster workbook: the headings and the instructions.
pub fn template_xlsx() -> Result<Vec<u8>, String> {
    roster_xlsx(&CurrentRoster::default())
}
