//! The problems a roster has against the database, and what importing it would change.
//! The same plan serves `--dry-run` (on a read connection) and the import (recomputed
//! inside its write transaction, so nothing can change in between).

use super::state::State;
use super::{Changes, RosterReport};
use langso_domain::roster::{MemberRole, MemberRow, Problem, Roster, Table, TeamRow, VillageRow};
use langso_domain::units::Level;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// What an import does, by code. Empty when the roster changes nothing.
#[derive(Default)]
pub(super) struct Plan {
    pub new_villages: Vec<VillageRow>,
    /// Existing village id, its row, and whether its commune changes.
    pub changed_villages: Vec<(i64, VillageRow, bool)>,
    pub new_teams: Vec<(TeamRow, Level)>,
    pub changed_teams: Vec<(i64, TeamRow, Level)>,
    /// Team code → the village codes it covers after the import (only teams that change).
    pub coverage: BTreeMap<String, BTreeSet<String>>,
    pub new_members: Vec<MemberRow>,
    pub changed_members: Vec<(i64, MemberRow)>,
    /// Active members the roster leaves out.
    pub deactivate: Vec<i64>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.new_villages.is_empty()
            && self.changed_villages.is_empty()
            && self.new_teams.is_empty()
            && self.changed_teams.is_empty()
            && self.coverage.is_empty()
            && self.new_members.is_empty()
            && self.changed_members.is_empty()
            && self.deactivate.is_empty()
    }
}

fn problem<R>(t: &Table<R>, row: u32, field: &str, code: &'static str, message: String) -> Problem {
    Problem {
        source: t.source.clone(),
        row: Some(row),
        column: t.column(field),
        code,
        message,
    }
}

/// Checks `roster` against `state`, adding its problems to `report`, and plans the import.
pub(super) fn plan(roster: &Roster, state: &State, report: &mut RosterReport) -> Plan {
    let mut p = Plan::default();
    let problems = &mut report.problems;
    let village_codes: HashSet<&str> = roster
        .villages
        .iter()
        .flat_map(|t| t.rows.iter().map(|r| r.code.as_str()))
        .chain(state.villages.keys().map(String::as_str))
        .collect();
    if let Some(t) = &roster.villages {
        for v in &t.rows {
            if !state.communes.contains(&v.commune_code) {
                problems.push(unknown_commune(t, v.at.row, &v.commune_code));
            }
        }
        plan_villages(t, state, &mut p, &mut report.villages);
    }
    if let Some(t) = &roster.teams {
        for team in &t.rows {
            if !state.communes.contains(&team.commune_code) {
                problems.push(unknown_commune(t, team.at.row, &team.commune_code));
            }
            for code in team
                .village_codes
                .iter()
                .filter(|c| !village_codes.contains(c.as_str()))
            {
                let why =
                    format!("no village has code '{code}' (in the villages table or the database)");
                problems.push(problem(
                    t,
                    team.at.row,
                    "village_codes",
                    "unknown_village",
                    why,
                ));
            }
            check_leader(roster, state, t, team, problems);
        }
        plan_teams(t, state, &mut p, &mut report.teams);
    }
    if let Some(t) = &roster.members {
        let team_known = |code: &str| match &roster.teams {
            Some(teams) => teams.rows.iter().any(|r| r.code == code),
            None => state.teams.contains_key(code),
        };
        for m in t.rows.iter().filter(|m| !team_known(&m.team_code)) {
            let why = format!("no team has code '{}'", m.team_code);
            problems.push(problem(t, m.at.row, "team_code", "unknown_team", why));
        }
        plan_members(t, state, &mut p, &mut report.members);
        warn_deactivation(state, &p, report);
    }
    check_coverage(roster, state, report);
    report.coverage_started = 0;
    report.coverage_ended = 0;
    for (team, wanted) in &p.coverage {
        let now = state.teams.get(team).map(|t| &t.villages);
        report.coverage_started += wanted
            .iter()
            .filter(|v| !now.is_some_and(|n| n.contains(*v)))
            .count();
        report.coverage_ended += now.map_or(0, |n| n.difference(wanted).count());
    }
    p
}

fn unknown_commune<R>(t: &Table<R>, row: u32, code: &str) -> Problem {
    let why = format!("no commune has code '{code}' in the current administrative map");
    problem(t, row, "commune_code", "unknown_commune", why)
}

/// The leader a team row names must be a member of that team with the role leader.
fn check_leader(
    roster: &Roster,
    state: &State,
    t: &Table<TeamRow>,
    team: &TeamRow,
    problems: &mut Vec<Problem>,
) {
    let Some(leader) = &team.leader else { return };
    let found = match &roster.members {
        Some(m) => m
            .rows
            .iter()
            .find(|r| &r.code == leader)
            .map(|r| (r.team_code.clone(), r.role)),
        None => state
            .members
            .get(leader)
            .map(|m| (m.team.clone(), MemberRole::from_stored(&m.role))),
    };
    let (code, why) = match found {
        Some((t, MemberRole::Leader)) if t == team.code => return,
        Some((t, _)) if t == team.code => (
            "leader_role_mismatch",
            format!("member '{leader}' leads this team here but their role is not leader"),
        ),
        _ => (
            "leader_not_in_team",
            format!("member '{leader}' is not a member of team '{}'", team.code),
        ),
    };
    problems.push(problem(t, team.at.row, "leader_member_code", code, why));
}

