//! Shared support for Langso's black-box tests: the real `langso` binary on a temp database,
//! driven over HTTP on loopback, every response checked against api-spec/openapi.yaml.

pub mod browser;
pub mod harness;
pub mod hostile;
pub mod map_switch;
pub mod reports;
pub mod roster;
pub mod roster_import;
pub mod spec;
pub mod sync_api;
