//! Text rules: Vietnamese is stored NFC; search folds diacritics.

use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// At most this many characters of pushed text are quoted back in a message (issue 7,
/// item 2): a 900 KB `kind` is answered with its first 64 characters and "…".
pub const QUOTE_CHARS: usize = 64;

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

/// `s` cut to its first `max` characters (never inside a UTF-8 sequence), with "…"
/// appended when anything was cut.
pub fn cut(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((end, _)) => Cow::Owned(format!("{}…", &s[..end])),
    }
}

/// Pushed text as a message quotes it: cut to [`QUOTE_CHARS`].
pub fn quote(s: &str) -> Cow<'_, str> {
    cut(s, QUOTE_CHARS)
}

/// A device name may have at most this many characters (code points, once trimmed).
pub const DEVICE_NAME_CHARS: usize = 100;

/// A device name as enrolment takes it: `raw` without White_Space at both ends, 1 to
/// [`DEVICE_NAME_CHARS`] characters, none of them a control character (Unicode Cc: NUL,
/// tab, line breaks, escape, DEL, U+0080–U+009F), which would reach CSV exports, logs and
/// pages raw, nor an invisible character that reorders or hides text
/// ([`is_invisible_format`]: "Lan\u{202e}gnp.exe" shows as "Lanexe.png"). None when it is
/// not acceptable (`invalid_device_name`).
pub fn device_name(raw: &str) -> Option<&str> {
    let name = raw.trim();
    let ok = !name.is_empty()
        && name.chars().count() <= DEVICE_NAME_CHARS
        && !name
            .chars()
            .any(|c| c.is_control() || is_invisible_format(c));
    ok.then_some(name)
}

/// A run of at least this many digits (spaces, dots and dashes between them allowed) is a
/// phone or citizen ID number: Vietnamese mobile numbers have 10 digits, ID numbers 12.
pub const PHONE_DIGITS: usize = 9;

/// `name` as leaders and exports are shown it (issue 8, privacy): every phone or ID
/// number typed into it ([`PHONE_DIGITS`] digits or more, an optional `+` and separators
/// included) keeps its first four and last three digits, the rest `***`:
/// "Điện thoại 0912 345 678 của Lan" shows as "Điện thoại 0912***678 của Lan". What is
/// stored is never changed; this is the one function every listing of device names uses.
pub fn mask_phone_numbers(name: &str) -> Cow<'_, str> {
    let chars: Vec<(usize, char)> = name.char_indices().collect();
    let mut out = String::new();
    let (mut copied, mut i) = (0, 0);
    while i < chars.len() {
        let (start, c) = chars[i];
        let plus = c == '+' && chars.get(i + 1).is_some_and(|(_, d)| d.is_ascii_digit());
        if !(c.is_ascii_digit() || plus) {
            i += 1;
            continue;
        }
        // The run: digits, and separators between digits.
        let (mut j, mut last_digit, mut digits) = (i + usize::from(plus), i, String::new());
        while let Some(&(_, d)) = chars.get(j) {
            if d.is_ascii_digit() {
                digits.push(d);
                last_digit = j;
            } else if !matches!(d, ' ' | '.' | '-') {
                break;
            }
            j += 1;
        }
        if digits.len() >= PHONE_DIGITS {
            let end = chars[last_digit].0 + 1;
            out.push_str(&name[copied..start]);
            out.push_str(if plus { "+" } else { "" });
            out.push_str(&digits[..4]);
            out.push_str("***");
            out.push_str(&digits[digits.len() - 3..]);
            copied = end;
        }
        i = last_digit + 1;
    }
    if copied == 0 {
        return Cow::Borrowed(name);
    }
    out.push_str(&name[copied..]);
    Cow::Owned(out)
}

/// Bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069), the zero width space U+200B, the word joiner U+2060 and
/// the byte order mark U+FEFF: format characters that change how a name reads without
/// showing. The joiners U+200C and U+200D stay allowed (emoji and some scripts need them).
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{061c}'
            | '\u{200b}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}

