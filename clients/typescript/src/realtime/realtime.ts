// The real-time side of the client: one WebSocket kept open (reconnected with jittered
// back-off and a fresh token), the conversations the application follows delivered in order
// and exactly once (catch-up through `after_seq` after every reconnect and at every gap), the
// presence subscriptions renewed on each new socket, and sends that fall back to REST.
import { ChatApiError, LimitExceededError, SessionEndedError } from "../errors.js";
import { Emitter } from "../emitter.js";
import type { ConversationRef, MessagesApi } from "../api/messages.js";
import type { SessionManager } from "../session.js";
import { jitteredBackoffMs, newIdempotencyKey } from "../timing.js";
import type { ClientFrame, Message, NewMessage, ServerEvent } from "../wire.js";
import { PendingSends } from "./pending-sends.js";
import { ConversationSequencer, type ConversationUpdate } from "./sequencer.js";
import { Socket, type SocketClose, type WebSocketConstructor } from "./socket.js";

export interface RealtimeOptions {
  wsUrl: string;
  WebSocket: WebSocketConstructor;
  /** Default 30 s: half the contract's 60 s, as browsers delay timers in background tabs. */
  pingIntervalMs?: number;
  /** No frame for this long (pongs included) means a dead socket (default 2 pings + 5 s). */
  silenceTimeoutMs?: number;
  /** Reconnect back-off: random in [0, min(max, base * 2^attempt)] (defaults 500 ms, 30 s). */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** At the cap of connections a place frees only when another socket closes (default 30 s). */
  connectionCapRetryMs?: number;
  /** How long a WebSocket send waits for `message.sent` before going over REST (default 10 s). */
  sendTimeoutMs?: number;
}

export interface RealtimeEvents extends Record<string, unknown> {
  /** Every frame the server pushed, followed conversations' included, as it arrived. */
  event: ServerEvent;
  connected: void;
  disconnected: SocketClose;
  /** A followed conversation has caught up to everything up to `seq`. */
  synced: { conversationId: string; seq: number };
  /** Something went wrong that the library handles (it reconnects, retries) but reports. */
  error: Error;
  /** The session ended: the socket stays closed until the application logs in again. */
  ended: void;
}

export interface Following {
  readonly conversationId: string;
  /** The highest number delivered: persist it and pass it as `afterSeq` next time. */
  position(): number;
  unfollow(): void;
}

interface Followed {
  ref: ConversationRef;
  sequencer: ConversationSequencer;
  catchingUp: boolean;
  again: boolean;
}

export class Realtime extends Emitter<RealtimeEvents> {
  private socket: Socket | null = null;
  private wanted = false;
  private attempt = 0;
  private reopenNow = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly followed = new Map<string, Followed>();
  private presence: string[] = [];
  private readonly sends: PendingSends;
  private openWaiters: { resolve: () => void; reject: (reason: Error) => void }[] = [];
  private readonly options: Required<RealtimeOptions>;

  constructor(
    options: RealtimeOptions,
    private readonly session: SessionManager,
    private readonly messages: MessagesApi,
    /** An authenticated REST call: a 401 there refreshes the session or shows it ended. */
    private readonly probeSession: () => Promise<unknown>,
  ) {
    super();
    const pingIntervalMs = options.pingIntervalMs ?? 30_000;
    this.options = {
      pingIntervalMs,
      silenceTimeoutMs: pingIntervalMs * 2 + 5000,
      reconnectBaseMs: 500,
      reconnectMaxMs: 30_000,
      connectionCapRetryMs: 30_000,
      sendTimeoutMs: 10_000,
      ...options,
    };
    this.sends = new PendingSends(this.options.sendTimeoutMs);
    session.onRefreshed(() => this.reopenWithFreshToken());
    session.onEnded(() => {
      this.stop(new SessionEndedError());
      this.emit("ended", undefined);
    });
  }

  get connected(): boolean {
    return this.socket?.isOpen ?? false;
  }

