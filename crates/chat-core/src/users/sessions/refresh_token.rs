use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// `<user id>.<session id>.<secret>`: the ids say where the session is stored; only the
/// secret's hash is kept.
pub(super) struct RefreshToken {
    pub user_id: String,
    pub session_id: String,
    secret: String,
}

impl RefreshToken {
    pub fn new(user_id: &str, session_id: &str) -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        RefreshToken {
            user_id: user_id.to_owned(),
            session_id: session_id.to_owned(),
            secret: URL_SAFE_NO_PAD.encode(bytes),
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let mut parts = raw.split('.');
        let (user_id, session_id, secret) = (parts.next()?, parts.next()?, parts.next()?);
        let well_formed = |s: &str| !s.is_empty() && s.len() <= 64;
        if parts.next().is_some() || ![user_id, session_id, secret].into_iter().all(well_formed) {
            return None;
        }
        Some(RefreshToken {
            user_id: user_id.to_owned(),
            session_id: session_id.to_owned(),
            secret: secret.to_owned(),
        })
    }

    pub fn hash(&self) -> String {
        Sha256::digest(self.secret.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    pub fn encode(&self) -> String {
        format!("{}.{}.{}", self.user_id, self.session_id, self.secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_round_trip_and_reject_junk() {
        let token = RefreshToken::new("01USER", "01SESSION");
        let parsed = RefreshToken::parse(&token.encode());
        assert_eq!(parsed.as_ref().map(|t| t.hash()), Some(token.hash()));
        assert_eq!(parsed.map(|t| t.session_id), Some("01SESSION".to_owned()));
        for junk in ["", "a.b", "a.b.c.d", "..", "a..c", &"x".repeat(300)] {
            assert!(RefreshToken::parse(junk).is_none(), "{junk}");
        }
        assert_ne!(
            RefreshToken::new("u", "s").hash(),
            RefreshToken::new("u", "s").hash()
        );
    }
}
