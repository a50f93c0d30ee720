//! The roster upload as a `multipart/form-data` form (`POST /v1/admin/roster`), through the
//! real binary over HTTP: every part is read, by its file name and with its bytes whole; a
//! form cut short, with no part, or with no boundary is refused with the codes the route
//! has always given (a part without a name, which RFC 7578 forbids, is now refused too);
//! the 16 MiB cap counts the whole upload.

use langso_tests::harness::{PROVINCE, Resp, Server};
use langso_tests::roster::dry_run as upload;

const BOUNDARY: &str = "----langso-form-7MA4YWxkTrZu0gW";

/// One part: the disposition's parameters (`name="…"; filename="…"`) and the bytes.
struct Part<'a>(&'a str, &'a [u8]);

/// A form's body as browsers and curl send it: CRLF line ends, the closing delimiter.
fn form(parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for Part(disposition, bytes) in parts {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; {disposition}\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn form_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// The files (`source`) the problems of a rejected upload name, sorted.
fn sources(r: &Resp) -> Vec<String> {
    let mut got: Vec<String> = r.body["report"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("problems in {}", r.body))
        .iter()
        .map(|p| p["source"].as_str().unwrap().to_owned())
        .collect();
    got.sort();
    got.dedup();
    got
}

#[test]
fn every_part_of_a_form_is_read_by_its_file_name_with_its_bytes_whole() {
    let s = Server::start_demo();
    let admin = s.login_as("province_admin", PROVINCE);

    // Two files in one form, each missing a column: both are read, under their names.
    let villages = "Mã thôn,Tên thôn\r\nT-1,Thôn Một\r\n".as_bytes();
    let members = "Mã thành viên,Mã tổ\nTV-1,T00001\n".as_bytes();
    let mut body = b"a preamble, which readers ignore\r\n".to_vec();
    body.extend(form(&[
        Part("name=\"files\"; filename=\"thôn.csv\"", villages),
        Part("name=\"files\"; filename=\"thành viên.csv\"", members),
    ]));
    let r = upload(&s, &admin, &form_type(), &body).expect_error(422, "invalid_roster");
    assert_eq!(sources(&r), ["thành viên.csv", "thôn.csv"], "{}", r.body);
    let log = s.log();
    assert!(log.contains("roster import"), "{log}");
    for secret in ["Thôn Một", "TV-1", "thôn.csv"] {
        assert!(!log.contains(secret), "the log shows {secret}: {log}");
    }

    // A field that is no file still counts, under its field name (a quoted boundary too).
    let body = form(&[Part("name=\"ghi-chu\"", "Mã thành viên\nTV-1\n".as_bytes())]);
    let quoted = format!("multipart/form-data; boundary=\"{BOUNDARY}\"");
    let r = upload(&s, &admin, &quoted, &body).expect_error(422, "invalid_roster");
    assert_eq!(sources(&r), ["ghi-chu"], "{}", r.body);

    // The current roster's workbook, sent back as a form's file, changes nothing: the
    // XLSX bytes (CR, LF and `--` among them) arrive whole.
    let book = s.download("/v1/admin/roster?format=xlsx", &admin);
    assert_eq!(book.status, 200);
    let body = form(&[Part(
        "name=\"files\"; filename=\"langso-roster.xlsx\"",
        &book.bytes,
    )]);
    let r = upload(&s, &admin, &form_type(), &body).expect(200);
    for table in ["villages", "teams", "members"] {
        assert_eq!(r.body[table]["created"], 0, "{}", r.body);
        assert_eq!(r.body[table]["updated"], 0, "{}", r.body);
    }
    assert!(r.body["members"]["unchanged"].as_u64().unwrap() > 0);
}

#[test]
fn a_form_cut_short_empty_or_without_a_boundary_is_refused_with_the_same_codes() {
    let s = Server::start_demo();
    let admin = s.login_as("province_admin", PROVINCE);
    let whole = form(&[Part(
        "name=\"files\"; filename=\"thanh-vien.csv\"",
        "Mã thành viên,Mã tổ\nTV-1,T00001\n".as_bytes(),
    )]);

    // Cut in the middle of its file: the closing delimiter never comes.
    let cut = &whole[..whole.windows(4).position(|w| w == b"TV-1").unwrap() + 2];
    let r = upload(&s, &admin, &form_type(), cut).expect_error(400, "invalid_body");
    assert!(r.message().contains("multipart/form-data"), "{}", r.body);
    // No part at all, and a body that never starts a part.
    let empty = format!("--{BOUNDARY}--\r\n");
    let r = upload(&s, &admin, &form_type(), empty.as_bytes()).expect_error(400, "invalid_body");
    assert_eq!(r.message(), "the form holds no file");
    upload(&s, &admin, &form_type(), b"member_code\nTV-1\n").expect_error(400, "invalid_body");
    // A part with no name is no form-data part (RFC 7578 section 4.2).
    let nameless = form(&[Part("filename=\"a.csv\"", b"member_code\nTV-1\n")]);
    upload(&s, &admin, &form_type(), &nameless).expect_error(400, "invalid_body");
    // Another boundary than the body's.
    let other = "multipart/form-data; boundary=not-this-one";
    upload(&s, &admin, other, &whole).expect_error(400, "invalid_body");

    // No boundary, or another kind of multipart: not a form this route reads.
    for media in [
        "multipart/form-data",
        "multipart/mixed; boundary=x",
        "application/json",
    ] {
        upload(&s, &admin, media, &whole).expect_error(415, "unsupported_media_type");
    }
    // The raw file, as before, is still one file.
    upload(
        &s,
        &admin,
        "text/csv",
        "Mã thành viên,Mã tổ\nTV-1,T00001\n".as_bytes(),
    )
    .expect_error(422, "invalid_roster");
}

#[test]
fn a_form_over_16_mib_in_all_is_refused_whole() {
    let s = Server::start_demo();
    let admin = s.login_as("province_admin", PROVINCE);
    // Two files of 8 MiB each: neither alone is over, together they are.
    let half = vec![b'x'; 8 * 1024 * 1024];
    let body = form(&[
        Part("name=\"files\"; filename=\"a.csv\"", &half),
        Part("name=\"files\"; filename=\"b.csv\"", &half),
    ]);
    let r = upload(&s, &admin, &form_type(), &body).expect_error(413, "body_too_large");
    assert!(r.message().contains("16777216 bytes"), "{}", r.body);
}
