//! A chat's audience: its members, read from its meta item, or remembered from an earlier
//! read at the same version of its membership.
//!
//! A membership version names one member set for good (every membership change adds one to
//! it, in the change's transaction), so a set read at the version a message was stored at can
//! serve every later message of that version: a warm delivery instance pushes a large chat's
//! messages without reading its members again until they change.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use chat_core::events::Audience;
use lru::LruCache;

use super::Delivery;
use crate::store::StoreResult;
use crate::store::chats::Members;

/// Chats whose members an instance remembers: a 1,000-member set is about 30 KB, so at most
/// a couple of MB of a 256 MB function.
const REMEMBERED_CHATS: NonZeroUsize = NonZeroUsize::new(64).unwrap();

/// The member sets this instance read last, by chat, with their versions.
#[derive(Clone, Debug)]
pub(super) struct Remembered(Arc<Mutex<LruCache<String, Members>>>);

impl Default for Remembered {
    fn default() -> Self {
        Remembered(Arc::new(Mutex::new(LruCache::new(REMEMBERED_CHATS))))
    }
}

impl Remembered {
    fn at(&self, chat_id: &str, version: u64) -> Option<Vec<String>> {
        let mut remembered = self.0.lock().ok()?;
        remembered
            .get(chat_id)
            .filter(|members| members.version == version)
            .map(|members| members.user_ids.clone())
    }

    fn keep(&self, chat_id: &str, members: &Members) {
        if let Ok(mut remembered) = self.0.lock() {
            remembered.put(chat_id.to_owned(), members.clone());
        }
    }
}

impl Delivery {
    /// The users of an audience. A chat's members at the version its change was stored at, if
    /// this instance read them at that version before; otherwise read now (a strongly
    /// consistent GetItem of the chat's meta item: the change's version or a later one).
    pub async fn resolve(&self, audience: Audience) -> StoreResult<Vec<String>> {
        let (chat_id, except, version) = match audience {
            Audience::Users(users) => return Ok(users),
            Audience::Chat {
                chat_id,
                except,
                members_version,
            } => (chat_id, except, members_version),
        };
        let remembered = version.and_then(|v| self.members.at(&chat_id, v));
        let members = match remembered {
            Some(members) => members,
            None => match self.store.chat_members(&chat_id, true).await? {
                Some(read) => {
                    self.members.keep(&chat_id, &read);
                    read.user_ids
                }
                None => Vec::new(),
            },
        };
        Ok(members
            .into_iter()
            .filter(|m| Some(m) != except.as_ref())
            .collect())
    }
}
