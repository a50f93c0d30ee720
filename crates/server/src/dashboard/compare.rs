//! Periods in words, in the page's language: the period's heading, and this period's
//! score against the previous one's ("+12% so với tháng 10" / "+12% vs October").

use super::i18n::Lang;
use super::numfmt::{change, number};
use chrono::Datelike;
use langso_domain::periods::{Period, PeriodKind};

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The period's heading: "Tháng 11/2026" (vi, the reports' own label), "November 2026" (en).
pub fn label(lang: Lang, p: &Period) -> String {
    let (f, t) = (p.from, p.to);
    match (lang, p.kind) {
        (Lang::Vi, _) => p.label_vi(),
        (Lang::En, PeriodKind::Day) => f.format("%d/%m/%Y").to_string(),
        (Lang::En, PeriodKind::Week) => format!(
            "Week {}/{} ({}–{})",
            f.iso_week().week(),
            f.iso_week().year(),
            f.format("%d/%m"),
            t.format("%d/%m/%Y")
        ),
        (Lang::En, PeriodKind::Month) => format!("{} {}", MONTHS_EN[f.month0() as usize], f.year()),
        (Lang::En, PeriodKind::Quarter) => format!("Q{} {}", f.month0() / 3 + 1, f.year()),
        (Lang::En, PeriodKind::Year) => f.year().to_string(),
        (Lang::En, PeriodKind::Custom) => {
            format!("{} – {}", f.format("%d/%m/%Y"), t.format("%d/%m/%Y"))
        }
    }
}

/// The previous period named as a sentence ends with it: "tháng 10", "October"; the year
/// is added when it differs from `this`'s ("tháng 12/2025", "December 2025").
pub fn previous_name(lang: Lang, this: &Period, prev: &Period) -> String {
    let f = prev.from;
    let other_year = f.year() != this.from.year();
    match (lang, prev.kind) {
        (Lang::Vi, PeriodKind::Month) if other_year => format!("tháng {}/{}", f.month(), f.year()),
        (Lang::Vi, PeriodKind::Month) => format!("tháng {}", f.month()),
        (Lang::En, PeriodKind::Month) if other_year => label(lang, prev),
        (Lang::En, PeriodKind::Month) => MONTHS_EN[f.month0() as usize].to_owned(),
        (Lang::Vi, PeriodKind::Day) => format!("ngày {}", f.format("%d/%m")),
        (Lang::Vi, PeriodKind::Week) => format!("tuần {}", f.iso_week().week()),
        (Lang::En, PeriodKind::Week) => format!("week {}", f.iso_week().week()),
        (Lang::Vi, PeriodKind::Quarter) => format!("quý {}/{}", f.month0() / 3 + 1, f.year()),
        (Lang::Vi, PeriodKind::Year) => format!("năm {}", f.year()),
        (Lang::Vi, PeriodKind::Custom) => {
            format!("{} – {}", f.format("%d/%m"), prev.to.format("%d/%m/%Y"))
        }
        (Lang::En, _) => label(lang, prev),
    }
}

/// This period's score against the previous period's, in words: "+12% so với tháng 10
/// (1.234 điểm)"; without activity before, the previous score alone.
pub fn sentence(lang: Lang, this: &Period, now: f64, before: f64) -> String {
    let prev = this.previous();
    let name = previous_name(lang, this, &prev);
    let points = number(lang, before, 0);
    match (lang, before > 0.0) {
        (Lang::Vi, true) => format!(
            "{} so với {name} ({points} điểm)",
            change(lang, (now - before) / before * 100.0)
        ),
        (Lang::En, true) => format!(
            "{} vs {name} ({points} points)",
            change(lang, (now - before) / before * 100.0)
        ),
        (Lang::Vi, false) => format!("{name}: không có hoạt động"),
        (Lang::En, false) => format!("{name}: no activity"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn month(y: i32, m: u32) -> Period {
        Period::containing(
            PeriodKind::Month,
            NaiveDate::from_ymd_opt(y, m, 15).unwrap(),
        )
    }

    #[test]
    fn the_change_is_stated_against_the_previous_month_by_name() {
        let nov = month(2026, 11);
        assert_eq!(
            sentence(Lang::Vi, &nov, 1120.0, 1000.0),
            "+12% so với tháng 10 (1.000 điểm)"
        );
        assert_eq!(
            sentence(Lang::En, &nov, 880.0, 1000.0),
            "-12% vs October (1,000 points)"
        );
        assert_eq!(
            sentence(Lang::Vi, &month(2026, 1), 5.0, 0.0),
            "tháng 12/2025: không có hoạt động"
        );
    }

    #[test]
    fn english_headings_are_english() {
        assert_eq!(label(Lang::En, &month(2026, 11)), "November 2026");
        assert_eq!(label(Lang::Vi, &month(2026, 11)), "Tháng 11/2026");
    }
}
