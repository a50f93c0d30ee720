//! Accounts and devices as the province admin and team leaders run them (issue 9): the
//! dashboard's account forms posted as a browser does, and a leader's API requests.

use super::{Resp, Server};
use serde_json::{Value, json};

impl Server {
    /// POSTs a dashboard form (`application/x-www-form-urlencoded`, with this site's
    /// `Origin`) to a page: (status, HTML). Pages are not in the API spec.
    pub fn post_page_form(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", super::form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut res = self
            .agent
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", self.origin())
            .send(body.as_bytes())
            .expect("POST a dashboard form");
        let status = res.status().as_u16();
        (status, res.body_mut().read_to_string().unwrap_or_default())
    }

    /// Logs `username` in over the API with [`super::LEADER_PASSWORD`]: its access token.
    #[track_caller]
    pub fn access_token_of(&self, username: &str) -> String {
        let r = self.login(username, super::LEADER_PASSWORD).expect(200);
        r.body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// The audit entries of `action`, oldest first, as the province admin (`token`) reads
    /// them.
    #[track_caller]
    pub fn audited(&self, token: &str, action: &str) -> Vec<Value> {
        let page = self
            .get(&format!("/v1/admin/audit?action={action}"), Some(token))
            .expect(200)
            .body;
        page["entries"].as_array().expect("entries").clone()
    }

    /// POSTs `body` (or `{}`) to an admin path with a leader's token.
    pub fn admin_post(&self, path: &str, token: &str, body: Option<Value>) -> Resp {
        self.post(path, Some(token), &body.unwrap_or_else(|| json!({})))
    }
}
