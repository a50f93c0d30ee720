//! Numbers as the page's reader writes them: Vietnamese groups thousands with a dot and
//! writes decimals with a comma (1.234.567; 103,8%), English the other way round
//! (1,234,567; 103.8%). Every number the dashboard shows goes through here; nothing is
//! abbreviated ("1.6k" reads as 1,6 in Vietnamese).

use super::i18n::Lang;

/// (thousands separator, decimal mark) of `lang`.
fn marks(lang: Lang) -> (char, char) {
    match lang {
        Lang::Vi => ('.', ','),
        Lang::En => (',', '.'),
    }
}

/// Digits grouped by three with `sep`.
fn group(digits: &str, sep: char) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// `v` with `places` decimals (rounded half away from zero), thousands grouped, in
/// `lang`'s form; never "-0". Not finite: "–".
pub fn number(lang: Lang, v: f64, places: usize) -> String {
    if !v.is_finite() {
        return "–".to_owned();
    }
    let (sep, mark) = marks(lang);
    let plain = format!("{:.*}", places, v.abs());
    let (whole, frac) = plain.split_once('.').unwrap_or((plain.as_str(), ""));
    let zero = plain.bytes().all(|b| b == b'0' || b == b'.');
    let sign = if v < 0.0 && !zero { "-" } else { "" };
    let mut out = format!("{sign}{}", group(whole, sep));
    if !frac.is_empty() {
        out.push(mark);
        out.push_str(frac);
    }
    out
}

/// A whole number: 297.644 (vi), 297,644 (en).
/// An instant (Unix ms) as the reader's local time in Vietnam: `30/11/2026 08:15` in
/// Vietnamese, `2026-11-30 08:15` in English; `—` for none.
pub fn local_time(lang: Lang, ms: Option<i64>) -> String {
    let Some(t) = ms.and_then(chrono::DateTime::from_timestamp_millis) else {
        return "—".into();
    };
    let t = t.with_timezone(&langso_domain::time::vn_offset());
    match lang {
        Lang::Vi => t.format("%d/%m/%Y %H:%M").to_string(),
        Lang::En => t.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// A pace to keep, rounded up so that keeping it is enough: one decimal below 10 (2,5),
/// whole above (24,25 a day is "25", since 24 a day falls short).
pub fn at_least(lang: Lang, n: f64) -> String {
    if n < 10.0 {
        number(lang, (n * 10.0 - 1e-9).ceil() / 10.0, 1)
    } else {
        number(lang, (n - 1e-9).ceil(), 0)
    }
}

pub fn int(lang: Lang, n: i64) -> String {
    let digits = group(&n.unsigned_abs().to_string(), marks(lang).0);
    if n < 0 { format!("-{digits}") } else { digits }
}

/// A percentage with one decimal: 103,8% (vi), 103.8% (en).
pub fn percent(lang: Lang, pct: f64) -> String {
    format!("{}%", number(lang, pct, 1))
}

/// A change in whole percent with its sign: +12%, -3%, ±0%.
pub fn change(lang: Lang, pct: f64) -> String {
    let n = number(lang, pct, 0);
    match n.as_str() {
        "0" => "±0%".to_owned(),
        s if s.starts_with('-') => format!("{s}%"),
        s => format!("+{s}%"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pace_is_rounded_up_so_keeping_it_is_enough() {
        assert_eq!(at_least(Lang::Vi, 24.25), "25");
        assert_eq!(at_least(Lang::Vi, 10.0), "10");
        assert_eq!(at_least(Lang::Vi, 2.41), "2,5");
        assert_eq!(at_least(Lang::En, 2.4), "2.4");
    }

    #[test]
    fn vietnamese_groups_with_dots_and_decimals_with_a_comma() {
        assert_eq!(int(Lang::Vi, 1_234_567), "1.234.567");
        assert_eq!(int(Lang::Vi, 999), "999");
        assert_eq!(int(Lang::Vi, -1_000), "-1.000");
        assert_eq!(percent(Lang::Vi, 103.84), "103,8%");
        assert_eq!(number(Lang::Vi, 1234.5, 1), "1.234,5");
        assert_eq!(number(Lang::Vi, 1600.0, 0), "1.600");
    }

    #[test]
    fn english_groups_with_commas_and_decimals_with_a_point() {
        assert_eq!(int(Lang::En, 1_234_567), "1,234,567");
        assert_eq!(percent(Lang::En, 103.84), "103.8%");
        assert_eq!(number(Lang::En, 1234.5, 1), "1,234.5");
    }

    #[test]
    fn no_negative_zero_and_no_nan() {
        assert_eq!(number(Lang::Vi, -0.0, 0), "0");
        assert_eq!(number(Lang::Vi, -0.04, 1), "0,0");
        assert_eq!(number(Lang::En, f64::NAN, 1), "–");
    }

    #[test]
    fn changes_carry_their_sign() {
        assert_eq!(change(Lang::Vi, 12.4), "+12%");
        assert_eq!(change(Lang::Vi, -3.6), "-4%");
        assert_eq!(change(Lang::En, 0.2), "±0%");
        assert_eq!(change(Lang::Vi, 1234.0), "+1.234%");
    }
}
