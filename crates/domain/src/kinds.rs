//! The activity catalogue. The province manages it; these are the defaults.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityKind {
    pub code: String,
    pub label_vi: String,
    pub label_en: String,
    /// What one count means, e.g. "tài khoản / account".
    pub unit: String,
    /// Points per count on leaderboards.
    pub weight: f64,
    pub active: bool,
}

/// The default catalogue, from the programme's reports.
pub fn default_catalogue() -> Vec<ActivityKind> {
    let rows: [(&str, &str, &str, &str, f64); 7] = [
        (
            "vneid_activation",
            "Cài đặt, kích hoạt định danh điện tử mức 2 (VNeID)",
            "VNeID install and level-2 e-ID activation",
            "account",
            3.0,
        ),
        (
            "digital_signature",
            "Cấp chữ ký số",
            "Digital signature issued",
            "signature",
            2.0,
        ),
        (
            "qr_payment_sticker",
            "Trao tấm QR Code thanh toán",
            "QR payment sticker handed to a business household",
            "household",
            1.0,
        ),
        (
            "e_payment_account",
            "Mở tài khoản thanh toán điện tử",
            "E-payment account opened",
            "account",
            2.0,
        ),
        (
            "e_health_book",
            "Sổ sức khỏe điện tử",
            "Electronic health book",
            "book",
            1.0,
        ),
        (
            "online_public_service",
            "Hỗ trợ nộp hồ sơ TTHC trực tuyến",
            "Online public-service dossier helped",
            "dossier",
            2.0,
        ),
        (
            "outreach_session",
            "Tuyên truyền, tập huấn",
            "Outreach or training session held",
            "session",
            5.0,
        ),
    ];
    rows.into_iter()
        .map(|(code, vi, en, unit, weight)| ActivityKind {
            code: code.into(),
            label_vi: crate::text::nfc(vi),
            label_en: en.into(),
            unit: unit.into(),
            weight,
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
