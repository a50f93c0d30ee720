//! One cell's rules. Each parser takes the cell's text as the file has it and answers the
//! stored value or a problem code with a reason. A reason never repeats a name (or
//! anything that may be personal data); codes and numbers are quoted, cut.

use crate::text::{fold, is_invisible_format, nfc, quote};
use crate::units::Level;

/// A rejected cell: a stable snake_case code and the reason.
pub type CellError = (&'static str, String);

/// Longest code, in characters.
pub const CODE_CHARS: usize = 40;
/// Longest name (village, team or person), in characters.
pub const NAME_CHARS: usize = 120;
/// Largest count a village may have (population, households, adults).
pub const MAX_COUNT: i64 = 10_000_000;
/// GSO commune codes have five digits; Excel drops leading zeros of a code typed as a
/// number (`06649` → `6649`), so shorter all-digit commune codes are padded back.
pub const COMMUNE_CODE_DIGITS: usize = 5;

fn clean(raw: &str) -> String {
    nfc(raw.trim())
}

fn bad_char(s: &str) -> bool {
    s.chars().any(|c| c.is_control() || is_invisible_format(c))
}

/// A code: trimmed, NFC, 1 to [`CODE_CHARS`] characters, no control or invisible ones.
pub fn code(raw: &str) -> Result<String, CellError> {
    let c = clean(raw);
    if c.is_empty() {
        return Err(("missing_value", "a code is required here".into()));
    }
    if c.chars().count() > CODE_CHARS || bad_char(&c) {
        return Err((
            "invalid_code",
            format!(
                "'{}' is not a code: at most {CODE_CHARS} visible characters",
                quote(&c)
            ),
        ));
    }
    Ok(c)
}

/// A commune code: [`code`], all-digit codes left-padded with zeros to
/// [`COMMUNE_CODE_DIGITS`].
pub fn commune_code(raw: &str) -> Result<String, CellError> {
    let c = code(raw)?;
    if c.len() < COMMUNE_CODE_DIGITS && c.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(format!("{c:0>COMMUNE_CODE_DIGITS$}"));
    }
    Ok(c)
}

/// A name: trimmed, inner runs of white space made one space, NFC, 1 to [`NAME_CHARS`]
/// characters, no control or invisible characters, and not a phone or ID number: nine
/// digits or more (a Vietnamese mobile number has 10, an old identity card 9, a citizen
/// identity card 12) mean a number sits where a name belongs. The value is never quoted.
pub fn name(raw: &str) -> Result<String, CellError> {
    let n = nfc(&raw.split_whitespace().collect::<Vec<_>>().join(" "));
    if n.is_empty() {
        return Err(("missing_value", "a name is required here".into()));
    }
    if n.chars().filter(char::is_ascii_digit).count() >= 9 {
        return Err((
            "personal_number",
            "this looks like a phone or citizen ID number, not a name (the value is not \
             shown and was not kept)"
                .into(),
        ));
    }
    if bad_char(&n) {
        return Err((
            "invalid_name",
            "a name holds a control or invisible character (a line break, tab, zero-width \
             space, …): retype the name without it"
                .into(),
        ));
    }
    if n.chars().count() > NAME_CHARS {
        return Err((
            "invalid_name",
            format!("a name has at most {NAME_CHARS} visible characters"),
        ));
    }
    Ok(n)
}

/// A village's households or adults (`what`): at most its population.
pub fn within_population(n: i64, what: &str, population: i64) -> Result<(), CellError> {
    if n <= population {
        return Ok(());
    }
    Err((
        "more_than_population",
        format!(
            "{n} {what} is more than the population ({population}): a village has at most as \
             many {what} as people"
        ),
    ))
}

/// A whole number from 0 to [`MAX_COUNT`]; empty is `None`. Thousands may be grouped by
/// `.`, `,` or spaces (`1.234`, `1,234`, `1 234`) as Vietnamese and English spreadsheets
/// write them.
pub fn count(raw: &str) -> Result<Option<i64>, CellError> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let not = || {
        (
            "not_a_number",
            format!("'{}' is not a whole number from 0 to {MAX_COUNT}", quote(t)),
        )
    };
    let groups: Vec<&str> = t.split(['.', ',', ' ', '\u{a0}']).collect();
    let grouped_ok =
        groups.len() == 1 || (groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    if !grouped_ok
        || groups
            .iter()
            .any(|g| g.is_empty() || !g.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(not());
    }
    let n: i64 = groups.concat().parse().map_err(|_| not())?;
    if n > MAX_COUNT {
        return Err(not());
    }
    Ok(Some(n))
}

/// A member's role on the team.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    Leader,
    Deputy,
    Member,
}

