// The smoke command as a deployment's operator runs it: the bin, its lines and its exit code.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { API, WS } from "./stack.mjs";

const bin = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const smoke = (...args) => spawnSync(process.execPath, [bin, "smoke", ...args], { encoding: "utf8", timeout: 60_000 });

test("the smoke command passes every step against the stack", () => {
  const run = smoke("--api", API, "--ws", WS);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const lines = run.stdout.trim().split("\n");
  assert.equal(lines.length, 10, run.stdout);
  for (const line of lines.slice(0, -1)) assert.match(line, /^PASS {2}.+ {2}\(\d+ ms\)/);
  assert.equal(lines.at(-1), "smoke: all steps passed");
});

test("the smoke command fails, non-zero, against an address where nothing answers", () => {
  const run = smoke("--api", "http://127.0.0.1:9", "--ws", "ws://127.0.0.1:9/ws");
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /^FAIL {2}register two throwaway users/m);
  assert.match(run.stdout, /smoke: FAILED$/m);
});
