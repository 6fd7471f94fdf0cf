// Generated from docs/asyncapi.yaml by json-schema-to-typescript (scripts/generate-types.mjs); do not edit.
// Regenerate with `npm run generate` after `cargo run -p e2e --bin openapi`.

/**
 * The contract's error codes.
 *
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "ErrorCode".
 */
export type ErrorCode =
  | "bad_request"
  | "validation_error"
  | "unauthorized"
  | "invalid_credentials"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "username_taken"
  | "email_taken"
  | "conflict"
  | "limit_exceeded"
  | "payload_too_large"
  | "rate_limited"
  | "unavailable"
  | "internal";
/**
 * What a message holds. The stored item keeps the same lowercase name (`strum`).
 *
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "MessageType".
 */
export type MessageType = "text" | "image" | "file" | "system";
/**
 * A user's status; stored under the same lowercase name (`strum`).
 *
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "Status".
 */
export type Status = "online" | "away" | "busy" | "offline";
/**
 * `message.sent`: the stored message and the sender's idempotency key.
 *
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "SentMessage".
 */
export type SentMessage = Message & {
  client_message_id?: string | null;
};
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "ActionMarkReadFrame".
 */
export type ActionMarkReadFrame = {
  action: "markRead";
} & MarkRead;
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "ActionSendMessageFrame".
 */
export type ActionSendMessageFrame = {
  action: "sendMessage";
} & NewMessage;
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "ActionSubscribePresenceFrame".
 */
export type ActionSubscribePresenceFrame = {
  action: "subscribePresence";
} & PresenceSubscription;
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "ActionTypingFrame".
 */
export type ActionTypingFrame = {
  action: "typing";
} & TypingSignal;

export interface WebSocketFrames {
  [k: string]: unknown;
}
/**
 * A file of a message, as clients see it.
 *
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "Attachment".
 */
export interface Attachment {
  attachment_id: string;
  /**
   * The SHA-256 of the file's bytes, base64, as S3 verified it at the upload: a client may
   * check the download against it. Empty on files attached before checksums were required.
   */
  checksum_sha256?: string;
  content_type: string;
  /**
   * A presigned GET, valid for a few minutes, that downloads the file as an attachment of
   * its stored type; only in answers and events for the conversation's participants.
   * `GET /attachments/{attachment_id}` redirects to a fresh one.
   */
  download_url?: string | null;
  file_name: string;
  size_bytes: number;
}
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "Chat".
 */
export interface Chat {
  created_at: string;
  created_by: string;
  id: string;
  /**
   * Sorted user ids.
   */
  members: string[];
  name: string;
}
/**
 * What went wrong: the REST error body's `error`, and the data of a WebSocket `error` event.
 *
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "ErrorDetail".
 */
export interface ErrorDetail {
  code: ErrorCode;
  /**
   * The offending field or query parameter, for `validation_error` only.
   */
  field?: string | null;
  /**
   * For humans; never a stack trace or a dependency's own error.
   */
  message: string;
}
/**
 * The WebSocket `markRead` action, as `PATCH /messages/{message_id}/read`.
 *
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "MarkRead".
 */
export interface MarkRead {
  message_id: string;
}
/**
 * A message as clients see it. A deleted message is a tombstone: empty content and no
 * reactions, whatever a racing write may have left behind (the store renders it so).
 *
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "Message".
 */
export interface Message {
  /**
   * Files the sender attached (none on a tombstone).
   */
  attachments?: Attachment[];
  chat_id?: string | null;
  content: string;
  conversation_id: string;
  created_at: string;
  deleted: boolean;
  edited_at?: string | null;
  id: string;
  message_type: MessageType;
  reactions: {
    [k: string]: string[];
  };
  read_by: string[];
  recipient_id?: string | null;
  reply_to_id?: string | null;
  sender_id: string;
  /**
   * The conversation's sequence number when the message was created.
   */
  seq: number;
  /**
   * The sequence number of the message's last change (its creation, an edit, the deletion,
   * a reaction or a read mark): `GET` history with `after_seq` returns what changed after a
   * number.
   */
  updated_seq: number;
}
/**
 * `POST /messages` and the WebSocket `sendMessage` action: exactly one of `recipient_id` and
 * `chat_id`.
 *
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "NewMessage".
 */
