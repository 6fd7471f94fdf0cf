// A real 429 waited out. It needs the template's default limits, so infra/test.sh runs it on
// its default-limits stack (`npm run test:limits`), not with the main suite (limits x1000).
import assert from "node:assert/strict";
import { test } from "node:test";
import { countingFetch, newUser } from "../stack.mjs";

test("a send over the per-user write limit waits out Retry-After and goes through", async () => {
  const fetch = countingFetch();
  const alice = await newUser("rl_a", { fetch });
  const bob = await newUser("rl_b");
  // docs/limits.md: 30 writes per 10 s per user; the 31st in a window is 429 with Retry-After.
  const started = Date.now();
  const sent = [];
  for (let i = 0; i < 31; i++) {
    sent.push(await alice.client.messages.send({ recipient_id: bob.user.id, content: `message ${i}` }));
  }
  assert.ok(fetch.statuses.includes(429), `the limit was reached: ${fetch.statuses.join(" ")}`);
  const refused = fetch.statuses.filter((status) => status === 429).length;
  assert.equal(fetch.count("POST /messages"), 31 + refused, "each refused send was sent again");
  assert.ok(Date.now() - started < 30_000, "waited one window, not more");
  const history = await bob.client.messages.history({ userId: alice.user.id }, { limit: 100 });
  assert.deepEqual(
    history.items.map((m) => m.id).reverse(),
    sent.map((m) => m.id),
    "every message stored once, in order",
  );
  alice.client.close();
  bob.client.close();
});
