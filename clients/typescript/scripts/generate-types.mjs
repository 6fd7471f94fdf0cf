// Writes the library's wire types from the service's own documents, which the Rust types
// generate (`cargo run -p e2e --bin openapi`): docs/openapi.json through openapi-typescript,
// docs/asyncapi.yaml's schemas through json-schema-to-typescript.
//
//   node scripts/generate-types.mjs          rewrite src/generated/
//   node scripts/generate-types.mjs --check  exit 1 when a committed file differs from what the
//                                            documents generate (run by `npm run typecheck`)
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import { compile } from "json-schema-to-typescript";
import { parse as parseYaml } from "yaml";

const docs = new URL("../../../docs/", import.meta.url);
const generated = new URL("../src/generated/", import.meta.url);

const banner = (source, generator) =>
  `// Generated from docs/${source} by ${generator} (scripts/generate-types.mjs); do not edit.\n` +
  `// Regenerate with \`npm run generate\` after \`cargo run -p e2e --bin openapi\`.\n`;

export async function generateRest() {
  const ast = await openapiTS(new URL("openapi.json", docs));
  return banner("openapi.json", "openapi-typescript") + "\n" + astToString(ast);
}

// The AsyncAPI document keeps each frame's JSON Schema under components: its schemas and its
// messages' payloads. They become one JSON Schema document whose definitions are compiled
// together, so that a frame's type refers to the same `Message` as every other frame's.
export async function generateEvents() {
  const asyncapi = parseYaml(await readFile(new URL("asyncapi.yaml", docs), "utf8"));
  const { schemas, messages } = asyncapi.components;
  const definitions = { ...schemas };
  for (const [name, message] of Object.entries(messages)) {
    definitions[frameTypeName(name)] = message.payload;
  }
  const document = JSON.parse(
    JSON.stringify({ title: "WebSocketFrames", definitions }).replaceAll(
      "#/components/schemas/",
      "#/definitions/",
    ),
  );
  const ts = await compile(document, "WebSocketFrames", {
    bannerComment: "",
    unreachableDefinitions: true,
    additionalProperties: false,
    declareExternallyReferenced: true,
    // Bounds stay checks of the service: as tuple types they would be unreadable.
    maxItems: -1,
    format: true,
  });
  return banner("asyncapi.yaml", "json-schema-to-typescript") + "\n" + ts;
}

// "action.sendMessage" -> "ActionSendMessageFrame", "message.created" -> "MessageCreatedFrame".
function frameTypeName(messageName) {
  const words = messageName.split(/[._]/).map((w) => w[0].toUpperCase() + w.slice(1));
  return words.join("") + "Frame";
}

export const outputs = {
  "openapi.ts": generateRest,
  "events.ts": generateEvents,
};

async function main() {
  const check = process.argv.includes("--check");
  let stale = [];
  for (const [file, generate] of Object.entries(outputs)) {
    const target = new URL(file, generated);
    const fresh = await generate();
    if (check) {
      const committed = await readFile(target, "utf8").catch(() => "");
      if (committed !== fresh) stale.push(fileURLToPath(target));
    } else {
      await writeFile(target, fresh);
      console.log(`wrote ${fileURLToPath(target)}`);
    }
  }
  if (stale.length > 0) {
    console.error(
      `generated types out of date with docs/openapi.json or docs/asyncapi.yaml:\n  ${stale.join("\n  ")}\n` +
        "run `npm run generate` in clients/typescript and commit the result",
    );
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