/// `s` with every control character (Unicode Cc) but tab, line feed and carriage return
/// replaced by U+FFFD: what an export or a page writes of stored text, whatever reached
/// the database (a name enrolled before the rule above, an imported unit name).
pub fn without_controls(s: &str) -> Cow<'_, str> {
    let unwanted = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if s.contains(unwanted) {
        Cow::Owned(
            s.chars()
                .map(|c| if unwanted(c) { '\u{fffd}' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

/// A parser's message about pushed input, made safe to send back: every span between
/// quotes (`"…"` or `` `…` ``, which is where parsers echo the input) is cut to
/// [`QUOTE_CHARS`], and the whole to `max` characters.
pub fn cut_quoted(message: &str, max: usize) -> String {
    cut_spans(message, QUOTE_CHARS, max)
}

/// A message made safe to log: every quoted span (where a panic or a parser quotes data, a
/// note or a name) becomes `…`, and the whole is cut to `max` characters.
pub fn redact_quoted(message: &str, max: usize) -> String {
    cut_spans(message, 0, max)
}

fn cut_spans(message: &str, span_chars: usize, max: usize) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote_char = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=open]);
        let inner = &rest[open + 1..];
        let close = closing(inner, quote_char).unwrap_or(inner.len());
        out.push_str(&cut(&inner[..close], span_chars));
        rest = &inner[close..];
        if let Some(c) = rest.chars().next() {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out.push_str(rest);
    cut(&out, max).into_owned()
}

/// The byte index of the quote closing a span opened by `q` (a `\` escapes the next
/// character inside `"…"`, as Rust's debug formatting writes strings).
fn closing(inner: &str, q: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in inner.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if q == '"' => escaped = true,
            _ if c == q => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacted_messages_keep_no_quoted_data() {
        let m = "byte index 3 is out of range of `Nguyễn Thị Lan, 0912 345 678`";
        assert_eq!(
            super::redact_quoted(m, 300),
            "byte index 3 is out of range of `…`"
        );
    }

    use super::*;

    #[test]
    fn cutting_keeps_whole_characters_and_marks_the_cut() {
        assert_eq!(cut("Quảng Ninh", 3), "Quả…");
        assert_eq!(cut("Quảng", 5), "Quảng");
        assert_eq!(quote(&"ả".repeat(900)).chars().count(), QUOTE_CHARS + 1);
    }

    #[test]
    fn quoted_input_in_a_parser_message_is_cut_and_the_rest_kept() {
        let long = "x".repeat(1000);
        let msg =
            format!("invalid type: string \"{long}\\\"{long}\", expected i64 at line 1 column 9");
        let cut_msg = cut_quoted(&msg, 300);
        assert!(cut_msg.starts_with(&format!("invalid type: string \"{}…\"", "x".repeat(64))));
        assert!(
            cut_msg.ends_with(", expected i64 at line 1 column 9"),
            "{cut_msg}"
        );
        let field = format!("unknown field `{long}`, expected one of `event_id`, `seq`");
        assert_eq!(
            cut_quoted(&field, 300),
            format!(
                "unknown field `{}…`, expected one of `event_id`, `seq`",
                "x".repeat(64)
            )
        );
        assert_eq!(cut_quoted(&"y".repeat(500), 300).chars().count(), 301);
    }

    #[test]
    fn a_device_name_is_trimmed_and_refused_with_a_control_character_inside() {
        assert_eq!(
            device_name(" \tĐiện thoại của Lan\n"),
            Some("Điện thoại của Lan")
        );
        assert_eq!(
            device_name(&"ả".repeat(100)),
            Some("ả".repeat(100).as_str())
        );
        for bad in [
            "", " \t", "Lan\0", "a\u{1}b", "a\nb", "a\tb", "a\u{7f}", "a\u{85}b", "a\u{9f}",
        ] {
            assert_eq!(device_name(bad), None, "{bad:?}");
        }
        assert_eq!(device_name(&"a".repeat(101)), None);
    }

    #[test]
    fn control_characters_but_tab_and_line_breaks_become_replacement_characters() {
        assert_eq!(
            without_controls("Lan\0x\u{1b}\u{85}"),
            "Lan\u{fffd}x\u{fffd}\u{fffd}"
        );
        assert!(matches!(without_controls("Tổ 1\r\n\tx"), Cow::Borrowed(_)));
    }

    #[test]
    fn decomposed_input_is_stored_composed() {
        let decomposed = "Qua\u{0309}ng Ninh";
        assert_eq!(nfc(decomposed), "Quảng Ninh");
        assert_ne!(decomposed, nfc(decomposed));
    }

    #[test]
    fn phone_and_id_numbers_in_a_name_are_masked_and_short_numbers_kept() {
        for (name, shown) in [
            (
                "Điện thoại 0912345678 của Lan",
                "Điện thoại 0912***678 của Lan",
            ),
            ("Lan 0912 345 678", "Lan 0912***678"),
            ("+84 912.345.678 Hoa", "+8491***678 Hoa"),
            ("CCCD 001203004567", "CCCD 0012***567"),
            ("0912345678/0987654321", "0912***678/0987***321"),
            ("Samsung A12 - 2024", "Samsung A12 - 2024"),
            ("Thôn 12", "Thôn 12"),
        ] {
            assert_eq!(mask_phone_numbers(name), shown, "{name}");
        }
        assert!(matches!(mask_phone_numbers("Lan"), Cow::Borrowed(_)));
    }

    #[test]
    fn folding_removes_tones_and_the_d_stroke() {
        assert_eq!(fold("Đông Ngũ"), "dong ngu");
        assert_eq!(fold("Thôn Nà Khau"), "thon na khau");
    }
}
