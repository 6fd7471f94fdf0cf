// Every REST operation of the library against the local stack: its happy path and one of the
// contract's errors, as the typed value a caller branches on.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ChatApiError,
  ConflictError,
  ForbiddenError,
  LimitExceededError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
  sha256Base64,
} from "../dist/index.js";
import { PASSWORD, newClient, newUser, uniqueName } from "./stack.mjs";

/** Asserts that `promise` rejects with an error of `type`, `code` and (for 422) `field`. */
async function rejectsWith(promise, type, code, field) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof type, `${error} is not a ${type.name}`);
    assert.ok(error instanceof ChatApiError);
    assert.equal(error.code, code);
    if (field !== undefined) assert.equal(error.field, field);
    return true;
  });
}

test("users: register, login, profile, status, lookup, list, search, delete", async () => {
  const { client, username, user } = await newUser("ops");
  await rejectsWith(
    client.register({ username, email: `${uniqueName()}@example.com`, password: PASSWORD }),
    ConflictError,
    "username_taken",
  );
  await rejectsWith(client.register({ username: uniqueName(), email: "no-at-sign", password: PASSWORD }), ValidationError, "validation_error", "email");
  await rejectsWith(newClient().login({ username, password: "wrong password" }), UnauthorizedError, "invalid_credentials");

  assert.equal((await client.users.me()).id, user.id);
  assert.equal((await client.users.updateMe({ display_name: "Ada L." })).display_name, "Ada L.");
  await rejectsWith(client.users.updateMe({ bio: "x".repeat(501) }), ValidationError, "validation_error", "bio");
  assert.equal((await client.users.setStatus("busy")).id, user.id);
  await rejectsWith(client.users.setStatus("asleep"), ValidationError, "validation_error", "status");
  assert.equal((await client.users.get(user.id)).username, username);
  await rejectsWith(client.users.get("no-such-user"), NotFoundError, "not_found");
  assert.ok((await client.users.list({ limit: 2 })).items.length > 0);
  await rejectsWith(client.users.list({ limit: 0 }), ValidationError, "validation_error", "limit");
  assert.deepEqual((await client.users.search(username)).map((u) => u.id), [user.id]);
  await rejectsWith(client.users.search(""), ValidationError, "validation_error", "q");

  await rejectsWith(client.users.deleteMe({ currentPassword: "wrong password" }), ForbiddenError, "forbidden");
  await client.users.deleteMe({ currentPassword: PASSWORD });
  await rejectsWith(newClient().login({ username, password: PASSWORD }), UnauthorizedError, "invalid_credentials");
});

test("chats: create (keyed), list, get, add and remove members", async () => {
  const alice = await newUser("chat_a");
  const bob = await newUser("chat_b");
  const carol = await newUser("chat_c");
  const key = uniqueName("key");
  const chat = await alice.client.chats.create({ name: "Engines", member_ids: [bob.user.id] }, { idempotencyKey: key });
  const again = await alice.client.chats.create({ name: "Engines", member_ids: [bob.user.id] }, { idempotencyKey: key });
  assert.equal(again.id, chat.id, "a retried create with its key creates nothing new");
  await rejectsWith(
    alice.client.chats.create({ name: "Other", member_ids: [] }, { idempotencyKey: key }),
    ValidationError,
    "validation_error",
    "Idempotency-Key",
  );
  assert.ok((await bob.client.chats.list()).items.some((c) => c.id === chat.id));
  await rejectsWith(bob.client.chats.list({ cursor: "forged" }), ValidationError, "validation_error", "cursor");
  assert.equal((await bob.client.chats.get(chat.id)).name, "Engines");
  await rejectsWith(carol.client.chats.get(chat.id), NotFoundError, "not_found");

  await rejectsWith(carol.client.chats.addMember(chat.id, carol.user.id), ForbiddenError, "forbidden");
  const added = await bob.client.chats.addMember(chat.id, carol.user.id);
  assert.ok(added.members.includes(carol.user.id));
  await rejectsWith(bob.client.chats.removeMember(chat.id, alice.user.id), ForbiddenError, "forbidden");
  const removal = uniqueName("key");
  const removed = await alice.client.chats.removeMember(chat.id, carol.user.id, { idempotencyKey: removal });
  assert.ok(!removed.members.includes(carol.user.id));
  const replayed = await alice.client.chats.removeMember(chat.id, carol.user.id, { idempotencyKey: removal });
  assert.deepEqual(replayed.members, removed.members, "a retried removal answers what the first did");
  for (const { client } of [alice, bob, carol]) client.close();
});

