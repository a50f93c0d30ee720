//! The reports laid out as tables with Vietnamese headings.

use super::{Book, Cell, Table};
use chrono::{DateTime, Utc};
use langso_domain::kinds::ActivityKind;
use langso_domain::periods::Period;
use langso_domain::scope::UnitKind;
use langso_store::{
    CoverageTable, Late, Leaderboard, PeriodInfo, RankBy, Summary, Totals, UnitSummary,
};

pub(super) fn unit_kind_vi(k: UnitKind) -> &'static str {
    match k {
        UnitKind::Village => "Thôn",
        UnitKind::Team => "Tổ công nghệ số",
        UnitKind::Commune => "Xã",
        UnitKind::Grouping => "Cụm xã",
        UnitKind::District => "Huyện",
        UnitKind::Province => "Tỉnh",
    }
}

fn yes_no(b: bool) -> Cell {
    Cell::from(if b { "có" } else { "không" })
}

pub(super) fn vn_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&langso_domain::time::vn_offset())
        .format("%H:%M:%S %d/%m/%Y")
        .to_string()
}

pub(super) fn period_key(p: &PeriodInfo) -> String {
    Period {
        kind: p.kind,
        from: p.from,
        to: p.to,
    }
    .key()
}

pub(super) fn stem(parts: &[&str]) -> String {
    let raw = format!("langso-{}", parts.join("-"));
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn info(
    title: &str,
    unit: &UnitSummary,
    p: &PeriodInfo,
    as_of: DateTime<Utc>,
    late: Option<&Late>,
) -> Vec<(String, Cell)> {
    let mut out = vec![
        ("Báo cáo".into(), Cell::from(title)),
        (
            "Đơn vị".into(),
            Cell::from(format!(
                "{} ({} {})",
                unit.name,
                unit_kind_vi(unit.kind),
                unit.id
            )),
        ),
        ("Kỳ báo cáo".into(), Cell::from(p.label.as_str())),
        ("Từ ngày".into(), Cell::Date(p.from)),
        ("Đến ngày".into(), Cell::Date(p.to)),
        ("Kỳ đã kết thúc".into(), yes_no(p.closed)),
        (
            "Số liệu tính đến (giờ Việt Nam)".into(),
            Cell::from(vn_time(as_of)),
        ),
        ("Dân số".into(), Cell::Int(unit.population)),
        ("Số hộ".into(), Cell::Int(unit.households)),
    ];
    if let Some(l) = late {
        out.push((
            "Sự kiện đến muộn (sau khi kỳ kết thúc)".into(),
            Cell::Int(l.events),
        ));
        out.push(("Điểm thay đổi do đến muộn".into(), Cell::Num(l.score)));
    }
    out
}

fn kind_columns(kinds: &[ActivityKind]) -> impl Iterator<Item = String> + '_ {
    kinds.iter().map(|k| k.label_vi.clone())
}

fn kind_cells<'a>(kinds: &'a [ActivityKind], t: &'a Totals) -> impl Iterator<Item = Cell> + 'a {
    kinds
        .iter()
        .map(|k| Cell::Int(t.get(&k.code).copied().unwrap_or(0)))
}

fn label<'a>(kinds: &'a [ActivityKind], code: &'a str) -> &'a str {
    kinds
        .iter()
        .find(|k| k.code == code)
        .map_or(code, |k| k.label_vi.as_str())
}

/// Series (one row per point, then the total), and coverage of targets.
pub fn summary_book(s: &Summary) -> Book {
    let mut columns = vec!["Từ ngày".to_owned(), "Đến ngày".to_owned()];
    columns.extend(kind_columns(&s.kinds));
    columns.push("Điểm".into());
    let mut rows: Vec<Vec<Cell>> = s
        .series
        .iter()
        .map(|p| {
            let mut r = vec![Cell::Date(p.from), Cell::Date(p.to)];
            r.extend(kind_cells(&s.kinds, &p.totals));
            r.push(Cell::Num(p.score));
            r
        })
        .collect();
    let mut total = vec![Cell::from("Tổng"), Cell::Empty];
    total.extend(kind_cells(&s.kinds, &s.totals));
    total.push(Cell::Num(s.score));
    rows.push(total);
    let coverage = Table {
        name: "Mục tiêu".into(),
        columns: [
            "Hoạt động",
            "Chỉ tiêu theo",
            "Tỉ lệ hoặc số lượng",
            "Chỉ tiêu",
            "Đã đạt (lũy kế)",
            "Tỉ lệ đạt (%)",
            "Còn lại",
            "Trong kỳ",
            "Tính từ ngày",
            "Hạn",
            "Mặc định",
            "Căn cứ",
        ]
        .map(String::from)
        .to_vec(),
        rows: s
            .coverage
            .iter()
            .map(|c| {
                vec![
                    Cell::from(label(&s.kinds, &c.kind)),
                    Cell::from(c.basis.label_vi()),
                    Cell::Num(c.value),
                    Cell::Int(c.target),
                    Cell::Int(c.achieved),
                    c.percent.map_or(Cell::Empty, Cell::Percent),
                    Cell::Int(c.remaining),
                    Cell::Int(c.period_total),
                    c.start_date.map_or(Cell::Empty, Cell::Date),
                    c.due_date.map_or(Cell::Empty, Cell::Date),
                    yes_no(c.is_default),
                    Cell::from(c.note.as_str()),
                ]
            })
            .collect(),
    };
    Book {
        file_stem: stem(&[
            "summary",
            s.unit.kind.as_str(),
            &s.unit.id,
            &period_key(&s.period),
        ]),
        info: info(
            "Tổng hợp hoạt động",
            &s.unit,
            &s.period,
            s.as_of,
            s.late.as_ref(),
        ),
        tables: vec![
            Table {
                name: "Số liệu".into(),
                columns,
                rows,
            },
            coverage,
        ],
    }
}

