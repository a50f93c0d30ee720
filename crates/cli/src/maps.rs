//! The administrative maps that ship inside the binary (`import-units --builtin NAME`), so
//! the README's commands work outside a checkout, and `langso units`, which lists the
//! current map's units with their codes. The files and their NOTICE are in
//! `data/quang-ninh/`.

use crate::commands::{TREE_2024_09, open};
use anyhow::{Result, anyhow};
use std::path::Path;

/// The built-in maps: name, what it is, the file's text.
pub const BUILTIN: [(&str, &str, &str); 3] = [
    (
        "quang-ninh-2024-09",
        "Quảng Ninh from 2024-09-01: 13 districts, 177 communes",
        TREE_2024_09,
    ),
    (
        "quang-ninh-2024-11",
        "Quảng Ninh from 2024-11-01: 13 districts, 171 communes",
        include_str!("../../../data/quang-ninh/quang-ninh-admin-units-2024-11.json"),
    ),
    (
        "quang-ninh-2025",
        "Quảng Ninh from 2025-07-01: 54 communes, no districts (today's map)",
        include_str!("../../../data/quang-ninh/quang-ninh-admin-units-2025.json"),
    ),
];

/// The text of built-in map `name`; the error lists the names there are.
pub fn builtin(name: &str) -> Result<&'static str> {
    BUILTIN
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, _, json)| *json)
        .ok_or_else(|| {
            let names: Vec<String> = BUILTIN
                .iter()
                .map(|(n, what, _)| format!("{n} ({what})"))
                .collect();
            anyhow!(
                "no built-in map '{name}'; the built-in maps: {}",
                names.join("; ")
            )
        })
}

/// `langso units`: the current map's units (those at `level`, those under `under`), one a
/// line: code, level, type, name, parent code; or JSON.
pub fn units(db: &Path, level: Option<&str>, under: Option<&str>, json: bool) -> Result<()> {
    let list = open(db)?.list_units(level, under)?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    eprintln!(
        "{} unit(s) of the current map, valid from {}",
        list.units.len(),
        list.hierarchy
    );
    for u in &list.units {
        outln!(
            "{}\t{}\t{}\t{}\t{}",
            u.code,
            u.level,
            u.unit_type,
            langso_domain::text::without_controls(&u.name),
            u.parent_code.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}
