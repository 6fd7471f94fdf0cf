use super::{MemoryStore, State, take_number};
use crate::attachments::AttachmentState;
use crate::error::Result;
use crate::messages::{Message, PutMessage};
use crate::ports::{Attach, MessageStore};

impl MessageStore for MemoryStore {
    /// The memory store numbers under its lock: nothing to read ahead.
    type Sequence = ();

    async fn read_sequence(&self, _conversation_id: &str) -> Result<()> {
        Ok(())
    }

    async fn get_message(&self, conversation_id: &str, ulid: &str) -> Result<Option<Message>> {
        let key = (conversation_id.to_owned(), ulid.to_owned());
        Ok(self.state()?.messages.get(&key).cloned())
    }

    /// The store's transaction in order: the message's id, a chat sender's membership, the
    /// idempotency marker, then each upload (still the sender's and pending).
    async fn put_message(
        &self,
        message: &mut Message,
        client_message_id: Option<&str>,
        attach: Option<Attach<'_>>,
        _seen: (),
    ) -> Result<PutMessage> {
        let mut guard = self.state()?;
        let state: &mut State = &mut guard;
        let conversation_id = message.conversation_id.clone();
        let key = (conversation_id.clone(), message.ulid.clone());
        if state.messages.contains_key(&key) {
            return Ok(PutMessage::IdTaken);
        }
        if let Some(chat_id) = &message.chat_id
            && !state
                .chats
                .get(chat_id)
                .is_some_and(|c| c.has_member(&message.sender_id))
        {
            return Ok(PutMessage::NotMember);
        }
        let marker = client_message_id.map(|k| (message.sender_id.clone(), k.to_owned()));
        if marker
            .as_ref()
            .is_some_and(|m| state.idempotency.contains_key(m))
        {
            return Ok(PutMessage::DuplicateKey);
        }
        if let Some(refused) = attach.and_then(|attach| refused_attachments(state, message, attach))
        {
            return Ok(refused);
        }

        let (seq, fanout) = take_number(&mut state.seqs, &state.member_counts, &conversation_id);
        let number = state
            .message_counts
            .get(&conversation_id)
            .copied()
            .unwrap_or(0)
            + 1;
        state.message_counts.insert(conversation_id.clone(), number);
        message.seq = seq;
        message.updated_seq = seq;
        message.number = number;
        message.fanout = fanout;
        if let Some(marker) = marker {
            state.idempotency.insert(marker, key.clone());
        }
        for attachment in &message.attachments {
            if let Some(upload) = state.uploads.get_mut(&attachment.attachment_id) {
                upload.state = AttachmentState::Attached;
                upload.message_id = Some(message.id.clone());
            }
        }
        state.messages.insert(key, message.clone());
        Ok(PutMessage::Stored)
    }

    async fn idempotent_message(
        &self,
        sender_id: &str,
        client_message_id: &str,
    ) -> Result<Option<(String, String)>> {
        let key = (sender_id.to_owned(), client_message_id.to_owned());
        Ok(self.state()?.idempotency.get(&key).cloned())
    }
}

/// Why the uploads cannot be attached, if they cannot.
fn refused_attachments(state: &State, message: &Message, attach: Attach<'_>) -> Option<PutMessage> {
    let usable = attach.uploads.iter().all(|wanted| {
        state
            .uploads
            .get(&wanted.attachment_id)
            .is_some_and(|stored| {
                stored.owner_id == message.sender_id && stored.state == AttachmentState::Pending
            })
    });
    (!usable).then_some(PutMessage::AttachmentRefused)
}
