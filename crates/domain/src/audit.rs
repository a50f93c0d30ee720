//! Who performs an administrative act, for the audit log (issue 9, "Who changed what").
//!
//! Every act that changes accounts, roles and scopes, targets, the activity catalogue, the
//! roster, the hierarchy, devices or quarantine decisions, or restores a backup, is written
//! to an append-only log in the same transaction as the act, naming its [`Actor`].

use serde::{Deserialize, Serialize};

/// How an act reached Langso.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// The `langso` command line, run by an operator on the server's machine.
    Cli,
    /// The HTTP API or the dashboard, by a signed-in user.
    Api,
}

impl Via {
    /// The stored and wire name: `cli` or `api`.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Cli => "cli",
            Via::Api => "api",
        }
    }

    /// The inverse of [`Via::as_str`].
    pub fn parse(s: &str) -> Option<Via> {
        match s {
            "cli" => Some(Via::Cli),
            "api" => Some(Via::Api),
            _ => None,
        }
    }
}

/// Who acts: a signed-in user (by username, from a client address) or the operator at
/// the command line (by the operating-system account that ran `langso`, when known).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// A username, or `operator` / `operator:<os user>` for the command line.
    pub who: String,
    pub via: Via,
    /// The client address as the server derives it (see `trusted proxy` in
    /// docs/operations.md); `None` at the command line.
    pub addr: Option<String>,
}

impl Actor {
    /// The operator at the command line; names the OS user from `$USER` when set.
    pub fn operator() -> Actor {
        let user = std::env::var("USER").ok().filter(|u| !u.is_empty());
        Actor {
            who: user.map_or_else(|| "operator".to_owned(), |u| format!("operator:{u}")),
            via: Via::Cli,
            addr: None,
        }
    }

    /// A signed-in user acting over the API or the dashboard.
    pub fn user(username: &str, addr: Option<String>) -> Actor {
        Actor {
            who: username.to_owned(),
            via: Via::Api,
            addr,
        }
    }
}
