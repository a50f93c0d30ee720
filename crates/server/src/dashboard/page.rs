//! The dashboard's pages: server-rendered HTML with inline CSS and SVG, one round trip, no
//! scripts needed, readable on a 360-px phone.

use super::chart::{Point, coverage_colour, style, trend_svg};
use super::i18n::{Lang, Words};
use maud::{DOCTYPE, Markup, html};

const CSS: &str = r#"
*{box-sizing:border-box}body{margin:0;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f4f6f8}
header{background:#0b5394;color:#fff;padding:.6rem .8rem;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between}
header h1{font-size:1rem;margin:0}header a,header button{color:#fff;background:none;border:1px solid #fff6;border-radius:4px;padding:.2rem .5rem;font:inherit;cursor:pointer;text-decoration:none}
main{padding:.6rem;max-width:980px;margin:auto}section{background:#fff;border-radius:6px;padding:.7rem;margin:.6rem 0;box-shadow:0 1px 2px #0001}
h2{font-size:1rem;margin:.1rem 0 .5rem}form.pick{display:flex;flex-wrap:wrap;gap:.4rem;align-items:end}
label{display:flex;flex-direction:column;font-size:.8rem;gap:.15rem;min-width:0}select,input{font:inherit;padding:.35rem;border:1px solid #aab;border-radius:4px;max-width:100%}
button.go,.btn{background:#0b5394;color:#fff;border:0;border-radius:4px;padding:.45rem .8rem;font:inherit;text-decoration:none;display:inline-block}
.table{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{padding:.3rem .35rem;border-bottom:1px solid #e3e6ea;text-align:left;white-space:nowrap}
td.n,th.n{text-align:right}.up{color:#1a7f37}.down{color:#b42318}.muted{color:#5f6b7a;font-size:.8rem}
.chart{width:100%;height:auto;max-height:220px}.axis{stroke:#889;stroke-width:1}.bar{fill:#3d85c6}.tick{font-size:9px;fill:#5f6b7a}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:.4rem}.card{border:1px solid #e3e6ea;border-radius:6px;padding:.4rem}
.card b{display:block;font-size:1.2rem}.err{color:#b42318}.login{max-width:340px;margin:2rem auto}.login form{display:flex;flex-direction:column;gap:.6rem}
.dl{display:flex;gap:.4rem;flex-wrap:wrap}
"#;

pub fn layout(lang: Lang, title: &str, header: Option<Markup>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                (style(CSS))
            }
            body {
                @if let Some(h) = header { (h) }
                main { (body) }
            }
        }
    }
}

/// One option of the unit picker.
pub struct UnitOption {
    pub kind: String,
    pub id: String,
    pub name: String,
}

pub struct KindTotal {
    pub label: String,
    pub total: i64,
    pub target: Option<i64>,
    pub coverage_pct: Option<f64>,
    pub left: Option<i64>,
}

pub struct BoardRow {
    /// None: no activity, so not ranked.
    pub rank: Option<u32>,
    pub name: String,
    pub score: f64,
    pub active_members: Option<i64>,
    pub change: Option<i64>,
}

pub struct VillageRow {
    pub name: String,
    pub population: i64,
    /// Coverage % per kind column (None: no target).
    pub cells: Vec<Option<f64>>,
}

pub struct View {
    pub lang: Lang,
    pub username: String,
    pub units: Vec<UnitOption>,
    pub unit_kind: String,
    pub unit_id: String,
    pub unit_name: String,
    pub period: String,
    pub date: String,
    pub period_label: String,
    pub as_of: String,
    pub late_events: i64,
    pub score: f64,
    pub totals: Vec<KindTotal>,
    pub series: Vec<Point>,
    pub board_title: String,
    pub board: Vec<BoardRow>,
    /// A grouping's leading teams (at most [`LEADING_TEAMS`]); empty for other units.
    pub team_board: Vec<BoardRow>,
    pub coverage_kinds: Vec<String>,
    pub villages: Vec<VillageRow>,
    /// (label, href) of the export downloads.
    pub downloads: Vec<(String, String)>,
}

/// A whole number with thousands grouped the local way: 297.644 (vi), 297,644 (en).
fn grouped(lang: Lang, n: i64) -> String {
    let sep = if lang == Lang::Vi { '.' } else { ',' };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A score for display: whole points, grouped, never "-0".
fn points(lang: Lang, v: f64) -> String {
    grouped(lang, v.round() as i64)
}

fn period_options(t: &Words) -> [(&'static str, &'static str); 5] {
    [
        ("day", t.day),
        ("week", t.week),
        ("month", t.month),
        ("quarter", t.quarter),
        ("year", t.year),
    ]
}

fn header(v: &View) -> Markup {
    let t = v.lang.t();
    let other = v.lang.other();
    html! {
        header {
            h1 { (t.title) }
            div {
                span.muted style="color:#dde" { (v.username) " " }
                a href=(format!("/?unit={}:{}&period={}&date={}&lang={}", v.unit_kind, v.unit_id, v.period, v.date, other.code()))
                    id="lang" { (t.switch_lang) }
                " "
                form method="post" action="/logout" style="display:inline" {
                    button type="submit" id="logout" { (t.logout) }
                }
            }
        }
    }
}

/// How many leading teams a grouping's page shows (the whole ranking is the download).
pub const LEADING_TEAMS: usize = 20;

/// A leaderboard as a table: rank, name, score, active members, change.
fn board_table(v: &View, rows: &[BoardRow]) -> Markup {
    let t = v.lang.t();
    html! {
        div.table { table {
            thead { tr { th.n { (t.rank) } th { (t.name) } th.n { (t.score) } th.n { (t.active_members) } th.n { (t.change) } } }
            tbody {
                @for r in rows {
                    tr {
                        td.n { @if let Some(rank) = r.rank { (rank) } @else { "–" } }
                        td { (r.name) } td.n { (points(v.lang, r.score)) }
                        td.n { @if let Some(a) = r.active_members { (a) } }
                        td.n {
                            @match r.change {
                                Some(c) if c > 0 => span.up { "▲" (c) },
                                Some(c) if c < 0 => span.down { "▼" (-c) },
                                Some(_) => "=",
                                None => "–",
                            }
                        }
                    }
                }
            }
        } }
    }
}

pub fn dashboard(v: &View) -> Markup {
    let t = v.lang.t();
    let body = html! {
        section {
            form.pick method="get" action="/" {
                input type="hidden" name="lang" value=(v.lang.code());
                label { (t.unit)
                    select name="unit" id="unit" {
                        @for u in &v.units {
                            option value=(format!("{}:{}", u.kind, u.id)) selected[u.kind == v.unit_kind && u.id == v.unit_id] { (u.name) }
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
        }
        section id="summary" {
            h2 { span id="unit-name" { (v.unit_name) } " · " span id="period-label" { (v.period_label) } }
            p.muted { (t.as_of) " " span id="as-of" { (v.as_of) }
                @if v.late_events > 0 { " · " strong id="late" { (v.late_events) } " " (t.late) } }
            div.cards {
                div.card { (t.score) b id="score" { (points(v.lang, v.score)) } }
                @for k in &v.totals {
                    div.card {
                        (k.label) b { (grouped(v.lang, k.total)) }
                        @if let (Some(target), Some(pct), Some(left)) = (k.target, k.coverage_pct, k.left) {
                            span.muted { (t.target) " " (grouped(v.lang, target)) " · " (format!("{pct:.1}%")) " · " (t.left) " " (grouped(v.lang, left)) }
                        }
                    }
                }
            }
        }
        section id="trend" {
            h2 { (t.trend) }
            @if v.series.iter().all(|p| p.value == 0.0) { p.muted { (t.no_data) } }
            (trend_svg(&v.series, t.trend))
        }
        section id="leaderboard" {
            h2 { (t.leaderboard) ": " (v.board_title) }
            (board_table(v, &v.board))
        }
        @if !v.team_board.is_empty() {
            section id="teams" {
                h2 { (t.leading_teams) }
                (board_table(v, &v.team_board))
            }
        }
        @if !v.villages.is_empty() {
            section id="coverage" {
                h2 { (t.villages_coverage) }
                div.table { table {
                    thead { tr { th { (t.village) } th.n { (t.population) } @for k in &v.coverage_kinds { th.n { (k) } } } }
                    tbody {
                        @for r in &v.villages {
                            tr {
                                td { (r.name) } td.n { (grouped(v.lang, r.population)) }
                                @for c in &r.cells {
                                    @match c {
                                        Some(pct) => td.n style=(format!("background:{}", coverage_colour(*pct))) { (format!("{pct:.0}%")) },
                                        None => td.n { "–" },
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
        section id="downloads" {
            h2 { (t.download) }
            div.dl { @for (label, href) in &v.downloads { a.btn href=(href) download { (label) } } }
        }
    };
    layout(v.lang, t.title, Some(header(v)), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_the_local_way() {
        assert_eq!(grouped(Lang::Vi, 297_644), "297.644");
        assert_eq!(grouped(Lang::En, 1_234_567), "1,234,567");
        assert_eq!(grouped(Lang::Vi, 999), "999");
        assert_eq!(points(Lang::Vi, -0.0), "0");
    }
}
