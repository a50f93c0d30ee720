//! The roster upload as tests send it: `POST /v1/admin/roster?dry_run=true` with a body of
//! any content type (a raw file, a form).

use crate::harness::{Resp, Server};

/// `POST /v1/admin/roster?dry_run=true` as `token` (the province admin's, usually): `body`
/// sent as `content_type`; nothing is changed.
pub fn dry_run(s: &Server, token: &str, content_type: &str, body: &[u8]) -> Resp {
    let auth = format!("Bearer {token}");
    s.send(
        "POST",
        "/v1/admin/roster?dry_run=true",
        &[("content-type", content_type), ("authorization", &auth)],
        Some(body),
    )
    .resp
}
