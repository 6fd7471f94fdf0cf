// The committed wire types are what the generators make of docs/openapi.json and
// docs/asyncapi.yaml today: a document changed without `npm run generate` fails here.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { outputs } from "../scripts/generate-types.mjs";

for (const [file, generate] of Object.entries(outputs)) {
  test(`src/generated/${file} is what the documents generate`, async () => {
    const committed = await readFile(new URL(`../src/generated/${file}`, import.meta.url), "utf8");
    assert.ok(committed === (await generate()), `src/generated/${file} is stale: run \`npm run generate\``);
  });
}
