// The WebSocket side against the local stack: catch-up after a reconnect, a socket cut without
// a close frame by the gateway's fault switch, presence renewed on each socket, sends over the
// socket, and the cap of connections.
import assert from "node:assert/strict";
import { test } from "node:test";
import WebSocket from "ws";
import { LimitExceededError } from "../dist/index.js";
import { WS, countingFetch, faults, flakyNetwork, newClient, newUser, nextEvent, waitFor } from "./stack.mjs";

/** Every update's number is above the one before: in order, and nothing twice. */
function assertStrictlyIncreasing(updates) {
  for (let i = 1; i < updates.length; i++) {
    assert.ok(updates[i].seq > updates[i - 1].seq, `update ${i} (${updates[i].seq}) after ${updates[i - 1].seq}`);
  }
}

test("a reconnect recovers exactly the 50 messages, 5 edits and 5 reactions it missed, in order", async () => {
  const alice = await newUser("rc_a");
  const network = flakyNetwork();
  const bob = await newUser("rc_b", { WebSocket: network.WebSocket });
  const chat = await alice.client.chats.create({ name: "catch-up", member_ids: [bob.user.id] });
  await alice.client.messages.send({ chat_id: chat.id, content: "before bob listens" });

  const updates = [];
  const following = bob.client.realtime.follow({ chatId: chat.id }, { onUpdate: (update) => updates.push(update) });
  await bob.client.realtime.connect();
  await waitFor(() => updates.length === 1, "the history before the socket");
  const live = await alice.client.messages.send({ chat_id: chat.id, content: "live" });
  await waitFor(() => updates.length === 2, "the live message");
  assert.deepEqual(updates.map((u) => u.source), ["catch-up", "live"]);
  assert.equal(updates[1].message.id, live.id);

  // Bob's network goes: the socket is dropped without a close frame and cannot come back.
  network.offline = true;
  const lost = nextEvent(bob.client.realtime, "disconnected");
  network.cut();
  assert.equal((await lost).code, 1006);

  const sent = [];
  for (let i = 0; i < 50; i++) sent.push(await alice.client.messages.send({ chat_id: chat.id, content: `missed ${i}` }));
  const changes = [...sent];
  for (let i = 0; i < 5; i++) changes.push(await alice.client.messages.edit(sent[i].id, `missed ${i}, edited`));
  for (let i = 5; i < 10; i++) changes.push(await alice.client.messages.addReaction(sent[i].id, "👍"));

  // Each message once, in the state of its last change, in the order of those changes.
  const latest = new Map(changes.map((message) => [message.id, message]));
  const expected = [...latest.values()].sort((a, b) => a.updated_seq - b.updated_seq);
  const head = expected.at(-1).updated_seq;
  assert.equal(latest.size, 50);

  const before = updates.length;
  network.offline = false;
  await waitFor(() => following.position() === head, "the catch-up after the reconnect", 30_000);
  await new Promise((resolve) => setTimeout(resolve, 500)); // room for anything delivered twice
  const recovered = updates.slice(before);
  assert.deepEqual(
    recovered.map((u) => [u.message.id, u.seq]),
    expected.map((m) => [m.id, m.updated_seq]),
  );
  assert.deepEqual(recovered.map((u) => u.message.content), expected.map((m) => m.content));
  for (let i = 0; i < 5; i++) assert.equal(latest.get(sent[i].id).content, `missed ${i}, edited`);
  for (let i = 5; i < 10; i++) {
    const update = recovered.find((u) => u.message.id === sent[i].id);
    assert.deepEqual(update.message.reactions, { "👍": [alice.user.id] });
  }
  assertStrictlyIncreasing(updates);

  const after = await alice.client.messages.send({ chat_id: chat.id, content: "after" });
  await waitFor(() => following.position() === after.updated_seq, "live events after the catch-up");
  assert.equal(updates.at(-1).source, "live");
  alice.client.close();
  bob.client.close();
});