export interface NewMessage {
  /**
   * 1 to 10 of the sender's own uploads (`POST /attachments`), each not attached before and
   * in storage with its declared size and type.
   *
   * @minItems 1
   * @maxItems 10
   */
  attachment_ids?: [string, ...string[]] | null;
  /**
   * A chat the sender is a member of.
   */
  chat_id?: string | null;
  /**
   * Idempotency key: the same sender with the same key gets the first message back.
   */
  client_message_id?: string | null;
  /**
   * 1..4000 characters; 0..4000 with `attachment_ids`.
   */
  content?: string;
  message_type?: ("text" | "image" | "file" | "system") | null;
  /**
   * The other user of a direct conversation.
   */
  recipient_id?: string | null;
  /**
   * A message of the same conversation.
   */
  reply_to_id?: string | null;
}
/**
 * `pong`: the answer to `ping`, with no data.
 *
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "Pong".
 */
export interface Pong {}
/**
 * `presence`: the status of a direct-message peer or of a user the connection subscribed to
 * changed.
 *
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "PresenceEvent".
 */
export interface PresenceEvent {
  last_seen_at?: string | null;
  status: Status;
  user_id: string;
}
/**
 * `presence.snapshot`: the answer to `subscribePresence`, the current presence of every
 * subscribed user that exists, in the order asked (an unknown or deleted id is left out).
 *
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "PresenceSnapshot".
 */
export interface PresenceSnapshot {
  users: PresenceEvent[];
}
/**
 * The `subscribePresence` frame's fields.
 *
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "PresenceSubscription".
 */
export interface PresenceSubscription {
  /**
   * The users whose presence this connection receives from now on, at most 100; `[]`
   * unsubscribes from all. Direct-message peers need not be listed.
   */
  user_ids: string[];
}
/**
 * `reaction.added` and `reaction.removed`: who reacted with what, and the message after it.
 *
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "ReactionChange".
 */
export interface ReactionChange {
  conversation_id: string;
  emoji: string;
  message: Message;
  message_id: string;
  /**
   * The change's number in the conversation's sequence.
   */
  seq: number;
  user_id: string;
}
/**
 * `message.read`: who read, and the message after it.
 *
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "ReadReceipt".
 */
export interface ReadReceipt {
  conversation_id: string;
  message: Message;
  message_id: string;
  /**
   * The change's number in the conversation's sequence.
   */
  seq: number;
  user_id: string;
}
/**
 * `typing`: relayed to the conversation's other participants.
 *
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "TypingEvent".
 */
export interface TypingEvent {
  chat_id?: string | null;
  conversation_id: string;
  is_typing: boolean;
  recipient_id?: string | null;
  user_id: string;
}
/**
 * The WebSocket `typing` action: relayed to the conversation, never stored.
 *
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "TypingSignal".
 */
export interface TypingSignal {
  chat_id?: string | null;
  is_typing?: boolean;
  recipient_id?: string | null;
}
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "ActionPingFrame".
 */
export interface ActionPingFrame {
  action: "ping";
}
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "ErrorFrame".
 */
export interface ErrorFrame {
  data: ErrorDetail;
  ts: string;
  type: "error";
}
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "MessageCreatedFrame".
 */
export interface MessageCreatedFrame {
  data: Message;
  ts: string;
  type: "message.created";
}
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "MessageDeletedFrame".
 */
export interface MessageDeletedFrame {
  data: Message;
  ts: string;
  type: "message.deleted";
}
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "MessageReadFrame".
 */
export interface MessageReadFrame {
  data: ReadReceipt;
  ts: string;
  type: "message.read";
}
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "MessageSentFrame".
 */
export interface MessageSentFrame {
  data: SentMessage;
  ts: string;
  type: "message.sent";
}
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "MessageUpdatedFrame".
 */
export interface MessageUpdatedFrame {
  data: Message;
  ts: string;
  type: "message.updated";
}
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "PongFrame".
 */
export interface PongFrame {
  data: Pong;
  ts: string;
  type: "pong";
}
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "PresenceFrame".
 */
export interface PresenceFrame {
  data: PresenceEvent;
  ts: string;
  type: "presence";
}
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "PresenceSnapshotFrame".
 */
export interface PresenceSnapshotFrame {
  data: PresenceSnapshot;
  ts: string;
  type: "presence.snapshot";
}
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "ReactionAddedFrame".
 */
export interface ReactionAddedFrame {
  data: ReactionChange;
  ts: string;
  type: "reaction.added";
}
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "ReactionRemovedFrame".
 */
export interface ReactionRemovedFrame {
  data: ReactionChange;
  ts: string;
  type: "reaction.removed";
}
/**
 * This interface was referenced by `WebSocketFrames`'s JSON-Schema
 * via the `definition` "TypingFrame".
 */
export interface TypingFrame {
  data: TypingEvent;
  ts: string;
  type: "typing";
}
