//! Inline SVG for the dashboard: no scripts, no external assets, works offline after load.

use super::i18n::Lang;
use super::numfmt::number;
use maud::{Markup, PreEscaped, html};

/// One bar of the trend: its days as a short label, and its score (None: days still to
/// come, not drawn).
pub struct Point {
    pub label: String,
    pub value: Option<f64>,
}

const W: f64 = 320.0;
const H: f64 = 160.0;
const PAD_L: f64 = 44.0;
const PAD_B: f64 = 22.0;
const PAD_T: f64 = 22.0;

/// A round axis top at or above `max`: 1, 2 or 5 times a power of ten.
fn axis_top(max: f64) -> f64 {
    let max = max.max(1.0);
    let p = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|t| *t >= max)
        .unwrap_or(10.0 * p)
}

/// The points whose values are written on the chart: the peak and the last drawn one.
fn labelled(points: &[Point]) -> Vec<usize> {
    let drawn = || {
        points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some((i, p.value?)))
    };
    let peak = drawn()
        .filter(|(_, v)| *v > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i);
    let last = drawn().next_back().map(|(i, _)| i);
    let mut out: Vec<usize> = peak.into_iter().chain(last).collect();
    out.dedup();
    out
}

/// A bar chart of the series with a labelled y axis (`y_label`, ticks at 0, half and the
/// top, in `lang`'s number form), the peak's and the last day's values written above
/// their bars, and nothing drawn for days still to come.
pub fn trend_svg(points: &[Point], aria_label: &str, y_label: &str, lang: Lang) -> Markup {
    let top = axis_top(points.iter().filter_map(|p| p.value).fold(0.0, f64::max));
    let slot = (W - PAD_L - 4.0) / points.len().max(1) as f64;
    let bar = (slot * 0.8).max(1.0);
    let plot_h = H - PAD_B - PAD_T;
    let y = |v: f64| H - PAD_B - (v.max(0.0) / top) * plot_h;
    let x = |i: usize| PAD_L + slot * i as f64 + (slot - bar) / 2.0;
    let shown = labelled(points);
    html! {
        svg class="chart" viewBox=(format!("0 0 {W} {H}")) role="img" aria-label=(aria_label)
            xmlns="http://www.w3.org/2000/svg" {
            text x="2" y="10" class="tick ylabel" { (y_label) }
            line x1=(PAD_L) y1=(PAD_T) x2=(PAD_L) y2=(H - PAD_B) class="axis" {}
            line x1=(PAD_L) y1=(H - PAD_B) x2=(W - 4.0) y2=(H - PAD_B) class="axis" {}
            @for v in [top, top / 2.0, 0.0] {
                text x=(PAD_L - 4.0) y=(format!("{:.1}", y(v) + 3.0)) text-anchor="end" class="tick" { (number(lang, v, 0)) }
            }
            @for (i, p) in points.iter().enumerate() {
                @if let Some(v) = p.value {
                    rect x=(format!("{:.1}", x(i))) y=(format!("{:.1}", y(v))) width=(format!("{bar:.1}"))
                        height=(format!("{:.1}", H - PAD_B - y(v))) class="bar" {
                        title { (p.label) ": " (number(lang, v, 0)) }
                    }
                }
            }
            @for i in shown {
                @if let Some(v) = points[i].value {
                    text x=(format!("{:.1}", x(i) + bar / 2.0)) y=(format!("{:.1}", y(v) - 3.0))
                        text-anchor="middle" class="val" { (number(lang, v, 0)) }
                }
            }
            @if let (Some(first), Some(last)) = (points.first(), points.last()) {
                text x=(PAD_L) y=(H - 6.0) class="tick" { (first.label) }
                text x=(W - 4.0) y=(H - 6.0) text-anchor="end" class="tick" { (last.label) }
            }
        }
    }
}

/// Background colour for a coverage percentage: red (0) → yellow (50) → green (≥ 100).
pub fn coverage_colour(pct: f64) -> String {
    let t = (pct / 100.0).clamp(0.0, 1.0);
    let (a, b, u) = if t < 0.5 {
        ((215.0, 48.0, 39.0), (254.0, 224.0, 139.0), t / 0.5)
    } else {
        ((254.0, 224.0, 139.0), (26.0, 152.0, 80.0), (t - 0.5) / 0.5)
    };
    let mix = |x: f64, y: f64| (x + (y - x) * u).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

/// Raw markup helper for the stylesheet.
pub fn style(css: &str) -> Markup {
    html! { style { (PreEscaped(css)) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_colour_scale_runs_red_yellow_green_and_clamps() {
        assert_eq!(coverage_colour(0.0), "#d73027");
        assert_eq!(coverage_colour(50.0), "#fee08b");
        assert_eq!(coverage_colour(100.0), "#1a9850");
        assert_eq!(coverage_colour(250.0), "#1a9850");
    }

    fn pts(values: &[Option<f64>]) -> Vec<Point> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Point {
                label: format!("<d{i}>"),
                value: *v,
            })
            .collect()
    }

    #[test]
    fn the_chart_has_one_bar_per_point_and_escapes_labels() {
        let svg = trend_svg(
            &pts(&[Some(0.0), Some(1.0), Some(2.0), Some(3.0), Some(4.0)]),
            "t",
            "y",
            Lang::Vi,
        )
        .into_string();
        assert_eq!(svg.matches("<rect").count(), 5);
        assert!(svg.contains("&lt;d4&gt;") && !svg.contains("<d4>"));
    }

    #[test]
    fn days_to_come_are_not_drawn_and_the_peak_and_last_values_are_written() {
        let svg = trend_svg(
            &pts(&[Some(1600.0), Some(40.0), None, None]),
            "t",
            "Điểm",
            Lang::Vi,
        )
        .into_string();
        assert_eq!(svg.matches("<rect").count(), 2, "{svg}");
        assert!(svg.contains(">Điểm</text>"), "a y-axis label");
        assert!(
            svg.contains("class=\"val\">1.600<"),
            "the peak, in Vietnamese form: {svg}"
        );
        assert!(
            svg.contains("class=\"val\">40<"),
            "the last day drawn: {svg}"
        );
        assert!(svg.contains(">2.000</text>"), "a round axis top: {svg}");
        assert!(!svg.contains("k<"), "no abbreviated thousands: {svg}");
    }

    #[test]
    fn the_axis_top_is_round() {
        assert_eq!(axis_top(0.0), 1.0);
        assert_eq!(axis_top(38.0), 50.0);
        assert_eq!(axis_top(1600.0), 2000.0);
        assert_eq!(axis_top(100.0), 100.0);
    }
}
