//! The dashboard's leaderboards, coverage groups, unit picker and search, and downloads.

use super::i18n::Lang;
use super::view::{BoardRow, Cell, CommuneGroup, Here, Search, UnitOption, VillageRow, encode};
use crate::error::ApiError;
use crate::leader::Leader;
use chrono::{DateTime, Utc};
use langso_domain::kinds::ActivityKind;
use langso_domain::periods::Period;
use langso_domain::scope::{UnitKind, UnitRef};
use langso_store::{Entrants, LeaderboardQuery, RankBy, Store, StoreError};

/// A picker of more options than this leaves teams out (a province's 1,506): the search
/// and the communes' pages reach them.
pub const PICKER_MAX: usize = 300;
/// At most this many search results are listed.
pub const FOUND_MAX: usize = 50;

/// What a unit's leaderboard ranks: the level below it. The province ranks its districts,
/// or on a map without districts (since 2025-07-01) its groupings of communes, or its
/// communes while no groupings were imported.
pub fn entrants_of(kind: UnitKind, has_districts: bool, has_groupings: bool) -> Option<Entrants> {
    match kind {
        UnitKind::Province if has_districts => Some(Entrants::Districts),
        UnitKind::Province if has_groupings => Some(Entrants::Groupings),
        UnitKind::Province => Some(Entrants::Communes),
        UnitKind::Grouping | UnitKind::District => Some(Entrants::Communes),
        UnitKind::Commune => Some(Entrants::Teams),
        UnitKind::Team => Some(Entrants::Volunteers),
        UnitKind::Village => None,
    }
}

/// The unit kind of a leaderboard's entrants, whose pages its names link to.
fn page_kind(of: Entrants) -> Option<UnitKind> {
    match of {
        Entrants::Teams => Some(UnitKind::Team),
        Entrants::Communes => Some(UnitKind::Commune),
        Entrants::Groupings => Some(UnitKind::Grouping),
        Entrants::Districts => Some(UnitKind::District),
        Entrants::Volunteers => None,
    }
}

pub fn kind_label(lang: Lang, k: &ActivityKind) -> String {
    match lang {
        Lang::Vi => k.label_vi.clone(),
        Lang::En => k.label_en.clone(),
    }
}

/// The first `limit` rows of the leaderboard of `of` within `scope`, ranked by `rank_by`
/// (an unknown kind: 400 `invalid_rank_by`), each name linking to its own page.
pub fn board_rows(
    store: &Store,
    scope: &UnitRef,
    of: Entrants,
    period: Period,
    rank_by: &RankBy,
    here: &Here,
    limit: usize,
) -> Result<Vec<BoardRow>, ApiError> {
    let lb = store
        .report_leaderboard(&LeaderboardQuery {
            scope: scope.clone(),
            of,
            period,
            rank_by: rank_by.clone(),
            now: Utc::now(),
        })
        .map_err(|e| match e {
            StoreError::Invalid(m) => ApiError::bad_request("invalid_rank_by", m),
            e => e.into(),
        })?;
    let value = |e: &langso_store::Entry| match rank_by {
        RankBy::Score => e.score,
        RankBy::Kind(k) => e.totals.get(k).copied().unwrap_or(0) as f64,
    };
    Ok(lb
        .rows
        .iter()
        .take(limit)
        .map(|e| BoardRow {
            rank: e.rank,
            name: e.name.clone(),
            href: page_kind(of).map(|k| here.to(k.as_str(), &e.id)),
            value: value(e),
            active_members: Some(e.active_members),
            change: e.rank_change,
        })
        .collect())
}

/// The villages' coverage of `unit`, one group per commune, in the table's order.
pub fn coverage(
    store: &Store,
    unit: &UnitRef,
    period: &Period,
    now: DateTime<Utc>,
    here: &Here,
) -> Result<(Vec<String>, Vec<CommuneGroup>), ApiError> {
    let table = store.report_coverage(unit, period, now)?;
    let kinds = table
        .kinds
        .iter()
        .map(|k| kind_label(here.lang, k))
        .collect();
    let mut groups: Vec<(String, CommuneGroup)> = Vec::new();
    for r in &table.rows {
        let cells = table
            .kinds
            .iter()
            .map(|k| {
                r.cells.iter().find(|c| c.kind == k.code).map(|c| Cell {
                    achieved: c.achieved,
                    target: c.target,
                    percent: c.percent,
                })
            })
            .collect();
        let row = VillageRow {
            name: r.name.clone(),
            href: here.to(UnitKind::Village.as_str(), &r.id),
            population: r.population,
            cells,
        };
        match groups.iter_mut().find(|(code, _)| *code == r.commune_code) {
            Some((_, g)) => g.villages.push(row),
            None => groups.push((
                r.commune_code.clone(),
                CommuneGroup {
                    name: r.commune_name.clone(),
                    villages: vec![row],
                },
            )),
        }
    }
    Ok((kinds, groups.into_iter().map(|(_, g)| g).collect()))
}

