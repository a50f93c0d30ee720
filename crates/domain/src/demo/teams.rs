//! The demo's teams and their people: one team for every village and one a commune forms
//! ([`commune_teams`]), each with a leader, a deputy and at least [`MIN_MEMBERS`] members
//! named as the families of their place are.

use super::{
    Demo, DemoMember, DemoTeam, DemoVillage, FAMILY_KINH, FAMILY_MOUNTAIN, GIVEN_F, GIVEN_M,
    MEMBERS, MIDDLE_F, MIDDLE_M, MIN_MEMBERS, Rng, Setting, TEAM_PREFIX, VILLAGE_MEMBERS,
    apportion,
};
use crate::ids::{MemberId, TeamId, VillageId};
use crate::text::nfc;
use crate::units::{Level, Unit};
use std::collections::HashMap;

/// One team for every village, in village order, named after the village and its commune
/// when the team was formed (unique: village names are unique within a commune of 2024-09,
/// not within the merged communes of 2025).
pub(super) fn teams(communes: &[&Unit], villages: &[DemoVillage]) -> Vec<DemoTeam> {
    let commune_names: HashMap<&str, &str> = communes
        .iter()
        .map(|c| (c.code.as_str(), c.name.as_str()))
        .collect();
    villages
        .iter()
        .enumerate()
        .map(|(i, v)| DemoTeam {
            id: TeamId::from_index(i + 1),
            name: nfc(&format!(
                "{TEAM_PREFIX}{}, {}",
                v.name,
                commune_names[v.commune_code.as_str()]
            )),
            level: Level::Village,
            commune_code: v.commune_code.clone(),
            villages: vec![v.id.clone()],
        })
        .collect()
}

/// The teams communes form, one for each of `communes` (the map in force), with ids and
/// member ids following `demo`'s, and the members `demo` leaves of the programme's 11,255
/// (at least 7 a team). Their `villages` are empty: a commune team covers every village
/// placed in its commune, which only the store knows.
pub fn commune_teams(
    communes: &[&Unit],
    demo: &Demo,
    seed: u64,
) -> (Vec<DemoTeam>, Vec<DemoMember>) {
    let teams: Vec<DemoTeam> = communes
        .iter()
        .enumerate()
        .map(|(i, c)| DemoTeam {
            id: TeamId::from_index(demo.teams.len() + i + 1),
            name: nfc(&format!("{TEAM_PREFIX}{}", c.name)),
            level: Level::Commune,
            commune_code: c.code.clone(),
            villages: Vec::new(),
        })
        .collect();
    let mut rng = Rng::new(seed, "commune members");
    let weights: Vec<u64> = teams.iter().map(|_| 10 + rng.below(10)).collect();
    let left = MEMBERS.saturating_sub(demo.members.len());
    let extra = apportion(left.saturating_sub(MIN_MEMBERS * teams.len()), &weights);
    let members = staff(
        &teams,
        &extra,
        demo.members.len(),
        |_| FAMILY_KINH,
        &mut rng,
    );
    (teams, members)
}

/// `MIN_MEMBERS + extra[i]` members for each team, numbered from `first + 1`: the first a
/// team's leader, the second its deputy.
fn staff(
    teams: &[DemoTeam],
    extra: &[usize],
    first: usize,
    families: impl Fn(&DemoTeam) -> &'static str,
    rng: &mut Rng,
) -> Vec<DemoMember> {
    let mut out = Vec::new();
    for (t, n) in teams.iter().zip(extra) {
        for k in 0..MIN_MEMBERS + n {
            out.push(DemoMember {
                id: MemberId::from_index(first + out.len() + 1),
                team: t.id.clone(),
                name: person(rng, families(t)),
                role: match k {
                    0 => "leader",
                    1 => "deputy",
                    _ => "member",
                }
                .to_owned(),
            });
        }
    }
    out
}

pub(super) fn members(
    communes: &[&Unit],
    villages: &[DemoVillage],
    teams: &[DemoTeam],
    seed: u64,
) -> Vec<DemoMember> {
    let mut rng = Rng::new(seed, "members");
    let population: HashMap<&VillageId, u64> = villages
        .iter()
        .map(|v| (&v.id, u64::from(v.population)))
        .collect();
    // A village team grows with its village.
    let weights: Vec<u64> = teams
        .iter()
        .map(|t| rng.below(10) + 10 + population[&t.villages[0]] / 100)
        .collect();
    let extra = apportion(VILLAGE_MEMBERS - MIN_MEMBERS * teams.len(), &weights);
    let mountain: Vec<&str> = communes
        .iter()
        .filter(|c| Setting::of(c) == Setting::Mountain)
        .map(|c| c.code.as_str())
        .collect();
    let families = |t: &DemoTeam| {
        if mountain.contains(&t.commune_code.as_str()) {
            FAMILY_MOUNTAIN
        } else {
            FAMILY_KINH
        }
    };
    staff(teams, &extra, 0, families, &mut rng)
}

fn person(rng: &mut Rng, families: &str) -> String {
    let (middles, givens) = if rng.chance(50) {
        (MIDDLE_M, GIVEN_M)
    } else {
        (MIDDLE_F, GIVEN_F)
    };
    let family = rng.pick(families);
    let middle = rng.pick(middles);
    let mut given = rng.pick(givens);
    while given == middle || given == family {
        given = rng.pick(givens);
    }
    nfc(&format!("{family} {middle} {given}"))
}
