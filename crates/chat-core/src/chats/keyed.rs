//! Keyed chat changes: the answer a keyed request's write stores, and its replay.

use std::time::SystemTime;

use super::Chat;
use crate::error::{Error, Result};
use crate::idempotency::{Keyed, Remembered};
use crate::ports::ChatStore;
use crate::time::unix_seconds;

/// The chat an earlier request with `keyed`'s key answered, if there was one; 422 when that
/// key was used for another request.
pub(super) async fn replayed(
    store: &impl ChatStore,
    me: &str,
    keyed: Option<&Keyed>,
) -> Result<Option<Chat>> {
    let Some(keyed) = keyed else {
        return Ok(None);
    };
    let now = unix_seconds(SystemTime::now());
    let Some(remembered) = store.remembered(me, keyed.key.as_str(), now).await? else {
        return Ok(None);
    };
    let result = keyed.replay(remembered)?;
    serde_json::from_str(&result)
        .map(Some)
        .map_err(|err| Error::internal(format!("a remembered answer does not read: {err}")))
}

/// The answer of a keyed request whose write found its key taken: a retry that raced the
/// first request, which has committed its record by now.
pub(super) async fn raced(store: &impl ChatStore, me: &str, keyed: Option<&Keyed>) -> Result<Chat> {
    replayed(store, me, keyed)
        .await?
        .ok_or_else(|| Error::Conflict("a request with this Idempotency-Key changed; retry".into()))
}

/// What a keyed request's write stores beside its change: `chat`, the answer.
pub(super) fn remember(keyed: Option<&Keyed>, me: &str, chat: &Chat) -> Result<Option<Remembered>> {
    let Some(keyed) = keyed else {
        return Ok(None);
    };
    let result = serde_json::to_string(chat).map_err(Error::internal)?;
    Ok(Some(keyed.remember(
        me,
        result,
        unix_seconds(SystemTime::now()),
    )))
}

/// `result`, unless it is an error and a copy of this keyed request won meanwhile: a copy that
/// read the chat before the winner's change but checks after it (the member already gone) would
/// otherwise answer 404 where the winner answered 200. Then the winner's answer.
pub(super) async fn or_replayed(
    store: &impl ChatStore,
    me: &str,
    keyed: Option<&Keyed>,
    result: Result<Chat>,
) -> Result<Chat> {
    match result {
        Err(err) if keyed.is_some() => Ok(replayed(store, me, keyed).await?.ok_or(err)?),
        result => result,
    }
}
