//! Access tokens (JWT, HS256, 15 minutes) and the `Device` extractor.
//!
//! Keys live in the database with a `kid`; the newest signs and all verify, so rotating
//! keys (`langso rotate-key`) never logs a device out. Refresh tokens are opaque and
//! independent of signing keys.

use crate::AppState;
use crate::error::ApiError;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use langso_domain::DeviceId;
use langso_store::{SigningKey, Store};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::future::{Ready, ready};
use std::sync::RwLock;
use std::time::{Duration, Instant};

pub const ISSUER: &str = "langso";
pub const DEVICE_AUDIENCE: &str = "langso-device";
pub const ACCESS_TTL_SECS: i64 = 15 * 60;
const RELOAD_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    /// The database generation the token was issued in (absent in tokens from before
    /// issue 7). A token from another generation was issued before a restore: the device
    /// must refresh (`token_expired`), which re-adopts it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<String>,
}

pub struct KeyRing {
    store: Store,
    keys: RwLock<(Vec<SigningKey>, Instant)>,
}

impl KeyRing {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            keys: RwLock::new((Vec::new(), Instant::now())),
        }
    }

    /// Re-reads the keys from the database (another process may have rotated them).
    pub fn reload(&self) -> Result<(), langso_store::StoreError> {
        let keys = self.store.signing_keys()?;
        *self.keys.write().expect("key lock") = (keys, Instant::now());
        Ok(())
    }

    fn fresh(&self) {
        let stale = self.keys.read().expect("key lock").1.elapsed() > RELOAD_EVERY;
        if stale && let Err(e) = self.reload() {
            tracing::warn!(error = %e, "could not reload signing keys; using the loaded ones");
        }
    }

    /// Signs an access token for `device`, issued at `iat` (seconds).
    pub fn sign(&self, device: &DeviceId, iat: i64) -> Result<(String, i64), ApiError> {
        let exp = iat + ACCESS_TTL_SECS;
        let claims = Claims {
            iss: ISSUER.into(),
            aud: DEVICE_AUDIENCE.into(),
            sub: device.to_string(),
            iat,
            nbf: iat,
            exp,
            generation: Some(self.store.generation().to_owned()),
        };
        Ok((self.sign_claims(&claims)?, exp))
    }

    /// Signs any claims with the newest key. Signing is rare (once per device or leader per
    /// 15 minutes), so it re-reads the keys: a `rotate-key` run by another process takes
    /// effect at once.
    pub fn sign_claims<C: Serialize>(&self, claims: &C) -> Result<String, ApiError> {
        self.reload()?;
        let guard = self.keys.read().expect("key lock");
        let key = guard.0.first().ok_or_else(ApiError::unavailable)?;
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(&key.secret))
            .map_err(|_| ApiError::unavailable())
    }

    /// Validates a device token: signature, algorithm, `kid`, `iss`, `aud`, `exp` and `nbf`.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        self.verify_for(token, DEVICE_AUDIENCE)
    }

    /// Validates signature, algorithm, `kid`, `iss`, `exp`, `nbf` and that `aud` is
    /// `audience` (a device token is never accepted for a leader, nor the reverse).
    pub fn verify_for<C: DeserializeOwned>(
        &self,
        token: &str,
        audience: &str,
    ) -> Result<C, ApiError> {
        let invalid = || ApiError::unauthorized("invalid_token", "the access token is invalid");
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid())?;
        if header.alg != Algorithm::HS256 {
            return Err(invalid());
        }
        let kid = header.kid.ok_or_else(invalid)?;
        let secret = match self.secret_for(&kid) {
            Some(s) => s,
            None => {
                let _ = self.reload();
                self.secret_for(&kid).ok_or_else(invalid)?
            }
        };
        let mut v = Validation::new(Algorithm::HS256);
        v.set_issuer(&[ISSUER]);
        v.set_audience(&[audience]);
        v.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        v.validate_nbf = true;
        v.leeway = 5;
        jsonwebtoken::decode::<C>(token, &DecodingKey::from_secret(&secret), &v)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => ApiError::unauthorized(
                    "token_expired",
                    "the access token has expired; refresh it",
                ),
                _ => invalid(),
            })
    }

    fn secret_for(&self, kid: &str) -> Option<Vec<u8>> {
        self.fresh();
        let guard = self.keys.read().expect("key lock");
        guard
            .0
            .iter()
            .find(|k| k.kid == kid)
            .map(|k| k.secret.clone())
    }
}

/// An authenticated device. Revocation is checked by the store call that serves the request.
#[derive(Clone, Debug)]
pub struct Device {
    pub id: DeviceId,
    pub iat_ms: i64,
}

impl FromRequest for Device {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

/// The token of an `Authorization: Bearer <token>` value. The scheme is case-insensitive
/// (RFC 9110 §11.1: `bearer` and `BEARER` are the same scheme); spaces around the token are
/// forgiven. `None` for another scheme or no token.
pub(crate) fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn authenticate(req: &HttpRequest) -> Result<Device, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(ApiError::unavailable)?;
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .ok_or_else(|| {
            ApiError::unauthorized("missing_token", "send Authorization: Bearer <access_token>")
        })?;
    let token = bearer_token(header)
        .ok_or_else(|| ApiError::unauthorized("invalid_token", "the access token is invalid"))?;
    let claims = state.keys.verify(token)?;
    if claims
        .generation
        .as_deref()
        .is_some_and(|g| g != state.store.generation())
    {
        return Err(ApiError::unauthorized(
            "token_expired",
            "the access token was issued before this server was restored from a backup; refresh it",
        ));
    }
    let id = DeviceId::parse(&claims.sub)
        .ok_or_else(|| ApiError::unauthorized("invalid_token", "the access token is invalid"))?;
    Ok(Device {
        id,
        iat_ms: claims.iat * 1000,
    })
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        for v in [
            "Bearer abc",
            "bearer abc",
            "BEARER abc",
            "BeArEr  abc ",
            " Bearer abc",
        ] {
            assert_eq!(bearer_token(v), Some("abc"), "{v:?}");
        }
        for v in ["Basic abc", "Bearer", "Bearer ", "Bearerabc", "abc", ""] {
            assert_eq!(bearer_token(v), None, "{v:?}");
        }
    }
}
