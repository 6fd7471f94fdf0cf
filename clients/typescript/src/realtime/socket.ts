// One WebSocket, from its handshake to its close: frames in and out, the ping that keeps its
// lease, and the watchdog that notices a socket that died without a close frame. Reconnecting
// is the caller's business (realtime.ts); a Socket is never reused.
import type { ClientFrame, ServerEvent } from "../wire.js";

/** What the library needs of a WebSocket: the browser's, or the `ws` package's in Node. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "close" | "error" | "message", listener: (event: any) => void): void;
  /** `ws` only: drop the TCP connection at once (used when the peer has gone silent). */
  terminate?(): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** API Gateway refuses a client frame over 32 KB by closing the connection with 1009. */
export const MAX_FRAME_BYTES = 32 * 1024;

export interface SocketTimings {
  /** A frame at least this often keeps the lease (the contract: at least every 60 s). */
  pingIntervalMs: number;
  /** No frame at all for this long after a ping: the socket is dead, drop it. */
  silenceTimeoutMs: number;
}

export interface SocketClose {
  code: number;
  reason: string;
  /** Closed before it opened: the handshake failed. */
  handshakeFailed: boolean;
  /** The handshake's HTTP status, where the WebSocket implementation tells it (`ws` does). */
  handshakeStatus?: number;
}

export interface SocketHandlers {
  onOpen(): void;
  onEvent(event: ServerEvent): void;
  onClose(close: SocketClose): void;
}

export class Socket {
  private readonly ws: WebSocketLike;
  private opened = false;
  private closed = false;
  private handshakeStatus: number | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastHeardAt = Date.now();

  constructor(
    WebSocketImpl: WebSocketConstructor,
    url: string,
    token: string,
    private readonly timings: SocketTimings,
    private readonly handlers: SocketHandlers,
  ) {
    const address = new URL(url);
    address.searchParams.set("token", token);
    this.ws = new WebSocketImpl(address.toString());
    this.ws.addEventListener("open", () => this.handleOpen());
    this.ws.addEventListener("message", (event) => this.handleFrame(event.data));
    this.ws.addEventListener("error", (event) => {
      // `ws` reports a refused handshake as "Unexpected server response: 422"; browsers say nothing.
      const status = /Unexpected server response: (\d{3})/.exec(String(event?.message ?? event?.error?.message));
      if (status) this.handshakeStatus = Number(status[1]);
    });
    this.ws.addEventListener("close", (event) => this.handleClose(event.code ?? 1006, event.reason ?? ""));
  }

  get isOpen(): boolean {
    return this.opened && !this.closed;
  }

  /** Sends a frame; false when the socket cannot take it now. Throws for an oversized frame. */
  send(frame: ClientFrame): boolean {
    const text = JSON.stringify(frame);
    if (new TextEncoder().encode(text).byteLength > MAX_FRAME_BYTES) {
      throw new RangeError(`a frame over ${MAX_FRAME_BYTES} bytes would close the connection (1009)`);
    }
    if (!this.isOpen) return false;
    this.ws.send(text);
    return true;
  }

  /** Closes on purpose (a logout, a renewed token, the application's stop). */
  close(code = 1000, reason = "client closing"): void {
    if (this.closed) return;
    this.ws.close(code, reason);
    // The close handshake can hang on a dead peer; the caller has moved on already.
    this.handleClose(code, reason);
  }

  private handleOpen(): void {
    this.opened = true;
    this.lastHeardAt = Date.now();
    this.pingTimer = setInterval(() => this.keepAlive(), this.timings.pingIntervalMs);
    (this.pingTimer as { unref?: () => void }).unref?.();
    this.handlers.onOpen();
  }

  private keepAlive(): void {
    if (Date.now() - this.lastHeardAt > this.timings.silenceTimeoutMs) {
      // A lost network or a crashed gateway leaves a socket that never errors a read.
      if (this.ws.terminate) this.ws.terminate();
      else this.ws.close(4000, "no answer to pings");
      this.handleClose(1006, "no answer to pings");
      return;
    }
    this.send({ action: "ping" });
  }

  private handleFrame(data: unknown): void {
    this.lastHeardAt = Date.now();
    let event: ServerEvent;
    try {
      event = JSON.parse(String(data));
    } catch {
      return;
    }
    // API Gateway's own frames (a throttled or crashed route) have no `type`: nothing to apply.
    if (typeof event?.type === "string") this.handlers.onEvent(event);
  }

  private handleClose(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    this.handlers.onClose({ code, reason, handshakeFailed: !this.opened, handshakeStatus: this.handshakeStatus });
  }
}
