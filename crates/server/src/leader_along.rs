//! A leader's scope for a report along an earlier hierarchy version (issue 8,
//! `hierarchy=KEY`): the old unit's villages must all be in the leader's scope today.

use crate::error::ApiError;
use crate::leader::Leader;
use langso_domain::scope::{Role, UnitKind, UnitRef};
use langso_store::{Store, StoreError};

impl Leader {
    /// For a report along hierarchy version `key` (`hierarchy=KEY`): the unit must be one of
    /// that version (404 `unknown_hierarchy`, `unknown_unit`) and every village it held must
    /// be within this leader's scope today (403 `out_of_scope`).
    pub fn require_along(
        &self,
        store: &Store,
        key: &str,
        target: &UnitRef,
    ) -> Result<(), ApiError> {
        let villages = match store.villages_along(key, target) {
            Ok(Some(v)) => v,
            Ok(None) => {
                return Err(ApiError::not_found(
                    "unknown_unit",
                    format!(
                        "no {} '{}' in hierarchy version {key}",
                        target.kind.as_str(),
                        target.id
                    ),
                ));
            }
            Err(StoreError::NotFound(m)) => {
                return Err(ApiError::not_found("unknown_hierarchy", m));
            }
            Err(StoreError::Invalid(m)) => return Err(ApiError::bad_request("invalid_query", m)),
            Err(e) => return Err(e.into()),
        };
        // A unit that held no village shows no one's work, but its name is still the
        // province's: only the province admin may read it.
        if villages.is_empty() && self.role != Role::ProvinceAdmin {
            return Err(ApiError::forbidden(
                "out_of_scope",
                format!(
                    "the {} asked for is outside your scope in {key}",
                    target.kind.as_str()
                ),
            ));
        }
        for v in villages {
            let village = UnitRef::new(UnitKind::Village, &v);
            if store.scope_contains(&self.scope, &village)? != Some(true) {
                return Err(ApiError::forbidden(
                    "out_of_scope",
                    format!(
                        "the {} asked for held villages outside your scope in {key}",
                        target.kind.as_str()
                    ),
                ));
            }
        }
        Ok(())
    }
}
