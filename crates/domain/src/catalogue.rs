//! Changes to the activity catalogue (issue 9, "The activity catalogue is the province's"):
//! a new kind and an edit of one, checked here so the store and the edges trust them.
//!
//! Codes are stable snake_case (`bdhvs_cert`): a lowercase ASCII letter first, then
//! lowercase letters, digits and single underscores, at most 64 bytes, no trailing
//! underscore. Labels and units are NFC, trimmed, 1..=200 characters, no control
//! or invisible format characters. A weight is 0 or from 0.001 to 1,000,000.

use crate::ids::KindCode;
use chrono::NaiveDate;

/// Longest label or unit, in characters after NFC.
pub const MAX_LABEL_CHARS: usize = 200;
/// Largest weight (points per count).
pub const MAX_WEIGHT: f64 = 1_000_000.0;

/// A kind to add, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct NewKind {
    pub code: KindCode,
    pub label_vi: String,
    pub label_en: String,
    pub unit_vi: String,
    pub unit_en: String,
    pub weight: f64,
    pub active: bool,
}

/// What an edit changes; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KindEdit {
    pub label_vi: Option<String>,
    pub label_en: Option<String>,
    pub unit_vi: Option<String>,
    pub unit_en: Option<String>,
    /// A new weight and the first local day it is in force (None: today).
    pub weight: Option<(f64, Option<NaiveDate>)>,
    /// Deactivate (false) or reactivate (true), from now.
    pub active: Option<bool>,
}

/// A kind as sent (an API body, CLI options, a dashboard form), before its checks.
#[derive(Clone, Copy, Debug, Default)]
pub struct KindDraft<'a> {
    pub code: &'a str,
    pub label_vi: &'a str,
    pub label_en: &'a str,
    /// Both units at once (the one-string shape older clients know).
    pub unit: Option<&'a str>,
    pub unit_vi: Option<&'a str>,
    pub unit_en: Option<&'a str>,
    pub weight: f64,
}

impl NewKind {
    /// A new kind from a draft: every rule of the module checked; the reason otherwise.
    pub fn parse(d: &KindDraft<'_>, active: bool) -> Result<Self, String> {
        let (unit_vi, unit_en) = units(d.unit, d.unit_vi, d.unit_en)?;
        Ok(Self {
            code: new_code(d.code)?,
            label_vi: label("label_vi", d.label_vi)?,
            label_en: label("label_en", d.label_en)?,
            unit_vi,
            unit_en,
            weight: weight(d.weight)?,
            active,
        })
    }
}

impl KindEdit {
    /// Whether the edit changes nothing at all (refused: nothing to do).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The whole kind as an edit (its code is the edited kind's and is not read): every
    /// label and unit, the weight from `from` (today when None), `active` if given.
    pub fn whole(
        d: &KindDraft<'_>,
        from: Option<NaiveDate>,
        active: Option<bool>,
    ) -> Result<Self, String> {
        let (unit_vi, unit_en) = units(d.unit, d.unit_vi, d.unit_en)?;
        Ok(Self {
            label_vi: Some(label("label_vi", d.label_vi)?),
            label_en: Some(label("label_en", d.label_en)?),
            unit_vi: Some(unit_vi),
            unit_en: Some(unit_en),
            weight: Some((weight(d.weight)?, from)),
            active,
        })
    }
}

/// A new kind's code: stable snake_case (see the module's rule); the reason otherwise.
pub fn new_code(s: &str) -> Result<KindCode, String> {
    let b = s.as_bytes();
    let ok = b.first().is_some_and(u8::is_ascii_lowercase)
        && !s.ends_with('_')
        && !s.contains("__")
        && s.len() <= 64;
    match KindCode::parse(s).filter(|_| ok) {
        Some(c) => Ok(c),
        None => Err(format!(
            "code '{}' is not stable snake_case (a-z first, then a-z, 0-9 and single '_', at most 64)",
            crate::text::quote(s)
        )),
    }
}

/// A label or unit, NFC and trimmed; `what` names it in the reason.
pub fn label(what: &str, s: &str) -> Result<String, String> {
    let s = crate::text::nfc(s.trim());
    let n = s.chars().count();
    if n == 0 || n > MAX_LABEL_CHARS {
        return Err(format!("{what} must be 1 to {MAX_LABEL_CHARS} characters"));
    }
    if s.chars()
        .any(|c| c.is_control() || crate::text::is_invisible_format(c))
    {
        return Err(format!(
            "{what} may not contain control or invisible format characters"
        ));
    }
    Ok(s)
}

/// The smallest weight above 0: points are shown with up to three decimals, so a smaller
/// weight would read as 0 (or as a page-wide decimal).
pub const MIN_WEIGHT: f64 = 0.001;

/// A weight: finite, 0 or [`MIN_WEIGHT`]..=[`MAX_WEIGHT`].
pub fn weight(w: f64) -> Result<f64, String> {
    if w.is_finite() && (w == 0.0 || (MIN_WEIGHT..=MAX_WEIGHT).contains(&w)) {
        Ok(w + 0.0)
    } else {
        Err(format!(
            "weight must be 0, or a number from {MIN_WEIGHT} to {MAX_WEIGHT}"
        ))
    }
}

/// The two units of a kind from what was sent: `unit_vi`/`unit_en` when given, else the
/// one-string `unit` for both (the shape older clients know).
pub fn units(
    unit: Option<&str>,
    unit_vi: Option<&str>,
    unit_en: Option<&str>,
) -> Result<(String, String), String> {
    let vi = unit_vi.or(unit).ok_or("unit_vi (or unit) is required")?;
    let en = unit_en.or(unit).unwrap_or(vi);
    Ok((label("unit_vi", vi)?, label("unit_en", en)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_snake_case() {
        for ok in ["bdhvs_cert", "a", "vneid2_level"] {
            assert!(new_code(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "_a",
            "a_",
            "a__b",
            "1abc",
            "Abc",
            "a-b",
            "é",
            &"a".repeat(65),
        ] {
            assert!(new_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn labels_are_nfc_trimmed_and_bounded() {
        let decomposed = "Bi\u{0300}nh";
        assert_eq!(label("x", &format!(" {decomposed} ")).unwrap(), "Bình");
        assert!(label("x", "  ").is_err());
        assert!(label("x", "a\u{7}b").is_err());
        assert!(label("x", &"a".repeat(201)).is_err());
    }

    #[test]
    fn labels_refuse_invisible_format_characters() {
        assert!(label("label_vi", "a\u{202e}b").is_err());
        assert!(label("label_vi", "a\u{200b}b").is_err());
        assert_eq!(
            label("label_vi", "Bình dân học vụ số"),
            Ok("Bình dân học vụ số".into())
        );
    }

    #[test]
    fn weights_are_finite_and_not_negative() {
        assert_eq!(weight(0.0), Ok(0.0));
        assert_eq!(weight(-0.0).map(f64::to_bits), Ok(0.0f64.to_bits()));
        for bad in [-1.0, f64::NAN, f64::INFINITY, 2e6, 1e-300, 0.0009] {
            assert!(weight(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn one_unit_serves_both_languages_when_alone() {
        assert_eq!(
            units(Some("hộ"), None, None).unwrap(),
            ("hộ".into(), "hộ".into())
        );
        assert_eq!(
            units(None, Some("hộ"), Some("household")).unwrap(),
            ("hộ".into(), "household".into())
        );
        assert!(units(None, None, Some("x")).is_err());
    }
}
