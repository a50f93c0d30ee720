//! The audit log as a download (`GET /v1/admin/audit?format=csv|xlsx`, `langso audit`).

use super::{Book, Cell, Table};
use chrono::{DateTime, SecondsFormat, Utc};
use langso_store::AuditEntry;

/// An instant as RFC 3339 in UTC with milliseconds, as the audit log shows it.
pub fn audit_time(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The entries in one table with Vietnamese headings, oldest first; `before`/`after` as
/// the JSON stored.
pub fn audit_book(entries: &[AuditEntry]) -> Book {
    let columns = [
        "Số",
        "Thời điểm (UTC)",
        "Người thực hiện",
        "Qua",
        "Địa chỉ",
        "Thao tác",
        "Đối tượng",
        "Trước",
        "Sau",
        "Mã băm",
    ]
    .map(String::from)
    .to_vec();
    let rows = entries
        .iter()
        .map(|e| {
            vec![
                Cell::Int(e.id),
                audit_time(e.at_ms).into(),
                e.who.as_str().into(),
                e.via.as_str().into(),
                e.addr.clone().into(),
                e.action.as_str().into(),
                e.subject.as_str().into(),
                e.before.clone().into(),
                e.after.clone().into(),
                e.hash.as_str().into(),
            ]
        })
        .collect();
    Book {
        file_stem: "nhat-ky-quan-tri".into(),
        info: vec![("Nhật ký quản trị".into(), Cell::from("Langso"))],
        tables: vec![Table {
            name: "Nhật ký".into(),
            columns,
            rows,
        }],
    }
}

/// The entries as a CSV (`csv`) or XLSX (`xlsx`) file's bytes, for `langso audit`.
pub fn audit_file(entries: &[AuditEntry], format: &str) -> Result<Vec<u8>, String> {
    let format = super::Format::parse(format)
        .filter(|f| *f != super::Format::Json)
        .ok_or_else(|| format!("'{format}' is not csv or xlsx"))?;
    super::render(&audit_book(entries), format).map(|(bytes, _, _)| bytes)
}
