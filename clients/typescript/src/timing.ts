// Waiting and back-off, shared by the REST retries and the WebSocket's reconnects.

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * "Full jitter" back-off: a random delay between 0 and min(cap, base * 2^attempt), so that
 * clients cut off together (a deploy, a network blip) do not come back together.
 */
export function jitteredBackoffMs(attempt: number, baseMs: number, capMs: number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(Math.random() * ceiling);
}

/** A fresh idempotency key: `client_message_id` of a send, `Idempotency-Key` of a chat change. */
export const newIdempotencyKey = (): string => globalThis.crypto.randomUUID();