  /**
   * Opens the socket and keeps it open until `disconnect()`. Resolves once a socket is open;
   * rejects if the session ends or `disconnect()` comes first.
   */
  connect(): Promise<void> {
    this.wanted = true;
    if (this.connected) return Promise.resolve();
    const opened = new Promise<void>((resolve, reject) => this.openWaiters.push({ resolve, reject }));
    if (!this.socket && this.reconnectTimer === undefined) void this.open();
    return opened;
  }

  disconnect(): void {
    this.stop(new Error("disconnected before a socket opened"));
  }

  /**
   * Delivers a conversation's changes after `afterSeq` (default 0: its whole history, each
   * message once in its current state) and then every change as it happens, in order, each once.
   */
  follow(ref: ConversationRef, options: { afterSeq?: number; onUpdate: (update: ConversationUpdate) => void }): Following {
    const conversationId = this.conversationId(ref);
    const sequencer = new ConversationSequencer(conversationId, options.afterSeq ?? 0, options.onUpdate);
    const entry: Followed = { ref, sequencer, catchingUp: false, again: false };
    this.followed.set(conversationId, entry);
    if (this.connected) void this.catchUp(entry);
    return {
      conversationId,
      position: () => sequencer.applied,
      unfollow: () => {
        if (this.followed.get(conversationId) === entry) this.followed.delete(conversationId);
      },
    };
  }

  /** The users whose presence this client shows; replaces the list, renewed on each reconnect. */
  subscribePresence(userIds: string[]): void {
    this.presence = [...userIds];
    this.socket?.send({ action: "subscribePresence", user_ids: this.presence });
  }

  /** Typing indicators are ephemeral: dropped while disconnected. */
  typing(ref: ConversationRef, isTyping: boolean): void {
    const target = "chatId" in ref ? { chat_id: ref.chatId } : { recipient_id: ref.userId };
    this.socket?.send({ action: "typing", ...target, is_typing: isTyping });
  }

  /**
   * Sends over the socket when it is open, else (or when the frame's fate is unknown) over
   * REST with the same `client_message_id`: the message is stored once either way.
   */
  async sendMessage(message: NewMessage): Promise<Message> {
    const keyed = { ...message, client_message_id: message.client_message_id ?? newIdempotencyKey() };
    let framed = false;
    try {
      // The AsyncAPI type says `attachment_ids` is never empty; the service checks that.
      framed = this.socket?.send({ action: "sendMessage", ...keyed } as ClientFrame) ?? false;
    } catch {
      // Too big for a frame (32 KB): REST takes a body of 64 KiB.
    }
    if (framed) {
      try {
        return await this.sends.wait(keyed.client_message_id);
      } catch {
        // Fall through: REST answers the stored message if the frame got through.
      }
    }
    return this.messages.send(keyed);
  }

  private conversationId(ref: ConversationRef): string {
    if ("chatId" in ref) return `c.${ref.chatId}`;
    // docs/api-notes.md: a direct conversation is `d.<user id>.<user id>`, the two ids sorted.
    return `d.${[this.session.user.id, ref.userId].sort().join(".")}`;
  }

  private async open(): Promise<void> {
    this.reconnectTimer = undefined;
    if (!this.wanted || this.socket) return;
    let token: string;
    try {
      token = await this.session.accessToken();
    } catch (error) {
      if (error instanceof SessionEndedError) return; // `ended` has been emitted
      this.emit("error", error as Error);
      return this.scheduleReconnect();
    }
    if (!this.wanted || this.socket) return;
    try {
      const socket: Socket = new Socket(this.options.WebSocket, this.options.wsUrl, token, this.options, {
        onOpen: () => this.handleOpen(),
        onEvent: (event) => this.handleEvent(event),
        onClose: (close) => void this.handleClose(socket, close),
      });
      this.socket = socket;
    } catch (error) {
      // No WebSocket class, or a URL it refuses: a mistake in the options, not a network's.
      this.stop(error as Error);
      this.emit("error", error as Error);
    }
  }

