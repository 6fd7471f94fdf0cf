// A real 429 waited out. It needs the template's default limits, so infra/test.sh runs it on
// its default-limits stack (`npm run test:limits`), not with the main suite (limits x1000).
import assert from "node:assert/strict";
import { test } from "node:test";
import { countingFetch, newUser } from "../stack.mjs";

test("a send over the per-user write limit waits out Retry-After and goes through, once", async () => {
  const fetch = countingFetch();
  const alice = await newUser("rl_a", { fetch });
  const bob = await newUser("rl_b");
  // docs/limits.md: 30 writes per 10 s per user, in fixed windows. Four senders at once reach
  // it within a second; each stops once a send has been refused (and then waited out).
  const sent = [];
  const refusedYet = () => fetch.statuses.includes(429);
  const sender = async (lane) => {
    for (let i = 0; i < 40 && !refusedYet(); i++) {
      sent.push(await alice.client.messages.send({ recipient_id: bob.user.id, content: `lane ${lane} message ${i}` }));
    }
  };
  await Promise.all([0, 1, 2, 3].map(sender));
  const refused = fetch.statuses.filter((status) => status === 429).length;
  assert.ok(refused > 0, `the limit was reached: ${fetch.statuses.join(" ")}`);
  assert.equal(fetch.count("POST /messages"), sent.length + refused, "each refused send was sent again");
  const firstRefusal = fetch.answers.find((answer) => answer.status === 429);
  assert.ok(Number(firstRefusal.retryAfter) >= 1, `Retry-After: ${firstRefusal.retryAfter}`);
  assert.ok(
    Date.now() >= firstRefusal.at + Number(firstRefusal.retryAfter) * 1000,
    "the refused send waited what Retry-After asked before it went through",
  );
  const stored = [];
  for (let cursor; ; ) {
    const page = await bob.client.messages.history({ userId: alice.user.id }, { limit: 100, cursor });
    stored.push(...page.items.map((m) => m.id));
    if (!(cursor = page.next_cursor)) break;
  }
  assert.deepEqual(stored.sort(), sent.map((m) => m.id).sort(), "every message stored once");
  alice.client.close();
  bob.client.close();
});
