// Sends over the WebSocket that wait for their `message.sent`. The service's `error` event
// names no frame, so any error, a close or a timeout fails every send in flight; the caller
// then sends the same message over REST with the same `client_message_id`, which answers the
// stored message if the frame did get through (never a second copy).
import type { Message } from "../wire.js";

interface Pending {
  resolve(message: Message): void;
  reject(reason: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class PendingSends {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly timeoutMs: number) {}

  wait(clientMessageId: string): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(clientMessageId, new Error("no message.sent in time")), this.timeoutMs);
      this.pending.set(clientMessageId, { resolve, reject, timer });
    });
  }

  /** `message.sent` for this key. */
  sent(clientMessageId: string | null | undefined, message: Message): void {
    const entry = clientMessageId ? this.pending.get(clientMessageId) : undefined;
    if (!entry || !clientMessageId) return;
    clearTimeout(entry.timer);
    this.pending.delete(clientMessageId);
    entry.resolve(message);
  }

  failAll(reason: Error): void {
    for (const key of [...this.pending.keys()]) this.fail(key, reason);
  }

  private fail(clientMessageId: string, reason: Error): void {
    const entry = this.pending.get(clientMessageId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(clientMessageId);
    entry.reject(reason);
  }
}
