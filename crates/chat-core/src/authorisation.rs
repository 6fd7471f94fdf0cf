//! A write's authorisation: the caller's session and write count, which the adapter checks. A
//! rule takes it as a future and awaits it in its first wave, beside its own reads, because on
//! AWS every round trip costs milliseconds; its refusal (401, 429) still answers first.

use std::future::{Future, Ready, ready};

use crate::error::{Error, Result};

/// The answer to a write refused before any read (an invalid request): `authorised`'s own
/// refusal if it has one, as if the caller had been checked before the request was read, else
/// `refusal`.
pub async fn refused(authorised: impl Future<Output = Result<()>>, refusal: Error) -> Error {
    match authorised.await {
        Err(first) => first,
        Ok(()) => refusal,
    }
}

/// The authorisation of a caller known to be allowed: the rules' own tests.
pub fn allowed() -> Ready<Result<()>> {
    ready(Ok(()))
}
