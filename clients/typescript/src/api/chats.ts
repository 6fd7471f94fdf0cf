// Chats (rooms) and their members. Each change carries an `Idempotency-Key`, made per call
// and sent again on each retry of that call, so a retried change never happens twice.
import type { HttpTransport } from "../http.js";
import { newIdempotencyKey } from "../timing.js";
import type { Chat, NewChat, Page, PageQuery } from "../wire.js";

/** A key of the caller's (the same for a retry of the same change), or one made per call. */
export interface Keyed {
  idempotencyKey?: string;
}

export class ChatsApi {
  constructor(private readonly http: HttpTransport) {}

  async create(chat: NewChat, options: Keyed = {}): Promise<Chat> {
    return this.keyed("POST", "/chats", chat, options);
  }

  async list(query: PageQuery = {}): Promise<Page<Chat>> {
    const request = { method: "GET", path: "/chats", query: { ...query }, auth: true, idempotent: true } as const;
    return (await this.http.call<Page<Chat>>(request)).body;
  }

  async get(chatId: string): Promise<Chat> {
    const request = { method: "GET", path: `/chats/${encodeURIComponent(chatId)}`, auth: true, idempotent: true } as const;
    return (await this.http.call<Chat>(request)).body;
  }

  async addMember(chatId: string, userId: string, options: Keyed = {}): Promise<Chat> {
    return this.keyed("POST", `/chats/${encodeURIComponent(chatId)}/members`, { user_id: userId }, options);
  }

  async removeMember(chatId: string, userId: string, options: Keyed = {}): Promise<Chat> {
    const path = `/chats/${encodeURIComponent(chatId)}/members/${encodeURIComponent(userId)}`;
    return this.keyed("DELETE", path, undefined, options);
  }

  private async keyed(method: "POST" | "DELETE", path: string, body: unknown, options: Keyed): Promise<Chat> {
    const headers = { "idempotency-key": options.idempotencyKey ?? newIdempotencyKey() };
    return (await this.http.call<Chat>({ method, path, body, headers, auth: true, idempotent: true })).body;
  }
}