pub fn leaderboard_book(lb: &Leaderboard) -> Book {
    let of = match lb.of {
        langso_store::Entrants::Teams => "tổ công nghệ số",
        langso_store::Entrants::Communes => "xã",
        langso_store::Entrants::Groupings => "cụm xã",
        langso_store::Entrants::Districts => "huyện",
        langso_store::Entrants::Volunteers => "thành viên",
    };
    let mut columns: Vec<String> = [
        "Hạng",
        "Hạng kỳ trước",
        "Thay đổi hạng",
        "Mã",
        "Tên",
        "Điểm",
        "Thành viên hoạt động",
        "Số thành viên",
    ]
    .map(String::from)
    .to_vec();
    columns.extend(kind_columns(&lb.kinds));
    let rows = lb
        .rows
        .iter()
        .map(|e| {
            let mut r = vec![
                Cell::from(e.rank.map(i64::from)),
                Cell::from(e.previous_rank.map(i64::from)),
                Cell::from(e.rank_change),
                Cell::from(e.id.as_str()),
                Cell::from(e.name.as_str()),
                Cell::Num(e.score),
                Cell::Int(e.active_members),
                Cell::Int(e.members),
            ];
            r.extend(kind_cells(&lb.kinds, &e.totals));
            r
        })
        .collect();
    let mut info = info(
        &format!("Bảng xếp hạng {of}"),
        &lb.scope,
        &lb.period,
        lb.as_of,
        lb.late.as_ref(),
    );
    let by = match &lb.rank_by {
        RankBy::Score => "Điểm tổng hợp (theo trọng số)".to_owned(),
        RankBy::Kind(k) => label(&lb.kinds, k).to_owned(),
    };
    info.insert(1, ("Xếp hạng theo".into(), Cell::from(by)));
    info.push((
        "Kỳ so sánh".into(),
        Cell::from(lb.previous_period.label.as_str()),
    ));
    Book {
        file_stem: stem(&[
            "leaderboard",
            lb.of.as_str(),
            lb.scope.kind.as_str(),
            &lb.scope.id,
            &period_key(&lb.period),
        ]),
        info,
        tables: vec![Table {
            name: "Bảng xếp hạng".into(),
            columns,
            rows,
        }],
    }
}

pub fn coverage_book(t: &CoverageTable) -> Book {
    let mut columns: Vec<String> = ["Mã thôn", "Tên thôn", "Mã xã", "Tên xã", "Dân số", "Số hộ"]
        .map(String::from)
        .to_vec();
    for k in &t.kinds {
        for what in ["đã đạt", "chỉ tiêu", "tỉ lệ (%)"] {
            columns.push(format!("{} – {what}", k.label_vi));
        }
    }
    let rows = t
        .rows
        .iter()
        .map(|v| {
            let mut r = vec![
                Cell::from(v.id.as_str()),
                Cell::from(v.name.as_str()),
                Cell::from(v.commune_code.as_str()),
                Cell::from(v.commune_name.as_str()),
                Cell::Int(v.population),
                Cell::Int(v.households),
            ];
            for k in &t.kinds {
                match v.cells.iter().find(|c| c.kind == k.code) {
                    Some(c) => r.extend([
                        Cell::Int(c.achieved),
                        Cell::Int(c.target),
                        c.percent.map_or(Cell::Empty, Cell::Percent),
                    ]),
                    None => r.extend([Cell::Empty, Cell::Empty, Cell::Empty]),
                }
            }
            r
        })
        .collect();
    let mut info = info(
        "Độ phủ theo thôn",
        &t.unit,
        &t.period,
        t.as_of,
        t.late.as_ref(),
    );
    for c in &t.total {
        info.push((
            format!("{} – toàn đơn vị", label(&t.kinds, &c.kind)),
            Cell::from(format!(
                "{} / {} ({})",
                c.achieved,
                c.target,
                c.percent.map_or("–".to_owned(), |p| format!("{p}%"))
            )),
        ));
    }
    Book {
        file_stem: stem(&[
            "coverage",
            t.unit.kind.as_str(),
            &t.unit.id,
            &period_key(&t.period),
        ]),
        info,
        tables: vec![Table {
            name: "Độ phủ theo thôn".into(),
            columns,
            rows,
        }],
    }
}
