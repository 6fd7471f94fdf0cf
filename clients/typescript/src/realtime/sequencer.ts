// One followed conversation's order: every change is delivered once, in the conversation's
// sequence, whether it came as a live event or from a catch-up (`after_seq`). Live events past
// a gap, or that arrive during a catch-up, wait here until the numbers before them are applied
// or a fetched state supersedes them.
import type { ConversationEvent, Message } from "../wire.js";

export type ConversationUpdate =
  | { source: "live"; conversationId: string; seq: number; message: Message; event: ConversationEvent }
  /** A message as a catch-up fetched it: its current state, carrying every change up to `seq`. */
  | { source: "catch-up"; conversationId: string; seq: number; message: Message };

/** A conversation event's number and the message as that change left it. */
export function numberOf(event: ConversationEvent): { seq: number; message: Message } {
  switch (event.type) {
    case "message.created":
    case "message.updated":
    case "message.deleted":
      return { seq: event.data.updated_seq, message: event.data };
    default:
      return { seq: event.data.seq, message: event.data.message };
  }
}

export class ConversationSequencer {
  private readonly waiting = new Map<number, ConversationEvent>();
  private catchingUp = false;

  constructor(
    readonly conversationId: string,
    /** The highest number applied: every change up to it has been delivered. */
    public applied: number,
    private readonly deliver: (update: ConversationUpdate) => void,
  ) {}

  /** A live event; true when it shows a gap that only a catch-up can fill. */
  offer(event: ConversationEvent): boolean {
    const { seq } = numberOf(event);
    if (seq <= this.applied || this.waiting.has(seq)) return false; // already applied or held
    this.waiting.set(seq, event);
    if (this.catchingUp) return false;
    this.deliverWaiting();
    return this.waiting.size > 0;
  }

  startCatchUp(): void {
    this.catchingUp = true;
  }

  /** A fetched message, in `updated_seq` order; one already superseded here is skipped. */
  applyFetched(message: Message): void {
    if (message.updated_seq <= this.applied) return;
    this.applied = message.updated_seq;
    this.deliver({ source: "catch-up", conversationId: this.conversationId, seq: message.updated_seq, message });
  }

  /** Ends a catch-up; true when live events still wait past a gap (catch up again). */
  finishCatchUp(): boolean {
    this.catchingUp = false;
    this.deliverWaiting();
    return this.waiting.size > 0;
  }

  /** The catch-up failed: what waits stays, for the next one. */
  abandonCatchUp(): void {
    this.catchingUp = false;
  }

  private deliverWaiting(): void {
    for (const seq of this.waiting.keys()) {
      if (seq <= this.applied) this.waiting.delete(seq); // a fetched state carried it already
    }
    for (let next = this.waiting.get(this.applied + 1); next; next = this.waiting.get(this.applied + 1)) {
      const { seq, message } = numberOf(next);
      this.waiting.delete(seq);
      this.applied = seq;
      this.deliver({ source: "live", conversationId: this.conversationId, seq, message, event: next });
    }
  }
}
