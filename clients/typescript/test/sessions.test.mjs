// Sessions against the local stack: rotation, one refresh in flight, a 401 cured by one
// refresh and one retry, reuse of a refresh token ending the session, refresh ahead of expiry.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ReauthenticationRequiredError,
  SessionEndedError,
  UnauthorizedError,
} from "../dist/index.js";
import { API, PASSWORD, countingFetch, newClient, newUser, nextEvent, waitFor } from "./stack.mjs";

test("a refresh rotates the refresh token and the session goes on", async () => {
  const { client } = await newUser("rot");
  const before = client.session.current;
  const after = await client.refresh();
  // (The access token may be the same string: a JWT of the same session and second.)
  assert.notEqual(after.refreshToken, before.refreshToken);
  assert.ok(after.accessExpiresAt >= before.accessExpiresAt);
  assert.equal((await client.users.me()).id, before.user.id);
  client.close();
});

test("concurrent refreshes and calls share one refresh request", async () => {
  const { client: first, username } = await newUser("race");
  const fetch = countingFetch();
  // The same session in a client whose every call goes through the counting fetch, with its
  // refresh due now: ten callers at once must not present the single-use token twice.
  const client = newClient({ fetch, session: { ...first.session.current, refreshAt: Date.now() } });
  first.close();
  const results = await Promise.all([
    ...Array.from({ length: 5 }, () => client.refresh()),
    ...Array.from({ length: 5 }, () => client.users.me()),
  ]);
  assert.equal(fetch.count("POST /users/refresh"), 1, fetch.requests.join("\n"));
  const tokens = new Set(results.slice(0, 5).map((session) => session.accessToken));
  assert.equal(tokens.size, 1);
  for (const me of results.slice(5)) assert.equal(me.username, username);
  assert.ok(!fetch.statuses.includes(401), "no call met a spent token");
  client.close();
});

test("a 401 triggers one refresh and one retry", async () => {
  const { client: first, username } = await newUser("retry");
  const fetch = countingFetch();
  const stale = { ...first.session.current, accessToken: "not.a.token" };
  first.close();
  const client = newClient({ fetch, session: stale });
  assert.equal((await client.users.me()).username, username);
  assert.deepEqual(fetch.requests, ["GET /users/me", "POST /users/refresh", "GET /users/me"]);
  assert.deepEqual(fetch.statuses, [401, 200, 200]);
  client.close();
});

test("a refresh token presented twice ends the session, for every holder", async () => {
  const { client } = await newUser("reuse");
  const ended = nextEvent(client.realtime, "ended");
  const stolen = client.session.current.refreshToken;
  // Somebody else uses the refresh token first (a stolen copy, or another tab)...
  const theirs = await fetch(`${API}/users/refresh`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ refresh_token: stolen }),
  });
  assert.equal(theirs.status, 200);
  const theirAccess = (await theirs.json()).access_token;
  // ...then the client presents it again: the service ends the whole session.
  await assert.rejects(client.refresh(), SessionEndedError);
  await ended;
  assert.equal(client.session.current, null);
  await assert.rejects(client.users.me(), UnauthorizedError);
  const theirCall = await fetch(`${API}/users/me`, { headers: { authorization: `Bearer ${theirAccess}` } });
  assert.equal(theirCall.status, 401, "the other holder's tokens died with the session");
});

test("the session refreshes ahead of expiry and the socket reconnects with the new token", async () => {
  const { client: first } = await newUser("ahead");
  const changes = [];
  const client = newClient({
    session: { ...first.session.current, refreshAt: Date.now() + 1500 },
    onChange: (session) => changes.push(session),
  });
  first.close();
  const oldToken = client.session.current.refreshToken;
  await client.realtime.connect();
  const reconnected = nextEvent(client.realtime, "connected");
  await waitFor(() => client.session.current.refreshToken !== oldToken, "the refresh ahead of expiry");
  await reconnected;
  assert.ok(changes.some((s) => s?.refreshToken === client.session.current.refreshToken), "onChange saw the new tokens");
  assert.equal((await client.users.me()).id, client.user.id);
  client.close();
});

test("logout ends the session and closes its socket", async () => {
  const { client } = await newUser("logout");
  await client.realtime.connect();
  const token = client.session.current.accessToken;
  const closed = nextEvent(client.realtime, "disconnected");
  await client.logout();
  await closed;
  const answer = await fetch(`${API}/users/me`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(answer.status, 401);
});

test("a password change needs re-authentication, then adopts the new session", async () => {
  const { client, username } = await newUser("reauth");
  await assert.rejects(client.users.updateMe({ password: "a brand new password" }), (error) => {
    assert.ok(error instanceof ReauthenticationRequiredError);
    assert.equal(error.field, "current_password");
    return true;
  });
  const before = client.session.current.accessToken;
  await client.users.updateMe({ password: "a brand new password", current_password: PASSWORD });
  assert.notEqual(client.session.current.accessToken, before);
  assert.equal((await client.users.me()).username, username);
  client.close();
});
