//! Text rules: Vietnamese is stored NFC; search folds diacritics.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Normalises to NFC, the form every stored string takes.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Lowercase, diacritics removed, `đ` → `d`: "Đông Ngũ" folds to "dong ngu".
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposed_input_is_stored_composed() {
        let decomposed = "Qua\u{0309}ng Ninh";
        assert_eq!(nfc(decomposed), "Quảng Ninh");
        assert_ne!(decomposed, nfc(decomposed));
    }

    #[test]
    fn folding_removes_tones_and_the_d_stroke() {
        assert_eq!(fold("Đông Ngũ"), "dong ngu");
        assert_eq!(fold("Thôn Nà Khau"), "thon na khau");
    }
}
