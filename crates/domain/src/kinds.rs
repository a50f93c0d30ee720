//! The activity catalogue. The province manages it; these are the defaults.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A kind of the catalogue as pulls, reports and the admin API deliver it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityKind {
    pub code: String,
    pub label_vi: String,
    pub label_en: String,
    /// What one count means, for phones older than `unit_vi`/`unit_en`: the Vietnamese
    /// unit, or "vi / en" when the two differ (see [`unit_of`]).
    pub unit: String,
    /// What one count means, in Vietnamese (NFC) and in English.
    #[serde(default)]
    pub unit_vi: String,
    #[serde(default)]
    pub unit_en: String,
    /// Points per count on leaderboards, in force today (Asia/Ho_Chi_Minh).
    pub weight: f64,
    /// Every weight with the first local day it is in force, oldest first; a day before the
    /// first entry uses the first weight. Scores of a day use the weight in force that day.
    #[serde(default)]
    pub weights: Vec<WeightFrom>,
    pub active: bool,
}

/// A weight and the first local day (Asia/Ho_Chi_Minh) it is in force.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightFrom {
    /// YYYY-MM-DD.
    pub from: NaiveDate,
    pub weight: f64,
}

/// The legacy one-string unit: `vi` alone when both languages say the same, else "vi / en".
pub fn unit_of(vi: &str, en: &str) -> String {
    if vi == en || en.is_empty() {
        vi.to_owned()
    } else {
        format!("{vi} / {en}")
    }
}

/// The default catalogue, from the programme's reports.
pub fn default_catalogue() -> Vec<ActivityKind> {
    // (code, label vi, label en, unit vi, unit en, weight)
    let rows: [(&str, &str, &str, &str, &str, f64); 7] = [
        (
            "vneid_activation",
            "Cài đặt, kích hoạt định danh điện tử mức 2 (VNeID)",
            "VNeID install and level-2 e-ID activation",
            "tài khoản",
            "account",
            3.0,
        ),
        (
            "digital_signature",
            "Cấp chữ ký số",
            "Digital signature issued",
            "chữ ký số",
            "signature",
            2.0,
        ),
        (
            "qr_payment_sticker",
            "Trao tấm QR Code thanh toán",
            "QR payment sticker handed to a business household",
            "hộ kinh doanh",
            "household",
            1.0,
        ),
        (
            "e_payment_account",
            "Mở tài khoản thanh toán điện tử",
            "E-payment account opened",
            "tài khoản",
            "account",
            2.0,
        ),
        (
            "e_health_book",
            "Sổ sức khỏe điện tử",
            "Electronic health book",
            "sổ",
            "book",
            1.0,
        ),
        (
            "online_public_service",
            "Hỗ trợ nộp hồ sơ TTHC trực tuyến",
            "Online public-service dossier helped",
            "hồ sơ",
            "dossier",
            2.0,
        ),
        (
            "outreach_session",
            "Tuyên truyền, tập huấn",
            "Outreach or training session held",
            "buổi",
            "session",
            5.0,
        ),
    ];
    rows.into_iter()
        .map(|(code, vi, en, unit_vi, unit_en, weight)| ActivityKind {
            code: code.into(),
            label_vi: crate::text::nfc(vi),
            label_en: en.into(),
            unit: unit_of(&crate::text::nfc(unit_vi), unit_en),
            unit_vi: crate::text::nfc(unit_vi),
            unit_en: unit_en.into(),
            weight,
            weights: vec![WeightFrom {
                from: crate::time::day_from_number(0),
                weight,
            }],
            active: true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_catalogue_has_the_seven_programme_kinds() {
        let codes: Vec<_> = default_catalogue().into_iter().map(|k| k.code).collect();
        assert_eq!(
            codes,
            [
                "vneid_activation",
                "digital_signature",
                "qr_payment_sticker",
                "e_payment_account",
                "e_health_book",
                "online_public_service",
                "outreach_session"
            ]
        );
    }
}
