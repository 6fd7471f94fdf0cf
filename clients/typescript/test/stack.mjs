// What the tests share: the stack's addresses, fresh users, waiting, the gateway's fault
// switches, a fetch that counts requests, and a network that the test can take down.
import assert from "node:assert/strict";
import { after } from "node:test";
import WebSocket from "ws";
import { ChatClient } from "../dist/index.js";

function required(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run the tests through infra/test.sh, or export it for a running stack`);
  return value;
}

export const API = required("CHAT_API_URL");
export const WS = required("CHAT_WS_URL");
export const PASSWORD = "correct horse battery";

/** Realtime timings for the test stack, whose lease is 10 s (infra/test.sh). */
export const testRealtime = { pingIntervalMs: 3000, reconnectBaseMs: 200, reconnectMaxMs: 1500, connectionCapRetryMs: 1000 };

let counter = 0;
export function uniqueName(prefix = "ts") {
  counter += 1;
  return `${prefix}_${Date.now().toString(36)}_${process.pid.toString(36)}_${counter}`.slice(0, 32);
}

// Every client a test file made is closed when the file ends, passed or failed: a socket left
// reconnecting would keep the file's process, and so the whole run, alive.
const clients = [];
after(() => {
  for (const client of clients) client.close();
});

export function newClient(options = {}) {
  const client = new ChatClient({ apiUrl: API, wsUrl: WS, WebSocket, ...options, realtime: { ...testRealtime, ...options.realtime } });
  clients.push(client);
  return client;
}

/** A registered, logged-in user with its own client. */
export async function newUser(prefix, options = {}) {
  const client = newClient(options);
  const username = uniqueName(prefix);
  await client.register({ username, email: `${username}@example.com`, password: PASSWORD });
  const user = await client.login({ username, password: PASSWORD });
  return { client, user, username };
}

export async function waitFor(condition, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves with the first value of the client's `type` event that passes `filter`. */
export function nextEvent(emitter, type, filter = () => true, timeoutMs = 15_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`no ${type} event in ${timeoutMs} ms`))), timeoutMs);
    const off = emitter.on(type, (value) => {
      if (filter(value)) (clearTimeout(timer), off(), resolve(value));
    });
  });
}

/** The local gateway's fault switches (docs/local-stack.md, "Faults on demand"). */
export const faults = {
  url: () => required("CHAT_FAULTS_URL"),
  async set(settings) {
    const answer = await fetch(this.url(), { method: "PUT", body: JSON.stringify(settings) });
    assert.equal(answer.status, 200, await answer.text());
  },
  async read() {
    return (await fetch(this.url())).json();
  },
  async clear() {
    await fetch(this.url(), { method: "DELETE" });
  },
};

/** A fetch that records each request as "METHOD /path", and each answer's status and time. */
export function countingFetch() {
  const requests = [];
  const statuses = [];
  const answers = [];
  const counted = async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : input);
    requests.push(`${init.method ?? "GET"} ${url.pathname}`);
    const answer = await fetch(input, init);
    statuses.push(answer.status);
    answers.push({ status: answer.status, at: Date.now(), retryAfter: answer.headers.get("retry-after") });
    return answer;
  };
  counted.requests = requests;
  counted.statuses = statuses;
  counted.answers = answers;
  counted.count = (route) => requests.filter((r) => r === route).length;
  return counted;
}

/**
 * A WebSocket class whose network the test controls: `cut()` drops every live socket without
 * a close frame (as a lost network does), and while `offline` new sockets fail to connect.
 */
export function flakyNetwork() {
  const live = new Set();
  const network = { offline: false, opened: 0 };
  network.WebSocket = class extends WebSocket {
    constructor(url) {
      super(network.offline ? "ws://127.0.0.1:9/unreachable" : url);
      if (!network.offline) network.opened += 1;
      live.add(this);
      this.addEventListener("close", () => live.delete(this));
    }
  };
  network.cut = () => {
    for (const socket of live) socket.terminate();
  };
  return network;
}
