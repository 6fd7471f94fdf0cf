// Friendly names for the generated wire types: REST bodies from docs/openapi.json,
// WebSocket frames from docs/asyncapi.yaml. Nothing here is written by hand but the names.
import type { components } from "./generated/openapi.js";
import type * as Frames from "./generated/events.js";

type Schemas = components["schemas"];

export type ErrorCode = Schemas["ErrorCode"];
export type PrivateUser = Schemas["PrivateUser"];
export type PublicUser = Schemas["PublicUser"];
export type Status = Schemas["Status"];
export type Registration = Schemas["Registration"];
export type Login = Schemas["Login"];
export type Session = Schemas["Session"];
export type ProfileChange = Schemas["ProfileChange"];
export type ProfileUpdated = Schemas["ProfileUpdated"];
export type Chat = Schemas["Chat"];
export type NewChat = Schemas["NewChat"];
export type Message = Schemas["Message"];
export type NewMessage = Schemas["NewMessage"];
export type InboxItem = Schemas["InboxItem"];
export type UploadRequest = Schemas["UploadRequest"];
export type UploadTicket = Schemas["UploadTicket"];

/** Every list answers a page; `next_cursor` is `null` only when nothing follows. */
export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

export interface PageQuery {
  limit?: number;
  cursor?: string;
}

/** Client frames (`action`), as the WebSocket API takes them. */
export type ClientFrame =
  | Frames.ActionSendMessageFrame
  | Frames.ActionTypingFrame
  | Frames.ActionMarkReadFrame
  | Frames.ActionSubscribePresenceFrame
  | Frames.ActionPingFrame;

/** Server frames (`type`), as the WebSocket API pushes them. */
export type ServerEvent =
  | Frames.MessageCreatedFrame
  | Frames.MessageUpdatedFrame
  | Frames.MessageDeletedFrame
  | Frames.ReactionAddedFrame
  | Frames.ReactionRemovedFrame
  | Frames.MessageReadFrame
  | Frames.MessageSentFrame
  | Frames.TypingFrame
  | Frames.PresenceFrame
  | Frames.PresenceSnapshotFrame
  | Frames.ErrorFrame
  | Frames.PongFrame;

export type ServerEventType = ServerEvent["type"];

/** The events that change a conversation and carry its sequence number. */
export type ConversationEvent = Extract<
  ServerEvent,
  {
    type:
      | "message.created"
      | "message.updated"
      | "message.deleted"
      | "reaction.added"
      | "reaction.removed"
      | "message.read";
  }
>;

export type PresenceEvent = Frames.PresenceEvent;
export type PresenceSnapshot = Frames.PresenceSnapshot;
export type TypingEvent = Frames.TypingEvent;
export type ErrorDetail = Frames.ErrorDetail;