test("messages: send (retried once), get, edit, react, read, history, inbox, delete", async () => {
  const alice = await newUser("msg_a");
  const bob = await newUser("msg_b");
  const sent = await alice.client.messages.send({ recipient_id: bob.user.id, content: "Hello, Bob", client_message_id: "hello-1" });
  const retried = await alice.client.messages.send({ recipient_id: bob.user.id, content: "Hello, Bob", client_message_id: "hello-1" });
  assert.equal(retried.id, sent.id, "the same client_message_id never makes a second message");
  await rejectsWith(alice.client.messages.send({ recipient_id: "nobody-here", content: "hi" }), NotFoundError, "not_found");

  assert.equal((await bob.client.messages.get(sent.id)).content, "Hello, Bob");
  await rejectsWith(bob.client.messages.get(`${sent.id}x`), NotFoundError, "not_found");
  const edited = await alice.client.messages.edit(sent.id, "Hello again, Bob");
  assert.ok(edited.edited_at);
  await rejectsWith(bob.client.messages.edit(sent.id, "not mine"), ForbiddenError, "forbidden");
  const reacted = await bob.client.messages.addReaction(sent.id, "👍");
  assert.deepEqual(reacted.reactions["👍"], [bob.user.id]);
  await rejectsWith(bob.client.messages.addReaction(sent.id, "not an emoji"), ValidationError, "validation_error", "emoji");
  assert.deepEqual((await bob.client.messages.removeReaction(sent.id, "👍")).reactions, {});
  await rejectsWith(bob.client.messages.removeReaction(sent.id, "not an emoji"), ValidationError, "validation_error", "emoji");
  const read = await bob.client.messages.markRead(sent.id);
  assert.ok(read.read_by.includes(bob.user.id));
  await rejectsWith(bob.client.messages.markRead(`${sent.id}x`), NotFoundError, "not_found");

  const history = await bob.client.messages.history({ userId: alice.user.id });
  assert.deepEqual(history.items.map((m) => m.id), [sent.id]);
  const changes = await bob.client.messages.history({ userId: alice.user.id }, { afterSeq: sent.seq });
  // Four changes since the send (edit, reaction, its removal, the read mark): one message,
  // once, in its latest state.
  assert.deepEqual(changes.items.map((m) => [m.id, m.updated_seq]), [[sent.id, read.updated_seq]]);
  await rejectsWith(bob.client.messages.history({ userId: alice.user.id }, { limit: 101 }), ValidationError, "validation_error", "limit");
  const inbox = await bob.client.messages.inbox();
  assert.equal(inbox.items[0].last_message.id, sent.id);
  await rejectsWith(bob.client.messages.inbox({ limit: 0 }), ValidationError, "validation_error", "limit");

  const chat = await alice.client.chats.create({ name: "Reactions", member_ids: [bob.user.id] });
  const inChat = await alice.client.messages.send({ chat_id: chat.id, content: "react to me" });
  assert.equal((await bob.client.messages.history({ chatId: chat.id })).items[0].id, inChat.id);
  const outsider = await newUser("msg_c");
  await rejectsWith(outsider.client.messages.history({ chatId: chat.id }), NotFoundError, "not_found");
  await rejectsWith(outsider.client.messages.send({ chat_id: chat.id, content: "let me in" }), ForbiddenError, "forbidden");
  for (let i = 0; i < 50; i++) await bob.client.messages.addReaction(inChat.id, `:e${i}:`);
  await rejectsWith(bob.client.messages.addReaction(inChat.id, ":one_too_many:"), LimitExceededError, "limit_exceeded");

  await rejectsWith(bob.client.messages.delete(sent.id), ForbiddenError, "forbidden");
  await alice.client.messages.delete(sent.id);
  assert.equal((await bob.client.messages.get(sent.id)).deleted, true);
  await rejectsWith(alice.client.messages.edit(sent.id, "too late"), ConflictError, "conflict");
  alice.client.close();
  bob.client.close();
});

test("attachments: upload, send with it, download the same bytes", async () => {
  const alice = await newUser("att_a");
  const bob = await newUser("att_b");
  const bytes = new TextEncoder().encode(`report ${uniqueName()}\n`);
  const attachmentId = await alice.client.attachments.upload({ fileName: "report.txt", contentType: "text/plain", bytes });
  const message = await alice.client.messages.send({
    recipient_id: bob.user.id,
    content: "the report",
    message_type: "file",
    attachment_ids: [attachmentId],
  });
  assert.equal(message.attachments[0].attachment_id, attachmentId);
  const url = await bob.client.attachments.downloadUrl(attachmentId);
  const carol = await newUser("att_c");
  await rejectsWith(carol.client.attachments.downloadUrl(attachmentId), NotFoundError, "not_found");
  assert.deepEqual(await bob.client.attachments.download(url), bytes);
  assert.deepEqual(await bob.client.attachments.download(message.attachments[0].download_url), bytes);
  await rejectsWith(
    alice.client.attachments.requestUpload({
      file_name: "x.exe",
      content_type: "application/x-msdownload",
      size_bytes: 3,
      checksum_sha256: await sha256Base64(new Uint8Array([1, 2, 3])),
    }),
    ValidationError,
    "validation_error",
    "content_type",
  );
  alice.client.close();
  bob.client.close();
});
