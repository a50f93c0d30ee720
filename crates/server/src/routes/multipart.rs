//! `multipart/form-data` bodies (RFC 7578), read whole: the roster upload's files. Small on
//! purpose: the body is already in memory and bounded, parts are split on the boundary.

/// One part: its file name (else its field name) and its bytes.
pub type Part = (String, Vec<u8>);

/// The boundary of a `multipart/form-data` content type (None: another type, or none).
pub fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let kind = params.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty() && b.len() <= 70)
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// The value of `key="…"` in a Content-Disposition header.
fn param(header: &str, key: &str) -> Option<String> {
    let lower = header.to_ascii_lowercase();
    let at = lower.find(&format!("{key}=\""))? + key.len() + 2;
    let end = header[at..].find('"')?;
    Some(header[at..at + end].to_owned())
}

/// The parts of `body`; an error says why it is not a multipart body with that boundary.
pub fn parts(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let delimiter = format!("--{boundary}");
    let next_part = format!("\r\n--{boundary}");
    let mut at = find(body, delimiter.as_bytes(), 0).ok_or("no part starts with the boundary")?
        + delimiter.len();
    let mut out = Vec::new();
    loop {
        if body.get(at..at + 2) == Some(b"--") {
            return Ok(out);
        }
        let head_start = at + 2; // the CRLF after the boundary
        let head_end = find(body, b"\r\n\r\n", head_start).ok_or("a part's headers do not end")?;
        let head = String::from_utf8_lossy(&body[head_start..head_end]);
        let content_start = head_end + 4;
        let content_end = find(body, next_part.as_bytes(), content_start)
            .ok_or("a part does not end with the boundary")?;
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
            .unwrap_or_default();
        let name = param(disposition, "filename")
            .or_else(|| param(disposition, "name"))
            .unwrap_or_else(|| format!("part {}", out.len() + 1));
        out.push((name, body[content_start..content_end].to_vec()));
        at = content_end + next_part.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_of_a_form_upload_come_out_whole() {
        let body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"th\xc3\xb4n.csv\"\r\nContent-Type: text/csv\r\n\r\na;b\r\n1;2\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"teams\"\r\n\r\nx\r\n--XyZ--\r\n";
        let parts = parts(body, "XyZ").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].0, "thôn.csv");
        assert_eq!(parts[0].1, b"a;b\r\n1;2\r\n");
        assert_eq!(parts[1], ("teams".to_owned(), b"x".to_vec()));
        assert_eq!(
            boundary("multipart/form-data; boundary=\"XyZ\"").as_deref(),
            Some("XyZ")
        );
        assert!(parts_err(b"no boundary here"));
    }

    fn parts_err(body: &[u8]) -> bool {
        parts(body, "XyZ").is_err()
    }
}
