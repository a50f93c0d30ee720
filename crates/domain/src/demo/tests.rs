//! The demo generator's rules: totals, names, teams of today's practice, determinism.

use super::*;
use std::collections::{HashMap, HashSet};

fn demo(seed: u64) -> (HierarchyVersion, Demo) {
    let path = format!(
        "{}/../../data/quang-ninh/quang-ninh-admin-units.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let tree = crate::units::parse_hierarchy(&std::fs::read_to_string(path).unwrap()).unwrap();
    let demo = generate(&tree, seed);
    (tree, demo)
}

fn communes_2025() -> HierarchyVersion {
    let path = format!(
        "{}/../../data/quang-ninh/quang-ninh-admin-units-2025.json",
        env!("CARGO_MANIFEST_DIR")
    );
    crate::units::parse_hierarchy(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_programme_totals_are_met_exactly() {
    let (_, d) = demo(DEFAULT_SEED);
    assert_eq!((d.villages.len(), d.teams.len()), (1_452, 1_452));
    let today = communes_2025();
    let communes: Vec<&Unit> = today.communes().collect();
    let (teams, members) = commune_teams(&communes, &d, DEFAULT_SEED);
    assert_eq!(teams.len(), 54);
    assert_eq!(d.members.len() + members.len(), 11_255);
    assert_eq!(teams[0].id, TeamId::from_index(1_453));
    assert_eq!(members[0].id, MemberId::from_index(d.members.len() + 1));
    assert!(teams.iter().all(|t| t.level == Level::Commune));
}

#[test]
fn every_commune_has_three_villages_with_distinct_names() {
    let (tree, d) = demo(DEFAULT_SEED);
    for c in tree.communes() {
        let names: Vec<&str> = d
            .villages
            .iter()
            .filter(|v| v.commune_code == c.code)
            .map(|v| v.name.as_str())
            .collect();
        assert!(names.len() >= 3, "{} has {} villages", c.name, names.len());
        let distinct: HashSet<&str> = names.iter().copied().collect();
        assert_eq!(distinct.len(), names.len(), "duplicate names in {}", c.name);
    }
}

#[test]
fn every_village_has_its_own_team_in_its_commune() {
    let (_, d) = demo(DEFAULT_SEED);
    for (v, t) in d.villages.iter().zip(&d.teams) {
        assert_eq!(t.villages, vec![v.id.clone()]);
        assert_eq!(t.commune_code, v.commune_code, "{} strays", t.name);
        assert_eq!(t.level, Level::Village);
    }
}

#[test]
fn teams_have_at_least_seven_members_a_leader_and_a_deputy() {
    let (_, d) = demo(DEFAULT_SEED);
    let today = communes_2025();
    let communes: Vec<&Unit> = today.communes().collect();
    let (teams, members) = commune_teams(&communes, &d, DEFAULT_SEED);
    let mut by_team: HashMap<&TeamId, Vec<&DemoMember>> = HashMap::new();
    for m in d.members.iter().chain(&members) {
        by_team.entry(&m.team).or_default().push(m);
    }
    assert_eq!(by_team.len(), d.teams.len() + teams.len());
    for ms in by_team.values() {
        assert!(ms.len() >= MIN_MEMBERS);
        assert_eq!(
            (ms[0].role.as_str(), ms[1].role.as_str()),
            ("leader", "deputy")
        );
        assert!(ms[2..].iter().all(|m| m.role == "member"));
    }
}

#[test]
fn populations_are_plausible_and_total_about_1_36_million() {
    let (_, d) = demo(DEFAULT_SEED);
    let total: u64 = d.villages.iter().map(|v| u64::from(v.population)).sum();
    assert!((1_200_000..=1_500_000).contains(&total), "{total}");
    for v in &d.villages {
        assert!((150..=4_000).contains(&v.population), "{}", v.population);
        let per_household = f64::from(v.population) / f64::from(v.households);
        assert!((3.0..=4.6).contains(&per_household), "{per_household}");
    }
}

#[test]
fn all_text_is_nfc() {
    let (_, d) = demo(DEFAULT_SEED);
    let texts = d.villages.iter().map(|v| &v.name);
    let texts = texts
        .chain(d.teams.iter().map(|t| &t.name))
        .chain(d.members.iter().map(|m| &m.name));
    for s in texts {
        assert_eq!(*s, nfc(s));
    }
}

#[test]
fn same_seed_same_data_other_seed_other_names() {
    let (tree, a) = demo(DEFAULT_SEED);
    assert_eq!(a, generate(&tree, DEFAULT_SEED));
    let b = generate(&tree, DEFAULT_SEED + 1);
    assert_ne!(a.members, b.members);
    assert_ne!(a.villages, b.villages);
    assert_eq!(a.villages.len(), b.villages.len());
}

#[test]
fn names_look_like_the_province() {
    let (_, d) = demo(DEFAULT_SEED);
    let named = |s: &str| d.villages.iter().any(|v| v.name == s);
    assert!(named("Thôn Đông Ngũ"));
    assert!(d.villages.iter().any(|v| v.name.starts_with("Bản ")));
    assert!(d.villages.iter().any(|v| v.name.starts_with("Khu ")));
    let team = |s: &str| d.teams.iter().any(|t| t.name == s);
    assert!(team("Tổ công nghệ số cộng đồng Thôn Đông Ngũ, Xã Đông Ngũ"));
    assert!(d.members.iter().any(|m| m.name.starts_with("Nguyễn ")));
}
