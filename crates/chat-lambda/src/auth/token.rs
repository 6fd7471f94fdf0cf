//! Access tokens: HS256 JWTs with an expiry, checked strictly (one algorithm, issuer, audience,
//! required claims). Each names its session (`sid`): the session, stored on the user item that
//! every request reads anyway, is what logout, a password change and a reused refresh token end.

use std::time::{Duration, SystemTime};

use chat_core::error::{Error, Result};
use chat_core::ports::{IssuedToken, TokenIssuer, Verified};
use chat_core::time::unix_seconds;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::Secret;

const ISSUER: &str = "chat-api";
/// Who the tokens are for: this API's clients (REST and WebSocket alike).
const AUDIENCE: &str = "chat-api-clients";
/// Tolerated clock skew between the functions that issue and check tokens.
const LEEWAY_SECS: u64 = 5;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iss: String,
    aud: String,
    iat: u64,
    exp: u64,
    sid: String,
}

#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
    /// The refresh token issued beside each access token lasts this long; the session rules
    /// read it here because a session's pair is issued together.
    refresh_ttl: Duration,
}

impl Tokens {
    pub fn new(secret: &Secret, ttl: Duration, refresh_ttl: Duration) -> Self {
        // Only HS256: a token that names any other algorithm, `none` included, is rejected
        // before its signature is even looked at.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        Tokens {
            encoding: EncodingKey::from_secret(secret.expose()),
            decoding: DecodingKey::from_secret(secret.expose()),
            validation,
            ttl,
            refresh_ttl,
        }
    }

    pub fn issue(&self, user_id: &str, session_id: &str) -> Result<IssuedToken> {
        let now = unix_seconds(SystemTime::now());
        let claims = Claims {
            sub: user_id.to_owned(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            exp: now + self.ttl.as_secs(),
            sid: session_id.to_owned(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| Error::internal(format!("signing a token failed: {e}")))?;
        Ok(IssuedToken {
            token,
            expires_in: self.ttl.as_secs(),
        })
    }

    /// What a valid token says; any defect is `Unauthorized`.
    pub fn verify(&self, token: &str) -> Result<Verified> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| Verified {
                user_id: data.claims.sub,
                session_id: data.claims.sid,
                expires_at: data.claims.exp,
            })
            .map_err(|_| Error::Unauthorized)
    }
}

impl TokenIssuer for Tokens {
    fn issue(&self, user_id: &str, session_id: &str) -> Result<IssuedToken> {
        Tokens::issue(self, user_id, session_id)
    }

    fn verify(&self, token: &str) -> Result<Verified> {
        Tokens::verify(self, token)
    }

    fn refresh_ttl(&self) -> Duration {
        self.refresh_ttl
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn tokens(s: &str) -> Tokens {
        let (access, refresh) = (Duration::from_secs(60), Duration::from_secs(3600));
        Tokens::new(&Secret::new(s), access, refresh)
    }

    const A: &str = "secret-a-secret-a-secret-a-secret-a";
    const B: &str = "secret-b-secret-b-secret-b-secret-b";

    #[test]
    fn round_trips_a_user_id() {
        let t = tokens(A);
        let issued = t.issue("user-1", "s-1").expect("a token is issued").token;
        let verified = t.verify(&issued).ok();
        assert_eq!(
            verified.as_ref().map(|v| v.user_id.as_str()),
            Some("user-1")
        );
        assert_eq!(
            verified.as_ref().map(|v| v.session_id.as_str()),
            Some("s-1")
        );
    }

    #[test]
    fn rejects_another_secret() {
        let issued = tokens(B)
            .issue("user-1", "s-1")
            .expect("a token is issued")
            .token;
        assert!(matches!(
            tokens(A).verify(&issued),
            Err(Error::Unauthorized)
        ));
    }

    #[test]
    fn rejects_alg_none() {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let claims = URL_SAFE_NO_PAD
            .encode(r#"{"sub":"user-1","iss":"chat-api","aud":"chat-api-clients","iat":1,"exp":99999999999,"sid":"s"}"#);
        let forged = format!("{header}.{claims}.");
        assert!(matches!(
            tokens(A).verify(&forged),
            Err(Error::Unauthorized)
        ));
    }

    #[test]
    fn rejects_expired() {
        let claims = claims(ISSUER, AUDIENCE, unix_seconds(SystemTime::now()) - 60);
        let t = tokens(A);
        let expired = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &t.encoding)
            .expect("an expired token is signed");
        assert!(matches!(t.verify(&expired), Err(Error::Unauthorized)));
    }

    fn claims(iss: &str, aud: &str, exp: u64) -> Claims {
        Claims {
            sub: "user-1".into(),
            iss: iss.into(),
            aud: aud.into(),
            iat: 1,
            exp,
            sid: "s-1".into(),
        }
    }

    #[test]
    fn rejects_another_audience() {
        let t = tokens(A);
        let later = unix_seconds(SystemTime::now()) + 600;
        let other = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims(ISSUER, "someone-else", later),
            &t.encoding,
        )
        .expect("a token is signed");
        assert!(matches!(t.verify(&other), Err(Error::Unauthorized)));
    }
}
