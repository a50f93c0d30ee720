//! Column headings: the English names of the issue and the Vietnamese ones provinces
//! write, compared folded (lowercase, without diacritics, punctuation as spaces), so
//! `Mã thôn`, `MÃ THÔN` and `ma_thon` are one heading. Which table a sheet holds is told by
//! its headings, never by its name.

use super::TableKind;
use crate::text::fold;

/// One column a table knows: its field name (the English heading) and the headings
/// accepted for it, folded.
pub struct Field {
    pub name: &'static str,
    /// The Vietnamese heading Langso writes (templates, exports); also accepted.
    pub vi: &'static str,
    pub required: bool,
    pub aliases: &'static [&'static str],
}

const fn f(
    name: &'static str,
    vi: &'static str,
    required: bool,
    aliases: &'static [&'static str],
) -> Field {
    Field {
        name,
        vi,
        required,
        aliases,
    }
}

const COMMUNE: &[&str] = &[
    "commune code",
    "ma xa",
    "ma phuong",
    "ma xa phuong",
    "ma xa phuong dac khu",
    "ma don vi hanh chinh cap xa",
];
const TEAM_CODE: &[&str] = &["team code", "ma to", "ma to cong nghe so"];

const VILLAGES: &[Field] = &[
    f(
        "village_code",
        "Mã thôn",
        true,
        &[
            "village code",
            "ma thon",
            "ma thon to dan pho",
            "ma thon ban",
            "ma thon khu pho",
        ],
    ),
    f(
        "village_name",
        "Tên thôn",
        true,
        &[
            "village name",
            "ten thon",
            "ten thon to dan pho",
            "ten thon ban",
            "ten thon khu pho",
        ],
    ),
    f("commune_code", "Mã xã", true, COMMUNE),
    f(
        "population",
        "Dân số",
        true,
        &[
            "population",
            "dan so",
            "so dan",
            "so nhan khau",
            "nhan khau",
        ],
    ),
    f(
        "households",
        "Số hộ",
        true,
        &["households", "so ho", "ho", "ho gia dinh", "so ho gia dinh"],
    ),
    f(
        "adults",
        "Người lớn",
        false,
        &[
            "adults",
            "nguoi lon",
            "so nguoi lon",
            "nguoi truong thanh",
            "so nguoi truong thanh",
        ],
    ),
];

const TEAMS: &[Field] = &[
    f("team_code", "Mã tổ", true, TEAM_CODE),
    f(
        "team_name",
        "Tên tổ",
        true,
        &["team name", "ten to", "ten to cong nghe so"],
    ),
    f("commune_code", "Mã xã", true, COMMUNE),
    f(
        "village_codes",
        "Mã thôn phụ trách",
        true,
        &[
            "village codes",
            "ma thon phu trach",
            "thon phu trach",
            "cac thon phu trach",
            "ma cac thon phu trach",
        ],
    ),
    f(
        "leader_member_code",
        "Tổ trưởng",
        false,
        &["leader member code", "leader", "to truong", "ma to truong"],
    ),
    f("level", "Cấp", false, &["level", "cap", "cap to"]),
];

const MEMBERS: &[Field] = &[
    f(
        "member_code",
        "Mã thành viên",
        true,
        &["member code", "ma thanh vien", "ma tv"],
    ),
    f(
        "full_name",
        "Họ và tên",
        true,
        &["full name", "ho va ten", "ho ten", "name"],
    ),
    f("team_code", "Mã tổ", true, TEAM_CODE),
    f(
        "role",
        "Vai trò",
        false,
        &["role", "vai tro", "chuc vu", "chuc danh", "nhiem vu"],
    ),
    f(
        "active",
        "Còn hoạt động",
        false,
        &["active", "con hoat dong", "hoat dong", "dang hoat dong"],
    ),
];

