// The client an application holds: the session, every REST operation by resource, and the
// real-time connection, sharing one transport and one session.
import { AttachmentsApi } from "./api/attachments.js";
import { ChatsApi } from "./api/chats.js";
import { MessagesApi } from "./api/messages.js";
import { UsersApi } from "./api/users.js";
import { HttpTransport, type FetchLike, type RetryPolicy } from "./http.js";
import { Realtime, type RealtimeOptions } from "./realtime/realtime.js";
import type { WebSocketConstructor } from "./realtime/socket.js";
import { SessionManager, type SessionOptions, type StoredSession } from "./session.js";
import type { Login, PrivateUser, Registration, Session } from "./wire.js";

export interface ChatClientOptions extends SessionOptions, Partial<RetryPolicy> {
  /** The REST API's base URL: `HttpApiUrl` on AWS, `http://127.0.0.1:8000` locally. */
  apiUrl: string;
  /** The WebSocket API's URL: `WebSocketUrl` on AWS, `ws://127.0.0.1:8000/ws` locally. */
  wsUrl: string;
  /** The WebSocket class; default `globalThis.WebSocket` (Node 20 has none: pass `ws`'s). */
  WebSocket?: WebSocketConstructor;
  fetch?: FetchLike;
  /** A session persisted from `onChange`, to resume without logging in. */
  session?: StoredSession;
  realtime?: Omit<RealtimeOptions, "wsUrl" | "WebSocket">;
}

export class ChatClient {
  readonly session: SessionManager;
  readonly users: UsersApi;
  readonly chats: ChatsApi;
  readonly messages: MessagesApi;
  readonly attachments: AttachmentsApi;
  readonly realtime: Realtime;
  private readonly http: HttpTransport;

  constructor(options: ChatClientOptions) {
    const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.http = new HttpTransport(options.apiUrl, fetchImpl, {
      maxRetries: options.maxRetries ?? 3,
      maxWaitSeconds: options.maxWaitSeconds ?? 60,
    });
    this.session = new SessionManager(this.http, options);
    this.http.attach(this.session);
    this.users = new UsersApi(this.http, this.session);
    this.chats = new ChatsApi(this.http);
    this.messages = new MessagesApi(this.http);
    this.attachments = new AttachmentsApi(this.http, fetchImpl);
    const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    this.realtime = new Realtime(
      { ...options.realtime, wsUrl: options.wsUrl, WebSocket: WebSocketImpl ?? missingWebSocket },
      this.session,
      this.messages,
      () => this.users.me(),
    );
    if (options.session) this.session.restore(options.session);
  }

  /** The logged-in user (from the login; `users.me()` reads it afresh). */
  get user(): PrivateUser {
    return this.session.user;
  }

  async register(registration: Registration): Promise<PrivateUser> {
    return (await this.http.call<PrivateUser>({ method: "POST", path: "/users/register", body: registration })).body;
  }

  /** Logs in (`username` may also hold an email) and keeps the session fresh from then on. */
  async login(credentials: Login): Promise<PrivateUser> {
    const { body } = await this.http.call<Session>({ method: "POST", path: "/users/login", body: credentials });
    return this.session.adopt(body).user;
  }

  /** Renews the tokens now (the library also does it ahead of expiry by itself). */
  async refresh(): Promise<StoredSession> {
    return this.session.refresh();
  }

  /** Ends this session at the service (its tokens and sockets) and here. */
  async logout(): Promise<void> {
    try {
      await this.http.call({ method: "POST", path: "/users/logout", auth: true });
    } finally {
      this.session.end();
    }
  }

  /** Stops the socket and the timers, keeping the session (for a process that exits). */
  close(): void {
    this.realtime.disconnect();
    this.session.stop();
  }
}

const missingWebSocket = class {
  constructor() {
    throw new TypeError("no WebSocket here: pass one as the `WebSocket` option (in Node, the `ws` package's)");
  }
} as unknown as WebSocketConstructor;
