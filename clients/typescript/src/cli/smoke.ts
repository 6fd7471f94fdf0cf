// The smoke check of a deployment: two throwaway users exchange messages over REST and over
// the WebSocket, see each other's presence, read their history, send a file through S3 and
// are deleted again. One line per step, with its time; any failure fails the run.
import { ChatClient } from "../client.js";
import type { WebSocketConstructor } from "../realtime/socket.js";
import type { Message, ServerEvent } from "../wire.js";

export interface SmokeOptions {
  apiUrl: string;
  wsUrl: string;
  WebSocket: WebSocketConstructor;
  /** How long a step may wait for an event (default 15 s). */
  timeoutMs?: number;
  print?: (line: string) => void;
}

interface Party {
  client: ChatClient;
  username: string;
  events: ServerEvent[];
  registered: boolean;
}

const PASSWORD = `smoke-${crypto.randomUUID()}`;

/** Runs every step; resolves true when all passed. */
export async function smoke(options: SmokeOptions): Promise<boolean> {
  const print = options.print ?? console.log;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const party = (name: string): Party => {
    const client = new ChatClient({ apiUrl: options.apiUrl, wsUrl: options.wsUrl, WebSocket: options.WebSocket });
    const events: ServerEvent[] = [];
    client.realtime.on("event", (event) => events.push(event));
    return { client, username: `smoke_${name}_${run}`, events, registered: false };
  };
  const alice = party("alice");
  const bob = party("bob");
  let failed = false;

  const step = async (name: string, body: () => Promise<string | void>): Promise<boolean> => {
    const started = performance.now();
    try {
      const detail = await body();
      print(`PASS  ${name}  (${Math.round(performance.now() - started)} ms)${detail ? `  ${detail}` : ""}`);
      return true;
    } catch (error) {
      failed = true;
      print(`FAIL  ${name}  (${Math.round(performance.now() - started)} ms)  ${(error as Error).message}`);
      return false;
    }
  };
  const arrives = (who: Party, what: string, test: (event: ServerEvent) => boolean) =>
    eventually(() => who.events.find(test), `${who.username}: ${what}`, timeoutMs);

  let rest: Message | undefined;
  let framed: Message | undefined;
  const steps = async () => {
    if (
      !(await step("register two throwaway users", async () => {
        for (const who of [alice, bob]) {
          await who.client.register({ username: who.username, email: `${who.username}@example.com`, password: PASSWORD });
          who.registered = true;
        }
        return `${alice.username}, ${bob.username}`;
      }))
    )
      return;
    if (!(await step("log in both", async () => void (await Promise.all([alice, bob].map((w) => w.client.login({ username: w.username, password: PASSWORD }))))))) return;
    if (
      !(await step("bob's socket subscribes to alice's presence", async () => {
        const aliceId = alice.client.user.id;
        bob.client.realtime.subscribePresence([aliceId]);
        await bob.client.realtime.connect();
        // The snapshot answers the subscription: from then on alice's changes reach bob.
        const snapshot = await arrives(bob, "presence.snapshot", (e) => e.type === "presence.snapshot");
        const status = snapshot.type === "presence.snapshot" ? snapshot.data.users[0]?.status : undefined;
        if (status !== "offline") throw new Error(`alice is ${status} before her first socket`);
      }))
    )
      return;
    if (
      !(await step("alice connects and bob sees her online", async () => {
        await alice.client.realtime.connect();
        await arrives(bob, "alice online", (e) => e.type === "presence" && e.data.user_id === alice.client.user.id && e.data.status === "online");
      }))
    )
      return;
    await step("a message over REST reaches the other socket", async () => {
      rest = await alice.client.messages.send({ recipient_id: bob.client.user.id, content: `hello over REST ${run}` });
      await arrives(bob, "message.created", (e) => e.type === "message.created" && e.data.id === rest?.id);
    });
    await step("a message over the WebSocket reaches the other socket", async () => {
      framed = await bob.client.realtime.sendMessage({ recipient_id: alice.client.user.id, content: `hello over the socket ${run}` });
      await arrives(alice, "message.created", (e) => e.type === "message.created" && e.data.id === framed?.id);
    });
    await step("history holds both, newest first", async () => {
      const page = await alice.client.messages.history({ userId: bob.client.user.id });
      const ids = page.items.map((m) => m.id);
      if (ids[0] !== framed?.id || ids[1] !== rest?.id) throw new Error(`history is [${ids.join(", ")}]`);
    });
    await step("an attachment round trip through S3", async () => {
      const bytes = new TextEncoder().encode(`smoke ${run}\n`);
      const attachmentId = await alice.client.attachments.upload({ fileName: "smoke.txt", contentType: "text/plain", bytes });
      const message = await alice.client.messages.send({
        recipient_id: bob.client.user.id,
        content: "",
        message_type: "file",
        attachment_ids: [attachmentId],
      });
      const url = message.attachments?.[0]?.download_url;
      if (!url) throw new Error("the message carries no download_url");
      const downloaded = await bob.client.attachments.download(url);
      if (new TextDecoder().decode(downloaded) !== new TextDecoder().decode(bytes)) throw new Error("the bytes differ");
      return `${bytes.byteLength} bytes`;
    });
  };

  try {
    await steps();
  } finally {
    for (const who of [alice, bob]) who.client.realtime.disconnect();
    const registered = [alice, bob].filter((who) => who.registered);
    if (registered.length > 0) {
      await step(`delete the ${registered.length} throwaway users`, async () => {
        for (const who of registered) {
          if (!who.client.session.current) await who.client.login({ username: who.username, password: PASSWORD });
          await who.client.users.deleteMe({ currentPassword: PASSWORD });
        }
      });
    }
    for (const who of [alice, bob]) who.client.close();
  }
  print(failed ? "smoke: FAILED" : "smoke: all steps passed");
  return !failed;
}

async function eventually<T>(find: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