test("a socket the gateway cuts without a close frame is replaced, and nothing is lost", async () => {
  const alice = await newUser("cut_a");
  const bob = await newUser("cut_b");
  const updates = [];
  const following = bob.client.realtime.follow({ userId: alice.user.id }, { onUpdate: (u) => updates.push(u) });
  // Only the socket accepted while the switch is on is cut; its replacement is not.
  await faults.set({ sockets: { drop_every: 1, after_ms: 1500 } });
  try {
    await bob.client.realtime.connect();
  } finally {
    await faults.clear();
  }
  // Listening before the cut: the replacement may open within milliseconds of it.
  const cut = nextEvent(bob.client.realtime, "disconnected");
  const replaced = nextEvent(bob.client.realtime, "connected");
  assert.equal((await cut).code, 1006, "no close frame");
  const whileDown = await alice.client.messages.send({ recipient_id: bob.user.id, content: "while the socket was down" });
  await replaced;
  const after = await alice.client.messages.send({ recipient_id: bob.user.id, content: "after the reconnect" });
  await waitFor(() => following.position() === after.updated_seq, "both messages");
  assert.deepEqual(updates.map((u) => u.message.id), [whileDown.id, after.id]);
  alice.client.close();
  bob.client.close();
});

test("presence subscriptions are renewed on every new socket", async () => {
  const network = flakyNetwork();
  const bob = await newUser("pres_b", { WebSocket: network.WebSocket });
  const carol = await newUser("pres_c");
  bob.client.realtime.subscribePresence([carol.user.id]);
  const snapshot = (event) => event.type === "presence.snapshot";
  const first = nextEvent(bob.client.realtime, "event", snapshot);
  await bob.client.realtime.connect();
  assert.deepEqual((await first).data.users.map((u) => [u.user_id, u.status]), [[carol.user.id, "offline"]]);

  const renewed = nextEvent(bob.client.realtime, "event", snapshot);
  network.cut();
  await renewed;
  const online = nextEvent(bob.client.realtime, "event", (e) => e.type === "presence" && e.data.user_id === carol.user.id);
  await carol.client.realtime.connect();
  assert.equal((await online).data.status, "online");
  bob.client.close();
  carol.client.close();
});

test("a send over the socket answers from message.sent, and over REST when the socket is down", async () => {
  const alice = await newUser("ws_a");
  const fetch = countingFetch();
  const bob = await newUser("ws_b", { fetch });
  await bob.client.realtime.connect();
  const framed = await bob.client.realtime.sendMessage({ recipient_id: alice.user.id, content: "over the socket" });
  assert.equal(framed.content, "over the socket");
  assert.equal(fetch.count("POST /messages"), 0);
  bob.client.realtime.disconnect();
  const posted = await bob.client.realtime.sendMessage({ recipient_id: alice.user.id, content: "over REST" });
  assert.equal(fetch.count("POST /messages"), 1);
  const history = await alice.client.messages.history({ userId: bob.user.id });
  assert.deepEqual(history.items.map((m) => m.id), [posted.id, framed.id]);
  alice.client.close();
  bob.client.close();
});

test("at the cap of connections the client reports limit_exceeded and gets in once one closes", async (t) => {
  const { client, user } = await newUser("cap");
  const token = client.session.current.accessToken;
  const others = await Promise.all(
    Array.from({ length: 20 }, () => {
      const socket = new WebSocket(`${WS}?token=${token}`);
      return new Promise((resolve, reject) => (socket.once("open", () => resolve(socket)), socket.once("error", reject)));
    }),
  );
  t.after(() => others.forEach((socket) => socket.terminate()));
  const refused = nextEvent(client.realtime, "error", (error) => error instanceof LimitExceededError);
  const connected = client.realtime.connect();
  await refused;
  assert.equal(client.realtime.connected, false);
  others.pop().close();
  await connected;
  assert.equal((await client.users.me()).id, user.id);
});

test("without a WebSocket class (Node 20's has none), connect() rejects and says what to pass", async () => {
  const { client } = await newUser("nows", { WebSocket: null });
  const reported = nextEvent(client.realtime, "error");
  await assert.rejects(client.realtime.connect(), /pass one as the `WebSocket` option/);
  assert.match((await reported).message, /WebSocket/);
  client.close();
});