/// Every village must be covered by some team after the import (issue 8: "a village
/// covered by no team" is a problem): a village of the villages table by its row
/// (`village_not_covered`), a village of the database the file leaves out but a team
/// covered before by a row-less problem naming its code (`village_without_team`: a partial
/// roster, such as one team's own export, would otherwise end every other team's coverage).
fn check_coverage(roster: &Roster, state: &State, report: &mut RosterReport) {
    let covered: HashSet<&str> = match &roster.teams {
        Some(t) => t
            .rows
            .iter()
            .flat_map(|r| r.village_codes.iter().map(String::as_str))
            .collect(),
        None => state.covered(),
    };
    let in_file: HashSet<&str> = roster
        .villages
        .iter()
        .flat_map(|t| t.rows.iter().map(|r| r.code.as_str()))
        .collect();
    if let Some(t) = &roster.villages {
        for v in t.rows.iter().filter(|v| !covered.contains(v.code.as_str())) {
            let why = format!(
                "no team covers village '{}': name it in a team's village codes",
                v.code
            );
            report.problems.push(problem(
                t,
                v.at.row,
                "village_code",
                "village_not_covered",
                why,
            ));
        }
    }
    // A teams table without rows is already refused (`empty_table`): not every village again.
    if let Some(t) = roster.teams.as_ref().filter(|t| !t.rows.is_empty()) {
        let mut lost: Vec<&str> = state
            .covered()
            .into_iter()
            .filter(|v| !covered.contains(v) && !in_file.contains(v))
            .collect();
        lost.sort_unstable();
        for code in lost {
            report.problems.push(Problem {
                source: t.source.clone(),
                row: None,
                column: t.column("village_codes"),
                code: "village_without_team",
                message: format!(
                    "village '{code}' (in the database, not in this roster) would be covered by \
                     no team: a teams table is the whole of it; name the village in a team's \
                     village codes or import the complete roster"
                ),
            });
        }
    }
}

fn plan_villages(t: &Table<VillageRow>, state: &State, p: &mut Plan, n: &mut Changes) {
    for v in &t.rows {
        match state.villages.get(&v.code) {
            None => p.new_villages.push(v.clone()),
            Some(db) => {
                let moved = db.commune.as_deref() != Some(v.commune_code.as_str());
                let same = db.name == v.name
                    && db.population == v.population
                    && db.households == v.households
                    && db.adults == v.adults;
                if same && !moved {
                    n.unchanged += 1;
                } else {
                    p.changed_villages.push((db.id, v.clone(), moved));
                }
            }
        }
    }
    n.created = p.new_villages.len();
    n.updated = p.changed_villages.len();
    let listed: HashSet<&str> = t.rows.iter().map(|r| r.code.as_str()).collect();
    n.left_out = state
        .villages
        .keys()
        .filter(|c| !listed.contains(c.as_str()))
        .count();
}

/// `village` for a team covering one village, else `commune`, unless the row says.
fn level_of(t: &TeamRow) -> Level {
    t.level.unwrap_or(if t.village_codes.len() == 1 {
        Level::Village
    } else {
        Level::Commune
    })
}

fn plan_teams(t: &Table<TeamRow>, state: &State, p: &mut Plan, n: &mut Changes) {
    for team in &t.rows {
        let wanted: BTreeSet<String> = team.village_codes.iter().cloned().collect();
        let level = level_of(team);
        match state.teams.get(&team.code) {
            None => {
                p.new_teams.push((team.clone(), level));
                p.coverage.insert(team.code.clone(), wanted);
                n.created += 1;
            }
            Some(db) => {
                let covers_same = db.villages == wanted;
                if !covers_same {
                    p.coverage.insert(team.code.clone(), wanted);
                }
                let same = db.name == team.name
                    && db.commune == team.commune_code
                    && db.level == level.as_str();
                if !same {
                    p.changed_teams.push((db.id, team.clone(), level));
                }
                if same && covers_same {
                    n.unchanged += 1;
                } else {
                    n.updated += 1;
                }
            }
        }
    }
    let listed: HashSet<&str> = t.rows.iter().map(|r| r.code.as_str()).collect();
    for (code, db) in state
        .teams
        .iter()
        .filter(|(c, _)| !listed.contains(c.as_str()))
    {
        if !db.villages.is_empty() {
            p.coverage.insert(code.clone(), BTreeSet::new());
            n.left_out += 1;
        }
    }
}

/// Says loudly how many active members the members table leaves out (issue 8: "a member
/// missing from a new roster is deactivated"), so a partial members table is seen before
/// it deactivates most of a province.
fn warn_deactivation(state: &State, p: &Plan, report: &mut RosterReport) {
    if p.deactivate.is_empty() {
        return;
    }
    let active = state
        .members
        .values()
        .filter(|m| m.active && !m.unassigned)
        .count();
    report.warnings.push(format!(
        "{} of {active} active member(s) are not in this members table: importing it \
         deactivates them (kept, not deleted; no invite is made for them)",
        p.deactivate.len()
    ));
}

fn plan_members(t: &Table<MemberRow>, state: &State, p: &mut Plan, n: &mut Changes) {
    for m in &t.rows {
        match state.members.get(&m.code) {
            None => p.new_members.push(m.clone()),
            Some(db) => {
                let same = db.name == m.name
                    && db.team == m.team_code
                    && db.role == m.role.as_str()
                    && db.active == m.active
                    && !db.unassigned;
                if same {
                    n.unchanged += 1;
                } else {
                    p.changed_members.push((db.id, m.clone()));
                }
            }
        }
    }
    let listed: HashSet<&str> = t.rows.iter().map(|r| r.code.as_str()).collect();
    p.deactivate = state
        .members
        .iter()
        .filter(|(c, m)| m.active && !m.unassigned && !listed.contains(c.as_str()))
        .map(|(_, m)| m.id)
        .collect();
    p.deactivate.sort_unstable();
    n.created = p.new_members.len();
    n.updated = p.changed_members.len();
    n.left_out = p.deactivate.len();
}
