//! The sections of the dashboard page: picker and search, cards, leaderboard, coverage.

use super::chart::coverage_colour;
use super::i18n::{Lang, Words};
use super::numfmt::{int, number, percent};
use super::view::{BoardRow, CommuneGroup, KindTotal, Pace, Target, UnitOption, View};
use maud::{Markup, html};

fn period_options(t: &Words) -> [(&'static str, &'static str); 5] {
    [
        ("day", t.day),
        ("week", t.week),
        ("month", t.month),
        ("quarter", t.quarter),
        ("year", t.year),
    ]
}

/// The picker's group heading for a unit kind.
fn kind_word(t: &Words, kind: &str) -> &'static str {
    match kind {
        "province" => t.kind_province,
        "grouping" => t.kind_grouping,
        "district" => t.kind_district,
        "commune" => t.kind_commune,
        "team" => t.teams,
        _ => t.kind_village,
    }
}

/// The units of `units`, grouped by kind in their order (province, groupings, …).
fn by_kind(units: &[UnitOption]) -> Vec<(&str, Vec<&UnitOption>)> {
    let mut out: Vec<(&str, Vec<&UnitOption>)> = Vec::new();
    for u in units {
        match out.iter_mut().find(|(k, _)| *k == u.kind) {
            Some((_, list)) => list.push(u),
            None => out.push((u.kind.as_str(), vec![u])),
        }
    }
    out
}

/// The unit, period and date picker, and the search over every unit and team in scope.
pub fn picker(v: &View) -> Markup {
    let t = v.lang.t();
    html! {
        section id="pick" {
            form.pick method="get" action="/" {
                input type="hidden" name="lang" value=(v.lang.code());
                label { (t.unit)
                    select name="unit" id="unit" {
                        @for (kind, list) in by_kind(&v.units) {
                            optgroup label=(kind_word(t, kind)) {
                                @for u in list {
                                    option value=(format!("{}:{}", u.kind, u.id)) selected[u.kind == v.unit_kind && u.id == v.unit_id] { (u.name) }
                                }
                            }
                        }
                    }
                }
                label { (t.period)
                    select name="period" id="period" {
                        @for (value, label) in period_options(t) {
                            option value=(value) selected[value == v.period] { (label) }
                        }
                    }
                }
                label { (t.date) input type="date" name="date" id="date" value=(v.date); }
                button.go type="submit" id="show" { (t.show) }
            }
            form.pick.find method="get" action="/" role="search" {
                input type="hidden" name="lang" value=(v.lang.code());
                input type="hidden" name="unit" value=(format!("{}:{}", v.unit_kind, v.unit_id));
                input type="hidden" name="period" value=(v.period);
                input type="hidden" name="date" value=(v.date);
                label { (t.search)
                    input type="search" name="q" id="q" value=[v.search.as_ref().map(|s| &s.asked)];
                }
                button.go type="submit" id="find" { (t.find) }
            }
            @if v.teams_left_out { p.muted { (t.teams_by_search) } }
            @if let Some(s) = &v.search {
                div id="found" {
                    h3 { (t.found) " “" (s.asked) "”" }
                    @if s.found.is_empty() { p.muted { (t.nothing_found) } }
                    ul { @for u in &s.found {
                        li { a href=(format!("/?unit={}:{}&period={}&date={}&lang={}", u.kind, super::view::encode(&u.id), v.period, v.date, v.lang.code())) { (u.name) }
                            " " span.muted { (kind_word(t, &u.kind)) } }
                    } }
                }
            }
        }
    }
}

fn pace_line(lang: Lang, t: &Words, g: &Target) -> Markup {
    html! {
        @if let Some(due) = g.due { (t.due) " " (due.format("%d/%m/%Y")) " · " }
        @match g.pace {
            Pace::Met => span.up { (t.target_met) },
            Pace::PastDue => span.down { (t.past_due) },
            Pace::PerDay(n) => span.pace { (t.needs) " " (super::numfmt::at_least(lang, n)) (t.per_day) },
            Pace::Open => "",
        }
    }
}

/// One kind's card: its count this period (the big number), and its target: the share
/// reached cumulatively since the target's start, the due date and the daily pace needed.
fn card(lang: Lang, k: &KindTotal) -> Markup {
    let t = lang.t();
    html! {
        div.card id=(format!("card-{}", k.code)) {
            div.kind { (k.label) }
            b.big { (int(lang, k.total)) } " " span.muted.what { (t.this_period) }
            @if let Some(g) = &k.target {
                div.tgt {
                    (t.target) " " (int(lang, g.target)) " · "
                    strong.pct { (g.percent.map_or_else(|| "–".to_owned(), |p| percent(lang, p))) }
                }
                div.muted.since {
                    @match g.start {
                        Some(d) => { (t.cumulative_since) " " (d.format("%d/%m/%Y")) }
                        None => { (t.cumulative) }
                    }
                    ": " (int(lang, g.achieved))
                }
                div.muted.due { (pace_line(lang, t, g)) }
            }
        }
    }
}