impl MemberRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Leader => "leader",
            Self::Deputy => "deputy",
            Self::Member => "member",
        }
    }
    /// The stored value back (anything unknown reads as a member).
    pub fn from_stored(s: &str) -> Self {
        role(s).ok().unwrap_or(Self::Member)
    }
}

/// `leader`, `deputy`, `member`, or `Tổ trưởng`, `Tổ phó`, `Thành viên`; empty is a member.
pub fn role(raw: &str) -> Result<MemberRole, CellError> {
    match super::columns::folded(raw).as_str() {
        "leader" | "to truong" | "truong" => Ok(MemberRole::Leader),
        "deputy" | "to pho" | "pho to" | "pho" => Ok(MemberRole::Deputy),
        "" | "member" | "thanh vien" | "to vien" => Ok(MemberRole::Member),
        _ => Err((
            "invalid_role",
            format!(
                "'{}' is not a role: leader (Tổ trưởng), deputy (Tổ phó) or member (Thành viên)",
                quote(raw.trim())
            ),
        )),
    }
}

/// Yes or no: `yes`/`no`, `có`/`không`, `true`/`false`, `1`/`0`, `x`; empty is yes.
pub fn active(raw: &str) -> Result<bool, CellError> {
    match fold(raw.trim()).as_str() {
        "" | "yes" | "y" | "true" | "1" | "x" | "co" | "dang hoat dong" | "con" => Ok(true),
        "no" | "n" | "false" | "0" | "khong" | "nghi" | "da nghi" => Ok(false),
        _ => Err((
            "invalid_active",
            format!("'{}' is not yes (có) or no (không)", quote(raw.trim())),
        )),
    }
}

/// A team's level: `village` (thôn, bản, khu phố, tổ dân phố) or `commune` (xã, phường,
/// đặc khu); empty is `None` (a team covering one village is a village team).
pub fn level(raw: &str) -> Result<Option<Level>, CellError> {
    match super::columns::folded(raw).as_str() {
        "" => Ok(None),
        "village" | "thon" | "ban" | "khu pho" | "to dan pho" | "khu" => Ok(Some(Level::Village)),
        "commune" | "xa" | "phuong" | "dac khu" | "thi tran" => Ok(Some(Level::Commune)),
        _ => Err((
            "invalid_level",
            format!(
                "'{}' is not village (thôn) or commune (xã)",
                quote(raw.trim())
            ),
        )),
    }
}

/// The codes of a list cell, separated by `;` (or `,` or line breaks), each a [`code`];
/// repeats are dropped.
pub fn code_list(raw: &str) -> Result<Vec<String>, CellError> {
    let mut out: Vec<String> = Vec::new();
    for part in raw.split([';', ',', '\n', '\r']) {
        if part.trim().is_empty() {
            continue;
        }
        let c = code(part)?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if out.is_empty() {
        return Err((
            "missing_value",
            "at least one village code is required".into(),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_grouped_thousands_and_refuse_words_and_fractions() {
        assert_eq!(count(" 1.234 "), Ok(Some(1234)));
        assert_eq!(count("1,234,567"), Ok(Some(1_234_567)));
        assert_eq!(count("812"), Ok(Some(812)));
        assert_eq!(count(""), Ok(None));
        for bad in ["khoảng 800", "12.5", "-3", "1.23", "1e3", "99999999"] {
            assert_eq!(count(bad).unwrap_err().0, "not_a_number", "{bad}");
        }
    }

    #[test]
    fn a_phone_or_id_number_is_refused_where_a_name_belongs_without_showing_it() {
        for bad in ["0912 345 678", "Lan 0912345678", "001203004567"] {
            let (code, why) = name(bad).unwrap_err();
            assert_eq!(code, "personal_number");
            assert!(!why.contains("0912") && !why.contains("001203"), "{why}");
        }
        assert_eq!(name("  Nguyễn   Văn  An ").unwrap(), "Nguyễn Văn An");
        assert_eq!(name("Thôn 12").unwrap(), "Thôn 12");
    }

    #[test]
    fn names_and_codes_are_stored_nfc_and_trimmed() {
        assert_eq!(name("Nguye\u{0302}\u{0303}n").unwrap(), "Nguyễn");
        assert_eq!(code(" TH-01\u{a0}").unwrap(), "TH-01");
        assert_eq!(commune_code("6649").unwrap(), "06649");
    }

    #[test]
    fn roles_and_active_flags_in_either_language() {
        assert_eq!(role("Tổ trưởng"), Ok(MemberRole::Leader));
        assert_eq!(role("deputy"), Ok(MemberRole::Deputy));
        assert_eq!(role(""), Ok(MemberRole::Member));
        assert_eq!(active("Không"), Ok(false));
        assert_eq!(active(""), Ok(true));
        assert!(active("maybe").is_err());
    }
}
