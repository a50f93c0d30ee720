//! Inline SVG for the dashboard: no scripts, no external assets, works offline after load.

use maud::{Markup, PreEscaped, html};

pub struct Point {
    pub label: String,
    pub value: f64,
}

const W: f64 = 320.0;
const H: f64 = 150.0;
const PAD_L: f64 = 34.0;
const PAD_B: f64 = 22.0;
const PAD_T: f64 = 10.0;

/// A compact number for axis labels: 1234 → "1.2k".
pub fn compact(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if v >= 1_000.0 {
        format!("{:.1}k", v / 1000.0)
    } else {
        format!("{v:.0}")
    }
}

/// A bar chart of the series, scaled to its maximum, labelled at the ends.
pub fn trend_svg(points: &[Point], aria_label: &str) -> Markup {
    let max = points
        .iter()
        .map(|p| p.value)
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let n = points.len().max(1) as f64;
    let plot_w = W - PAD_L - 4.0;
    let plot_h = H - PAD_B - PAD_T;
    let slot = plot_w / n;
    let bar = (slot * 0.8).max(1.0);
    html! {
        svg class="chart" viewBox=(format!("0 0 {W} {H}")) role="img" aria-label=(aria_label)
            xmlns="http://www.w3.org/2000/svg" {
            line x1=(PAD_L) y1=(PAD_T) x2=(PAD_L) y2=(H - PAD_B) class="axis" {}
            line x1=(PAD_L) y1=(H - PAD_B) x2=(W - 4.0) y2=(H - PAD_B) class="axis" {}
            text x=(PAD_L - 4.0) y=(PAD_T + 8.0) text-anchor="end" class="tick" { (compact(max)) }
            text x=(PAD_L - 4.0) y=(H - PAD_B) text-anchor="end" class="tick" { "0" }
            @for (i, p) in points.iter().enumerate() {
                @let h = (p.value.max(0.0) / max) * plot_h;
                @let x = PAD_L + slot * i as f64 + (slot - bar) / 2.0;
                rect x=(format!("{x:.1}")) y=(format!("{:.1}", H - PAD_B - h)) width=(format!("{bar:.1}"))
                    height=(format!("{h:.1}")) class="bar" {
                    title { (p.label) ": " (format!("{:.0}", p.value)) }
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

    #[test]
    fn the_chart_has_one_bar_per_point_and_escapes_labels() {
        let pts: Vec<Point> = (0..5)
            .map(|i| Point {
                label: format!("<d{i}>"),
                value: i as f64,
            })
            .collect();
        let svg = trend_svg(&pts, "trend").into_string();
        assert_eq!(svg.matches("<rect").count(), 5);
        assert!(svg.contains("&lt;d4&gt;") && !svg.contains("<d4>"));
    }
}
