//! The evidence report (issue 9) laid out for printing: a title with province, unit and
//! month, one row per team with Vietnamese headings, a subtotal row per commune and a
//! grand total, the rule and late events explained, and the signatures block.

use super::layout::{period_key, stem, unit_kind_vi, vn_time};
use super::print::Printable;
use super::{Cell, Table};
use langso_domain::evidence::month_key;
use langso_domain::scope::UnitKind;
use langso_store::{EvidenceFigures, EvidenceReport, EvidenceTotal, TeamEvidence};

fn columns(r: &EvidenceReport) -> Vec<String> {
    let mut c: Vec<String> = [
        "STT",
        "Mã tổ",
        "Tên tổ công nghệ số",
        "Cấp tổ",
        "Thành viên theo danh sách",
        "Thành viên hoạt động",
        "Số ngày hoạt động",
    ]
    .map(String::from)
    .to_vec();
    c.extend(
        r.kinds
            .iter()
            .map(|k| format!("{} ({})", k.label_vi, k.unit_vi)),
    );
    c.extend(
        [
            "Số thôn phụ trách",
            "Số hộ",
            "Sự kiện đến muộn",
            "Đạt tiêu chí",
        ]
        .map(String::from),
    );
    c
}

fn figures(r: &EvidenceReport, f: &EvidenceFigures) -> Vec<Cell> {
    let mut out = vec![
        Cell::Int(f.members),
        Cell::Int(f.active_members),
        Cell::Int(f.activity_days),
    ];
    out.extend(
        r.kinds
            .iter()
            .map(|k| Cell::Int(f.totals.get(&k.code).copied().unwrap_or(0))),
    );
    out.extend([
        Cell::Int(f.villages),
        Cell::Int(f.households),
        f.late.as_ref().map_or(Cell::Empty, |l| Cell::Int(l.events)),
    ]);
    out
}

fn team_row(r: &EvidenceReport, n: usize, t: &TeamEvidence) -> Vec<Cell> {
    let level = if t.level == "commune" { "Xã" } else { "Thôn" };
    let mut row = vec![
        Cell::Int(n as i64),
        Cell::from(t.id.as_str()),
        Cell::from(t.name.as_str()),
        Cell::from(level),
    ];
    row.extend(figures(r, &t.figures));
    row.push(match t.qualifies {
        Some(true) => Cell::from("Đạt"),
        Some(false) => Cell::from("Không đạt"),
        None => Cell::Empty,
    });
    row
}

fn total_row(r: &EvidenceReport, label: String, t: &EvidenceTotal) -> Vec<Cell> {
    let mut row = vec![
        Cell::Empty,
        Cell::Empty,
        Cell::from(label),
        Cell::from(format!("{} tổ", t.teams)),
    ];
    row.extend(figures(r, &t.figures));
    row.push(t.qualifying_teams.map_or(Cell::Empty, |q| {
        Cell::from(format!("{q}/{} tổ đạt", t.teams))
    }));
    row
}

fn rows(r: &EvidenceReport) -> Vec<Vec<Cell>> {
    let mut out = Vec::new();
    let mut n = 0;
    for c in &r.communes {
        for t in &c.teams {
            n += 1;
            out.push(team_row(r, n, t));
        }
        if r.unit.kind != UnitKind::Team {
            out.push(total_row(r, format!("Cộng {}", c.name), &c.total));
        }
    }
    if r.communes.len() > 1 {
        out.push(total_row(r, "Tổng cộng".into(), &r.total));
    }
    out
}

fn title(r: &EvidenceReport) -> Vec<String> {
    let mut t = vec![
        "BÁO CÁO MINH CHỨNG HOẠT ĐỘNG CỦA TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG".to_owned(),
        r.province.clone(),
    ];
    // Communes' and districts' names carry their type (Phường Cao Xanh, Huyện Ba Chẽ).
    match r.unit.kind {
        UnitKind::Province => {}
        UnitKind::Commune | UnitKind::District => t.push(r.unit.name.clone()),
        k => t.push(format!(
            "{}: {} ({})",
            unit_kind_vi(k),
            r.unit.name,
            r.unit.id
        )),
    }
    t.push(format!(
        "{} (từ {} đến {})",
        r.period.label,
        r.period.from.format("%d/%m/%Y"),
        r.period.to.format("%d/%m/%Y")
    ));
    t
}

fn notes(r: &EvidenceReport) -> Vec<String> {
    let mut n = vec![match &r.rule {
        Some(x) => format!(
            "Tiêu chí của tỉnh (áp dụng từ tháng {}): ít nhất {} ngày hoạt động và {} thành \
             viên hoạt động trong tháng.",
            month_key(x.from),
            x.min_activity_days,
            x.min_active_members
        ),
        None => "Tỉnh chưa quy định tiêu chí cho tháng này: cột \"Đạt tiêu chí\" để trống.".into(),
    }];
    n.push(
        "Ngày hoạt động: ngày có ít nhất một hoạt động được ghi nhận; thành viên hoạt động: \
         thành viên có ít nhất một hoạt động trong tháng."
            .into(),
    );
    n.push(match r.period.closed {
        true => "Sự kiện đến muộn: hoạt động trong tháng nhưng máy chủ nhận \
             sau khi tháng kết thúc; đã tính trong các số liệu trên."
            .into(),
        false => "Tháng chưa kết thúc: số liệu còn thay đổi.".into(),
    });
    n.push(format!(
        "Số liệu tính đến {} (giờ Việt Nam), từ Langso.",
        vn_time(r.as_of)
    ));
    n
}

fn confirmer(r: &EvidenceReport) -> String {
    match (r.unit.kind, r.communes.as_slice()) {
        (UnitKind::Commune | UnitKind::Team, [c]) => format!("Xác nhận của UBND {}", c.name),
        _ => "Xác nhận của UBND xã".into(),
    }
}

/// The evidence report as a printable page.
pub fn evidence_printable(r: &EvidenceReport) -> Printable {
    Printable {
        file_stem: stem(&[
            "evidence",
            r.unit.kind.as_str(),
            &r.unit.id,
            &period_key(&r.period),
        ]),
        title: title(r),
        table: Table {
            name: "Minh chứng".into(),
            columns: columns(r),
            rows: rows(r),
        },
        notes: notes(r),
        signatures: vec![
            ("Người lập biểu".into(), "(Ký, ghi rõ họ tên)".into()),
            (confirmer(r), "(Ký tên, đóng dấu)".into()),
        ],
        dated: "……, ngày … tháng … năm ……".into(),
    }
}
