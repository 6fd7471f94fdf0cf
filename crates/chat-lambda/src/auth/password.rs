//! Argon2id password hashing with the OWASP baseline parameters.

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use chat_core::error::{Error, Result};

/// OWASP Password Storage Cheat Sheet baseline for Argon2id: 19 MiB, 2 iterations, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

/// What a login that names no account verifies against, so that it costs the same Argon2 work
/// as a wrong password: a hash with the parameters above of a random password nobody kept.
/// Built once, when this was written, not on a cold start nor on first use (which made the
/// first unknown name of each instance cost a hash more, a difference a caller could time).
/// Verifying against it never logs anybody in: [`Passwords::verify`] answers `false` for it
/// whatever it finds. A unit test holds its parameters to the ones above.
const NO_ACCOUNT_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$8fmi2lVdXpmNO1BVa2YZEg$JTRS1Swf/klYaIC1NUsQWdInUhaC+zUKU9z1QQHAYNg";

#[derive(Clone)]
pub struct Passwords {
    argon: Arc<Argon2<'static>>,
}

impl Default for Passwords {
    fn default() -> Self {
        Self::new()
    }
}

impl Passwords {
    pub fn new() -> Self {
        // The parameters are constants inside Argon2's documented ranges, so this cannot fail;
        // falling back to the crate default (identical values) keeps the code panic-free.
        let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).unwrap_or_default();
        Passwords {
            argon: Arc::new(Argon2::new(Algorithm::Argon2id, Version::V0x13, params)),
        }
    }

    /// Hashes off the async runtime: Argon2 deliberately burns ~20-50 ms of CPU.
    pub async fn hash(&self, password: String) -> Result<String> {
        let argon = self.argon.clone();
        tokio::task::spawn_blocking(move || hash_with(&argon, &password))
            .await
            .map_err(Error::unavailable)?
    }

    /// Checks `password` against `stored`; with no stored hash (no account), spends the same
    /// verification on [`NO_ACCOUNT_HASH`] and answers `false`.
    pub async fn verify(&self, password: String, stored: Option<String>) -> bool {
        let argon = self.argon.clone();
        tokio::task::spawn_blocking(move || match stored {
            Some(phc) => verify_with(&argon, &password, &phc),
            None => {
                verify_with(&argon, &password, NO_ACCOUNT_HASH);
                false
            }
        })
        .await
        .unwrap_or(false)
    }
}

fn hash_with(argon: &Argon2<'static>, password: &str) -> Result<String> {
    argon
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| Error::internal(format!("argon2 hashing failed: {e}")))
}

fn verify_with(argon: &Argon2<'static>, password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| argon.verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_argon2id_owasp_parameters_and_verifies() {
        let passwords = Passwords::new();
        let hash = passwords.hash("correct horse".into()).await.ok();
        let hash = hash.unwrap_or_default();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            passwords
                .verify("correct horse".into(), Some(hash.clone()))
                .await
        );
        assert!(!passwords.verify("wrong horse".into(), Some(hash)).await);
        assert!(!passwords.verify("anything".into(), None).await);
    }

    /// The hash an unknown account is verified against costs what a real one does: the same
    /// algorithm, version and parameters as the hashes this module makes.
    #[test]
    fn the_no_account_hash_has_the_parameters_of_real_ones() {
        let parsed = PasswordHash::new(NO_ACCOUNT_HASH).ok();
        let parsed = parsed.as_ref();
        assert_eq!(parsed.map(|p| p.algorithm.as_str()), Some("argon2id"));
        assert_eq!(parsed.and_then(|p| p.version), Some(0x13));
        let params = parsed.map(|p| p.params.to_string());
        let expected = format!("m={MEMORY_KIB},t={ITERATIONS},p={LANES}");
        assert_eq!(params.as_deref(), Some(expected.as_str()));
    }
}