/// Lower case without Vietnamese marks, for matching names as people type them
/// ("cao xanh" finds "Phường Cao Xanh", "ha long" finds "Hạ Long").
pub fn fold(s: &str) -> String {
    const FROM: &str = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ";
    const TO: &str = "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd";
    s.to_lowercase()
        .chars()
        .map(|c| {
            FROM.chars()
                .position(|f| f == c)
                .and_then(|i| TO.chars().nth(i))
                .unwrap_or(c)
        })
        .collect()
}

/// The picker's options, whether teams were left out of them, and the search's results:
/// every unit and team within the leader's scope whose name or code holds `asked`.
pub fn units(
    store: &Store,
    who: &Leader,
    asked: Option<&str>,
) -> Result<(Vec<UnitOption>, bool, Option<Search>), ApiError> {
    let all: Vec<UnitOption> = store
        .units_under(&who.scope)?
        .into_iter()
        .map(|n| UnitOption {
            kind: n.unit.kind.as_str().to_owned(),
            id: n.unit.id,
            name: n.name,
        })
        .collect();
    let search = asked.map(str::trim).filter(|a| !a.is_empty()).map(|a| {
        let want = fold(a);
        Search {
            asked: a.to_owned(),
            found: all
                .iter()
                .filter(|u| fold(&u.name).contains(&want) || fold(&u.id) == want)
                .take(FOUND_MAX)
                .map(|u| UnitOption {
                    kind: u.kind.clone(),
                    id: u.id.clone(),
                    name: u.name.clone(),
                })
                .collect(),
        }
    });
    let left_out = all.len() > PICKER_MAX;
    let picker = if left_out {
        all.into_iter()
            .filter(|u| u.kind != UnitKind::Team.as_str())
            .collect()
    } else {
        all
    };
    Ok((picker, left_out, search))
}

/// The export downloads of the page: the same unit, period and date as shown.
pub fn downloads(
    lang: Lang,
    unit: &UnitRef,
    here: &Here,
    entrants: Option<Entrants>,
) -> Vec<(String, String)> {
    let t = lang.t();
    let (kind, id) = (unit.kind.as_str(), encode(&unit.id));
    let base = format!(
        "unit_kind={kind}&unit={id}&period={}&date={}",
        here.period, here.date
    );
    let mut out = vec![
        (
            "CSV".to_owned(),
            format!("/v1/reports/summary?{base}&format=csv"),
        ),
        (
            "XLSX".to_owned(),
            format!("/v1/reports/summary?{base}&format=xlsx"),
        ),
    ];
    if unit.kind != UnitKind::Province {
        out.push((
            format!("{} CSV", t.villages_coverage),
            format!("/v1/reports/coverage?{base}&format=csv"),
        ));
    }
    let Some(of) = entrants else { return out };
    let lb = |of: Entrants| {
        format!(
            "/v1/reports/leaderboard?scope_kind={kind}&scope={id}&of={}&period={}&date={}",
            of.as_str(),
            here.period,
            here.date
        )
    };
    out.push((
        format!("{} CSV", t.leaderboard),
        format!("{}&format=csv", lb(of)),
    ));
    out.push((
        format!("{} XLSX", t.leaderboard),
        format!("{}&format=xlsx", lb(of)),
    ));
    if unit.kind == UnitKind::Grouping {
        // A grouping leader ranks its communes on the page and its teams here.
        out.push((
            format!("{} ({}) CSV", t.leaderboard, t.teams),
            format!("{}&format=csv", lb(Entrants::Teams)),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_without_their_marks() {
        assert_eq!(fold("Phường Cao Xanh"), "phuong cao xanh");
        assert_eq!(fold("Thành phố Hạ Long (cũ)"), "thanh pho ha long (cu)");
        assert_eq!(fold("ĐẶC KHU"), "dac khu");
        assert_eq!(fold("Tân Dân Ơn Ưu"), "tan dan on uu");
    }
}