  private handleOpen(): void {
    if (this.presence.length > 0) this.socket?.send({ action: "subscribePresence", user_ids: this.presence });
    // The socket is open before the fetch, so nothing falls between what the fetch returns
    // and what the socket pushes; events that arrive meanwhile wait in the sequencer.
    for (const entry of this.followed.values()) void this.catchUp(entry);
    for (const waiter of this.openWaiters.splice(0)) waiter.resolve();
    this.emit("connected", undefined);
  }

  private handleEvent(event: ServerEvent): void {
    this.emit("event", event);
    switch (event.type) {
      case "message.sent":
        this.sends.sent(event.data.client_message_id, event.data);
        return;
      case "error":
        this.sends.failAll(new ChatApiError(422, event.data.code, event.data.message, event.data.field ?? undefined));
        return;
      case "message.created":
      case "message.updated":
      case "message.deleted":
      case "reaction.added":
      case "reaction.removed":
      case "message.read": {
        const entry = this.followed.get(event.data.conversation_id);
        if (entry && entry.sequencer.offer(event)) void this.catchUp(entry);
        return;
      }
    }
  }

  private async handleClose(socket: Socket, close: SocketClose): Promise<void> {
    if (this.socket !== socket) return;
    this.socket = null;
    this.sends.failAll(new Error(`the socket closed (${close.code})`));
    this.emit("disconnected", close);
    if (!this.wanted) return;
    if (close.code === 1009) this.emit("error", new RangeError("the server closed the socket: a frame was too big (1009)"));
    if (close.handshakeFailed) {
      if (close.handshakeStatus === 422) {
        this.emit("error", new LimitExceededError(422, "limit_exceeded", "this user holds its cap of connections"));
        return this.scheduleReconnect(this.options.connectionCapRetryMs);
      }
      // A refused token (401, or a browser that does not say): a REST call through the
      // session refreshes it, or shows that the session has ended (then `ended` stops us).
      if (close.handshakeStatus === undefined || close.handshakeStatus === 401) {
        try {
          await this.probeSession();
        } catch (error) {
          if (error instanceof SessionEndedError) return;
        }
      }
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(fixedDelayMs?: number): void {
    if (!this.wanted || this.reconnectTimer !== undefined) return;
    const delay = this.reopenNow
      ? 0
      : (fixedDelayMs ?? jitteredBackoffMs(this.attempt++, this.options.reconnectBaseMs, this.options.reconnectMaxMs));
    this.reopenNow = false;
    this.reconnectTimer = setTimeout(() => void this.open(), delay);
  }

  /** The session has new tokens: the socket opened with the old one would close at its expiry. */
  private reopenWithFreshToken(): void {
    if (!this.socket) return;
    this.reopenNow = true;
    this.socket.close(1000, "token renewed");
  }

  private async catchUp(entry: Followed): Promise<void> {
    if (entry.catchingUp) {
      entry.again = true;
      return;
    }
    entry.catchingUp = true;
    entry.sequencer.startCatchUp();
    try {
      for await (const message of this.messages.changesSince(entry.ref, entry.sequencer.applied)) {
        entry.sequencer.applyFetched(message);
      }
      const gapLeft = entry.sequencer.finishCatchUp();
      entry.catchingUp = false;
      if (this.connected) this.attempt = 0; // a socket that got this far counts as a success
      const again = entry.again || gapLeft;
      entry.again = false;
      const { conversationId, applied } = entry.sequencer;
      this.emit("synced", { conversationId, seq: applied });
      if (again && this.followed.get(conversationId) === entry) void this.catchUp(entry);
    } catch (error) {
      entry.sequencer.abandonCatchUp();
      entry.catchingUp = false;
      this.emit("error", error as Error);
      // Tried again by the next gap, or by the next socket: a failed fetch is usually a
      // failed network, which closes this socket too.
      if (error instanceof SessionEndedError) return;
      setTimeout(() => this.connected && void this.catchUp(entry), jitteredBackoffMs(1, 1000, 5000));
    }
  }

  private stop(reason: Error): void {
    this.wanted = false;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.socket?.close(1000, "client closing");
    this.socket = null;
    for (const waiter of this.openWaiters.splice(0)) waiter.reject(reason);
  }
}
