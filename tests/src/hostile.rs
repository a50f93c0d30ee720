//! Values an attacker (or a broken client) puts in a query parameter: edge numbers and dates,
//! odd unicode, long strings, forged pull cursors and deterministic random strings, for the
//! black-box tests that every endpoint and page answers them in the house shape.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Values an attacker (or a broken client) puts in a parameter.
#[rustfmt::skip]
pub fn hostile_values() -> Vec<String> {
    let mut v: Vec<String> = [
        "", "0", "-1", "-9223372036854775809", "18446744073709551616",
        "99999999999999999999999999999", "1e309", "NaN", "inf", "0x10", "+262142-12-31",
        "-262143-01-01", "262142-12-31", "9999-12-31", "0000-00-00", "2026-02-30",
        "1999-12-31", "2101-01-01", "2026-13-01", "2026-W53", "2026-Q5", "ế漢字🙂",
        "\u{0}", "\u{202e}evil", "' OR 1=1 --", "../../etc/passwd", "%", "null", "[]", "{}",
        "day", "custom", "json", "village", "district", "volunteers", "V000001", "T99999",
        "M000001",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("9".repeat(5000));
    v.push("ệ".repeat(3000));
    v.extend(forged_cursors());
    v.extend(random_strings(40));
    v
}

/// Cursors this server never wrote: garbage, valid base64 of the wrong JSON, the right
/// shape with entity indexes, positions and generations out of range.
fn forged_cursors() -> Vec<String> {
    let enc = |s: &str| URL_SAFE_NO_PAD.encode(s);
    vec![
        "AAAA".into(),
        "not base64!".into(),
        enc("hello"),
        enc("{}"),
        enc(r#"{"g":"x","snap":[3,""],"at":0}"#),
        enc(r#"{"g":"x","snap":[99,""],"at":0}"#),
        enc(r#"{"g":"x","snap":[18446744073709551615,"V"],"at":0}"#),
        enc(r#"{"g":"x","at":-5}"#),
        enc(r#"{"g":"x","at":9223372036854775807}"#),
        enc(r#"{"g":"x","at":1e400}"#),
    ]
}

/// Deterministic random strings over digits, signs, separators and wide characters
/// (SplitMix64, so a failure reproduces).
fn random_strings(n: usize) -> Vec<String> {
    const ALPHABET: &[char] = &[
        '0', '1', '2', '9', '-', '+', '.', ':', 'e', 'E', 'T', 'Z', '/', ' ', '=', '&', '%', 'a',
        'Đ', 'ư', '😀', '\u{7f}', '\u{ffff}', '_',
    ];
    let mut state = 0x5eed_u64;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    (0..n)
        .map(|_| {
            let len = (next() % 24) as usize;
            (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect()
        })
        .collect()
}