/// The columns of a table.
pub fn fields(kind: TableKind) -> &'static [Field] {
    match kind {
        TableKind::Villages => VILLAGES,
        TableKind::Teams => TEAMS,
        TableKind::Members => MEMBERS,
    }
}

/// A heading folded for comparison: `Mã thôn phụ trách?` → `ma thon phu trach`.
pub fn folded(heading: &str) -> String {
    fold(heading)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The field `heading` names in a table of `kind`, if any.
pub fn field_of(kind: TableKind, heading: &str) -> Option<&'static Field> {
    let h = folded(heading);
    fields(kind)
        .iter()
        .find(|f| f.aliases.contains(&h.as_str()) || folded(f.vi) == h)
}

/// Which table a heading row belongs to: members if it names a member code, teams if a
/// team name or the villages a team covers, villages if a village code or name.
pub fn detect(headings: &[String]) -> Option<TableKind> {
    let has = |kind, name: &str| {
        headings
            .iter()
            .any(|h| field_of(kind, h).is_some_and(|f| f.name == name))
    };
    if has(TableKind::Members, "member_code") {
        Some(TableKind::Members)
    } else if has(TableKind::Teams, "team_name") || has(TableKind::Teams, "village_codes") {
        Some(TableKind::Teams)
    } else if has(TableKind::Villages, "village_code") || has(TableKind::Villages, "village_name") {
        Some(TableKind::Villages)
    } else {
        None
    }
}

/// Words in a heading that mean personal data Langso never needs: national or citizen ID
/// numbers, phone numbers, e-mail, birth dates, addresses. Such a column is ignored
/// (never stored, never shown back, never logged) and the report says so.
const PERSONAL: &[&str] = &[
    "cccd",
    "cmnd",
    "can cuoc",
    "dinh danh",
    "chung minh",
    "ho chieu",
    "dien thoai",
    "sdt",
    "dt",
    "phone",
    "mobile",
    "zalo",
    "national id",
    "citizen",
    "id number",
    "passport",
    "email",
    "e mail",
    "ngay sinh",
    "nam sinh",
    "birth",
    "dia chi",
    "address",
    "noi o",
];

/// Whether a heading names personal data (see [`PERSONAL`]).
pub fn is_personal(heading: &str) -> bool {
    let h = format!(" {} ", folded(heading));
    PERSONAL.iter().any(|p| h.contains(&format!(" {p} ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_and_english_headings_name_the_same_field() {
        for h in [
            "Mã thôn",
            "MÃ THÔN",
            "village_code",
            "Ma thon",
            "Mã thôn/tổ dân phố",
        ] {
            assert_eq!(
                field_of(TableKind::Villages, h).map(|f| f.name),
                Some("village_code"),
                "{h}"
            );
        }
        assert_eq!(
            field_of(TableKind::Teams, "Mã thôn phụ trách").map(|f| f.name),
            Some("village_codes")
        );
        assert_eq!(
            field_of(TableKind::Villages, "Người lớn?").map(|f| f.name),
            Some("adults")
        );
    }

    #[test]
    fn a_sheet_is_told_by_its_headings() {
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(detect(&h(&["Mã tổ", "Tên tổ"])), Some(TableKind::Teams));
        assert_eq!(
            detect(&h(&["Mã thành viên", "Mã tổ"])),
            Some(TableKind::Members)
        );
        assert_eq!(detect(&h(&["STT", "Mã thôn"])), Some(TableKind::Villages));
        assert_eq!(detect(&h(&["Hướng dẫn"])), None);
    }

    #[test]
    fn id_and_phone_columns_are_recognised_as_personal() {
        for h in [
            "Số CCCD",
            "CMND",
            "Số điện thoại",
            "SĐT",
            "phone",
            "Ngày sinh",
            "Email",
        ] {
            assert!(is_personal(h), "{h}");
        }
        for h in ["Họ và tên", "Mã thôn", "Dân số", "Ghi chú"] {
            assert!(!is_personal(h), "{h}");
        }
    }
}
