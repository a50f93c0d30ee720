//! Following a unit through changes of the administrative map (issue 8): where does a
//! commune (or district) of one hierarchy version continue in a later one, and the
//! operator's placements file that settles what the successions cannot.
//!
//! The rule, step by step from one version to the next (each version's file names the
//! successions from the version before it):
//! - the successions the new version names for the code, in the file's order;
//! - else, when the new version has a unit of the same level with the same code, that unit
//!   (the 2024-11 file lists only the communes it removed; the others continue);
//! - else nowhere.
//!
//! Several successors mean the old unit was split: the place is then provisional, the
//! successor that keeps the old code, else the first the file names. Chains compose
//! (177 → 171 → 54): a place is provisional if any step was.

use crate::units::Level;
use std::collections::HashMap;

/// One hierarchy version, as following a code needs it.
#[derive(Clone, Debug, Default)]
pub struct Step {
    /// The version's key (its first valid day, YYYY-MM-DD).
    pub key: String,
    /// Every unit of the version: code → level.
    pub units: HashMap<String, Level>,
    /// Old code (previous version) → new codes (this version), in the file's order.
    pub successions: HashMap<String, Vec<String>>,
}

/// Where a unit of an older version continues in a newer one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// One successor at every step.
    Certain(String),
    /// A split somewhere on the way: `code` is the provisional place, `choices` the
    /// successors of the (last) step that had several.
    Provisional { code: String, choices: Vec<String> },
    /// No successor at step `at` (a version key) for `code`, the unit's code just before.
    Nowhere { at: String, code: String },
}

impl Place {
    /// The code it lands on, certain or provisional.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Certain(c) | Self::Provisional { code: c, .. } => Some(c),
            Self::Nowhere { .. } => None,
        }
    }
}

/// The successors of `code` (a unit of `level`) in `step`, in the rule's order.
pub fn successors(step: &Step, code: &str, level: Level) -> Vec<String> {
    match step.successions.get(code) {
        Some(named) if !named.is_empty() => named.clone(),
        _ if step.units.get(code) == Some(&level) => vec![code.to_owned()],
        _ => Vec::new(),
    }
}

/// Follows `code`, a unit of `level` in the version just before `steps[0]`, through each
/// step in order (oldest first).
pub fn follow(steps: &[Step], code: &str, level: Level) -> Place {
    let mut code = code.to_owned();
    let mut split: Option<Vec<String>> = None;
    for step in steps {
        let next = successors(step, &code, level);
        let chosen = match next.as_slice() {
            [] => {
                return Place::Nowhere {
                    at: step.key.clone(),
                    code,
                };
            }
            [one] => one.clone(),
            many => {
                let keep = many.iter().find(|c| **c == code).unwrap_or(&many[0]);
                let keep = keep.clone();
                split = Some(next);
                keep
            }
        };
        code = chosen;
    }
    match split {
        None => Place::Certain(code),
        Some(choices) => Place::Provisional { code, choices },
    }
}

/// One line of an operator's placements file: put this village in this commune.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacementRow {
    /// The line number as a spreadsheet shows it (the heading, if any, is line 1).
    pub line: usize,
    pub village: String,
    pub commune: String,
}

/// A line of a placements file that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct PlacementProblem {
    pub line: usize,
    pub reason: String,
}

/// Reads an operator's placements file: CSV `village_code,commune_code` (UTF-8 with or
/// without BOM, comma or semicolon, an optional heading line, blank lines ignored, cells
/// trimmed and unquoted). Every unreadable line is reported, or none.
pub fn parse_placements(text: &str) -> Result<Vec<PlacementRow>, Vec<PlacementProblem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (mut rows, mut problems) = (Vec::new(), Vec::new());
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let cells: Vec<String> = raw
            .split([',', ';'])
            .map(|c| c.trim().trim_matches('"').trim().to_owned())
            .collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let first = cells[0].to_lowercase();
        let heading = line == 1 && (first.contains("village") || first.starts_with("mã"));
        if heading {
            continue;
        }
        match cells.as_slice() {
            [v, c, rest @ ..]
                if !v.is_empty() && !c.is_empty() && rest.iter().all(String::is_empty) =>
            {
                rows.push(PlacementRow {
                    line,
                    village: v.clone(),
                    commune: c.clone(),
                })
            }
            _ => problems.push(PlacementProblem {
                line,
                reason: "expected two cells: village_code, commune_code".into(),
            }),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(key: &str, units: &[&str], succ: &[(&str, &[&str])]) -> Step {
        Step {
            key: key.into(),
            units: units
                .iter()
                .map(|u| (u.to_string(), Level::Commune))
                .collect(),
            successions: succ
                .iter()
                .map(|(o, n)| (o.to_string(), n.iter().map(|s| s.to_string()).collect()))
                .collect(),
        }
    }

    #[test]
    fn kept_codes_continue_and_named_successions_win() {
        let s = step("2024-11-01", &["A", "B"], &[("C", &["B"])]);
        assert_eq!(
            follow(std::slice::from_ref(&s), "A", Level::Commune),
            Place::Certain("A".into())
        );
        assert_eq!(
            follow(std::slice::from_ref(&s), "C", Level::Commune),
            Place::Certain("B".into())
        );
        assert_eq!(
            follow(&[s], "D", Level::Commune),
            Place::Nowhere {
                at: "2024-11-01".into(),
                code: "D".into()
            }
        );
    }

    #[test]
    fn a_split_keeps_the_old_code_else_the_first_named_and_chains_compose() {
        let a = step("2024-11-01", &["A", "B"], &[("C", &["B"])]);
        let b = step(
            "2025-07-01",
            &["X", "B"],
            &[("A", &["X"]), ("B", &["X", "B"])],
        );
        assert_eq!(
            follow(&[a.clone(), b.clone()], "C", Level::Commune),
            Place::Provisional {
                code: "B".into(),
                choices: vec!["X".into(), "B".into()]
            }
        );
        let c = step("2025-07-01", &["X", "Y"], &[("A", &["Y", "X"])]);
        assert_eq!(
            follow(&[c], "A", Level::Commune).code(),
            Some("Y"),
            "the first named"
        );
        assert_eq!(
            follow(&[a, b], "A", Level::Commune),
            Place::Certain("X".into())
        );
    }

    #[test]
    fn placements_files_are_read_as_excel_writes_them() {
        let text = "\u{feff}Mã thôn;Mã xã\r\nV000001; 06862 \r\n\r\n\"V000002\";\"06877\";\n";
        let rows = parse_placements(text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[1].line, rows[1].commune.as_str()), (4, "06877"));
        let bad = parse_placements("village_code,commune_code\nV000001\n").unwrap_err();
        assert_eq!(bad[0].line, 2);
    }
}
