//! The dashboard's pages: server-rendered HTML with inline CSS and SVG, one round trip, no
//! scripts needed, readable on a 360-px phone.

use super::chart::{style, trend_svg};
use super::i18n::Lang;
use super::numfmt::number;
use super::sections;
use super::view::{Here, View};
use maud::{DOCTYPE, Markup, html};

const CSS: &str = r#"
*{box-sizing:border-box}body{margin:0;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f4f6f8}
header{background:#0b5394;color:#fff;padding:.6rem .8rem;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between}
header h1{font-size:1rem;margin:0}header a,header button{color:#fff;background:none;border:1px solid #fff6;border-radius:4px;padding:.2rem .5rem;font:inherit;cursor:pointer;text-decoration:none}
main{padding:.6rem;max-width:980px;margin:auto}section{background:#fff;border-radius:6px;padding:.7rem;margin:.6rem 0;box-shadow:0 1px 2px #0001}
h2{font-size:1rem;margin:.1rem 0 .5rem}h3{font-size:.9rem;margin:.5rem 0 .2rem}form.pick{display:flex;flex-wrap:wrap;gap:.4rem;align-items:end;margin-bottom:.4rem}
label{display:flex;flex-direction:column;font-size:.8rem;gap:.15rem;min-width:0;max-width:100%}select,input{font:inherit;padding:.35rem;border:1px solid #aab;border-radius:4px;max-width:100%}
button.go,.btn{background:#0b5394;color:#fff;border:0;border-radius:4px;padding:.45rem .8rem;font:inherit;text-decoration:none;display:inline-block}
a{color:#0b5394}#found ul{margin:.2rem 0;padding-left:1.2rem}
.table{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{padding:.3rem .35rem;border-bottom:1px solid #e3e6ea;text-align:left;white-space:nowrap}
td.n,th.n{text-align:right}.up{color:#1a7f37}.down{color:#b42318}.muted{color:#5f6b7a;font-size:.8rem}
.chart{width:100%;height:auto;max-height:240px}.axis{stroke:#889;stroke-width:1}.bar{fill:#3d85c6}.tick{font-size:9px;fill:#5f6b7a}.val{font-size:10px;font-weight:bold;fill:#1d2430}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.4rem}.card{border:1px solid #e3e6ea;border-radius:6px;padding:.4rem;font-size:.85rem}
.card .kind{font-weight:600}.card b.big{font-size:1.3rem}.card .tgt{margin-top:.2rem}.err{color:#b42318}.login{max-width:340px;margin:2rem auto}.login form{display:flex;flex-direction:column;gap:.6rem}
.dl{display:flex;gap:.4rem;flex-wrap:wrap}details{margin:.3rem 0}summary{cursor:pointer;padding:.25rem 0;font-weight:600}
table.board td.name{white-space:normal;overflow-wrap:anywhere}.lbl{display:none}
@media (max-width:640px){
table.board thead{display:none}table.board tr{display:grid;grid-template-columns:2em 1fr 1fr auto;column-gap:.4rem;padding:.35rem 0;border-bottom:1px solid #e3e6ea}
table.board td{border:0;padding:0;white-space:normal}table.board td.rank{grid-row:span 2;text-align:left;font-weight:bold}
table.board td.name{grid-column:2/4}table.board td.val{grid-column:4;font-weight:bold}
table.board td.chg{grid-column:2;text-align:left;font-size:.8rem}table.board td.act{grid-column:3/5;text-align:right;font-size:.8rem}.lbl{display:inline;color:#5f6b7a}
table.stack thead{display:none}table.stack tr{display:block;padding:.35rem 0;border-bottom:1px solid #e3e6ea}table.stack td{display:block;border:0;padding:.1rem 0;white-space:normal;overflow-wrap:anywhere}
table.stack input{max-width:100%}}
@media print{body{background:#fff;font-size:11pt}header form,header a,#pick,#downloads,form.pick{display:none}header{background:#fff;color:#000;border-bottom:2px solid #000}
section{box-shadow:none;border:1px solid #ccc;break-inside:avoid}.table{overflow:visible}a{color:inherit;text-decoration:none}
details::details-content{content-visibility:visible;display:block}summary{list-style:none}}
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

fn header(v: &View) -> Markup {
    let t = v.lang.t();
    let other = v.lang.other();
    html! {
        header {
            h1 { (t.title) }
            div {
                span.muted style="color:#dde" { (v.username) " " }
                @if v.unit_kind == "team" {
                    a id="devices-link" href={ "/devices?team=" (super::view::encode(&v.unit_id)) "&lang=" (v.lang.code()) } { (t.devices) } " "
                }
                @if v.admin {
                    a id="accounts-link" href={ "/accounts?lang=" (v.lang.code()) } { (t.accounts) } " "
                    a id="kinds-link" href={ "/kinds?lang=" (v.lang.code()) } { (t.catalogue) } " "
                }
                a href=(Here { period: v.period.clone(), date: v.date.clone(), lang: other, rank_by: v.rank_by.clone() }.to(&v.unit_kind, &v.unit_id))
                    id="lang" { (t.switch_lang) }
                " "
                form method="post" action="/logout" style="display:inline" {
                    button type="submit" id="logout" { (t.logout) }
                }
            }
        }
    }
}

/// The trend: the chart, the comparison, and its values as a small table.
fn trend(v: &View) -> Markup {
    let t = v.lang.t();
    html! {
        section id="trend" {
            h2 { (t.trend) }
            @if v.series.iter().all(|p| p.value.unwrap_or(0.0) == 0.0) { p.muted { (t.no_data) } }
            (trend_svg(&v.series, t.trend, t.score, v.lang))
            details.figures {
                summary { (t.figures) }
                table { tbody { @for p in v.series.iter().filter(|p| p.value.is_some()) {
                    tr { td { (p.label) } td.n { (number(v.lang, p.value.unwrap_or(0.0), 0)) } }
                } } }
            }
        }
    }
}

pub fn dashboard(v: &View) -> Markup {
    let t = v.lang.t();
    let body = html! {
        (sections::picker(v))
        (sections::summary(v))
        (trend(v))
        @if !v.board.is_empty() {
            section id="leaderboard" {
                h2 { (t.leaderboard) ": " (v.board_title) }
                (sections::rank_form(v))
                (sections::board(v, &v.board))
            }
        }
        @if !v.team_board.is_empty() {
            section id="teams" {
                h2 { (t.leading_teams) }
                (sections::board(v, &v.team_board))
            }
        }
        section id="downloads" {
            h2 { (t.download) }
            div.dl { @for (label, href) in &v.downloads { a.btn href=(href) download { (label) } } }
        }
        @if !v.communes.is_empty() { (sections::coverage(v, &v.communes)) }
    };
    layout(v.lang, t.title, Some(header(v)), body)
}
