//! TEMPORARY stand-in for the lead's audit module (issue 9): replaced by main's at merge.

/// Who performs an administrative act.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// `operator` or `user:<username>`.
    pub who: String,
    /// The client address, for a signed-in user over HTTP.
    pub addr: Option<String>,
}

impl Actor {
    /// An operator at the machine (the CLI).
    pub fn operator() -> Self {
        Self {
            who: "operator".into(),
            addr: None,
        }
    }

    /// A signed-in user over the API or the dashboard.
    pub fn user(username: &str, addr: Option<String>) -> Self {
        Self {
            who: format!("user:{username}"),
            addr,
        }
    }
}