/// The summary: unit and period, the score with its comparison, one card per kind.
pub fn summary(v: &View) -> Markup {
    let t = v.lang.t();
    html! {
        section id="summary" {
            h2 { span id="unit-name" { (v.unit_name) } " · " span id="period-label" { (v.period_label) } }
            p.muted { (t.as_of) " " span id="as-of" { (v.as_of) }
                @if v.late_events > 0 { " · " strong id="late" { (int(v.lang, v.late_events)) } " " (t.late) } }
            div.cards {
                div.card id="card-score" {
                    div.kind { (t.score) }
                    b.big id="score" { (number(v.lang, v.score, 0)) } " " span.muted.what { (t.this_period) }
                    div.muted id="compare" { (v.comparison) }
                }
                @for k in &v.totals { (card(v.lang, k)) }
            }
        }
    }
}

/// A leaderboard: rank, name (a link to its page), the measure, change of rank and active
/// members. On a phone each row is two lines, every column labelled, none off-screen.
pub fn board(v: &View, rows: &[BoardRow]) -> Markup {
    let t = v.lang.t();
    html! {
        table.board {
            thead { tr { th.n.rank { (t.rank) } th.name { (t.name) } th.n.val { (v.measure) } th.n.chg { (t.change) } th.n.act { (t.active_members) } } }
            tbody {
                @for r in rows {
                    tr {
                        td.n.rank { @if let Some(rank) = r.rank { (rank) } @else { "–" } }
                        td.name { @match &r.href { Some(h) => a href=(h) { (r.name) }, None => (r.name) } }
                        td.n.val { (number(v.lang, r.value, 0)) }
                        td.n.chg {
                            @match r.change {
                                Some(c) if c > 0 => span.up { "▲" (c) },
                                Some(c) if c < 0 => span.down { "▼" (-c) },
                                Some(_) => "=",
                                None => "–",
                            }
                            span.lbl { " " (t.lbl_change) }
                        }
                        td.n.act { @if let Some(a) = r.active_members { (int(v.lang, a)) } span.lbl { " " (t.lbl_active) } }
                    }
                }
            }
        }
    }
}

/// The measure a leaderboard ranks by: the score or one kind's count.
pub fn rank_form(v: &View) -> Markup {
    let t = v.lang.t();
    html! {
        form.pick method="get" action="/" {
            input type="hidden" name="lang" value=(v.lang.code());
            input type="hidden" name="unit" value=(format!("{}:{}", v.unit_kind, v.unit_id));
            input type="hidden" name="period" value=(v.period);
            input type="hidden" name="date" value=(v.date);
            label { (t.rank_by)
                select name="rank" id="rank" {
                    option value="score" selected[v.rank_by == "score"] { (t.score) }
                    @for (code, label) in &v.kinds { option value=(code) selected[*code == v.rank_by] { (label) } }
                }
            }
            button.go type="submit" id="rank-go" { (t.show) }
        }
    }
}

/// Per-village coverage as numbers (reached / target, share), one collapsed group per
/// commune.
pub fn coverage(v: &View, groups: &[CommuneGroup]) -> Markup {
    let t = v.lang.t();
    html! {
        section id="coverage" {
            h2 { (t.villages_coverage) }
            p.muted { (t.coverage_note) }
            @for g in groups {
                details.commune {
                    summary { (g.name) " · " (int(v.lang, g.villages.len() as i64)) " " (t.villages) }
                    div.table { table {
                        thead { tr { th { (t.village) } th.n { (t.population) } @for k in &v.coverage_kinds { th.n { (k) } } } }
                        tbody { @for r in &g.villages {
                            tr {
                                td { a href=(r.href) { (r.name) } } td.n { (int(v.lang, r.population)) }
                                @for c in &r.cells {
                                    @match c {
                                        Some(c) => td.n style=[c.percent.map(|p| format!("border-left:4px solid {}", coverage_colour(p)))] {
                                            (int(v.lang, c.achieved)) "/" (int(v.lang, c.target))
                                            @if let Some(p) = c.percent { br; small { (number(v.lang, p, 0)) "%" } }
                                        },
                                        None => td.n { "–" },
                                    }
                                }
                            }
                        } }
                    } }
                }
            }
        }
    }
}
