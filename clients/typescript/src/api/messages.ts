// Messages: sends, edits, deletes, reactions, read marks, history and the inbox. Every write
// here may be retried (the contract makes each idempotent): a send by its `client_message_id`,
// made once per message and kept across its retries.
import type { HttpTransport } from "../http.js";
import { newIdempotencyKey } from "../timing.js";
import type { InboxItem, Message, NewMessage, Page, PageQuery } from "../wire.js";

/** Which conversation: a chat, or the direct conversation with another user. */
export type ConversationRef = { chatId: string } | { userId: string };

export interface HistoryQuery extends PageQuery {
  /** Every message created or changed after this number, in `updated_seq` order. */
  afterSeq?: number;
}

export class MessagesApi {
  constructor(private readonly http: HttpTransport) {}

  /** Sends once, however often it is retried: `client_message_id` is made here when absent. */
  async send(message: NewMessage): Promise<Message> {
    const body = { ...message, client_message_id: message.client_message_id ?? newIdempotencyKey() };
    return (await this.http.call<Message>({ method: "POST", path: "/messages", body, auth: true, idempotent: true })).body;
  }

  async get(messageId: string): Promise<Message> {
    return (await this.http.call<Message>({ method: "GET", path: messagePath(messageId), auth: true, idempotent: true })).body;
  }

  /** Editing to the content the message already has is a no-op answered 200: safe to retry. */
  async edit(messageId: string, content: string): Promise<Message> {
    const request = { method: "PUT", path: messagePath(messageId), body: { content }, auth: true, idempotent: true } as const;
    return (await this.http.call<Message>(request)).body;
  }

  async delete(messageId: string): Promise<void> {
    await this.http.call({ method: "DELETE", path: messagePath(messageId), auth: true, idempotent: true });
  }

  async addReaction(messageId: string, emoji: string): Promise<Message> {
    const path = `${messagePath(messageId)}/reactions`;
    return (await this.http.call<Message>({ method: "POST", path, body: { emoji }, auth: true, idempotent: true })).body;
  }

  async removeReaction(messageId: string, emoji: string): Promise<Message> {
    const path = `${messagePath(messageId)}/reactions`;
    return (await this.http.call<Message>({ method: "DELETE", path, query: { emoji }, auth: true, idempotent: true })).body;
  }

  async markRead(messageId: string): Promise<Message> {
    const path = `${messagePath(messageId)}/read`;
    return (await this.http.call<Message>({ method: "PATCH", path, auth: true, idempotent: true })).body;
  }

  /** Newest first; with `afterSeq`, the changes after that number in `updated_seq` order. */
  async history(conversation: ConversationRef, query: HistoryQuery = {}): Promise<Page<Message>> {
    const path =
      "chatId" in conversation
        ? `/messages/chat/${encodeURIComponent(conversation.chatId)}`
        : `/messages/conversation/${encodeURIComponent(conversation.userId)}`;
    const { afterSeq, ...page } = query;
    const request = { method: "GET", path, query: { ...page, after_seq: afterSeq }, auth: true, idempotent: true } as const;
    return (await this.http.call<Page<Message>>(request)).body;
  }

  /** Every message created or changed after `afterSeq`, each once, following every page. */
  async *changesSince(conversation: ConversationRef, afterSeq: number): AsyncGenerator<Message> {
    let cursor: string | undefined;
    do {
      const page = await this.history(conversation, { afterSeq, cursor, limit: 100 });
      yield* page.items;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  async inbox(query: PageQuery = {}): Promise<Page<InboxItem>> {
    const request = { method: "GET", path: "/messages/conversations", query: { ...query }, auth: true, idempotent: true } as const;
    return (await this.http.call<Page<InboxItem>>(request)).body;
  }
}

const messagePath = (messageId: string) => `/messages/${encodeURIComponent(messageId)}`;
