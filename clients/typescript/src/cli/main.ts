#!/usr/bin/env node
// `chat-client smoke --api URL --ws URL`: the smoke check of a deployment (see smoke.ts).
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import type { WebSocketConstructor } from "../realtime/socket.js";
import { smoke } from "./smoke.js";

const USAGE = `usage: chat-client smoke --api <HttpApiUrl> --ws <WebSocketUrl> [--timeout-ms 15000]
  (defaults: $CHAT_API_URL and $CHAT_WS_URL)`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      api: { type: "string", default: process.env.CHAT_API_URL },
      ws: { type: "string", default: process.env.CHAT_WS_URL },
      "timeout-ms": { type: "string", default: "15000" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || positionals[0] !== "smoke" || !values.api || !values.ws) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const WebSocketImpl = await findWebSocket();
  if (!WebSocketImpl) return rerunWithWebSocket();
  const passed = await smoke({
    apiUrl: values.api,
    wsUrl: values.ws,
    WebSocket: WebSocketImpl,
    timeoutMs: Number(values["timeout-ms"]),
  });
  return passed ? 0 : 1;
}

/** The platform's WebSocket (Node 22+, or 20 with a flag), else the `ws` package where present. */
async function findWebSocket(): Promise<WebSocketConstructor | undefined> {
  const builtIn = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (builtIn) return builtIn;
  try {
    const name = "ws"; // not a dependency: used when the project around has it
    return ((await import(name)) as { default: WebSocketConstructor }).default;
  } catch {
    return undefined;
  }
}

/** Node 20 has a WebSocket behind `--experimental-websocket`: run once more with it. */
function rerunWithWebSocket(): number {
  if (process.env.CHAT_CLIENT_RERUN) {
    console.error("no WebSocket in this Node: use Node 22 or later, or install the `ws` package");
    return 2;
  }
  const rerun = spawnSync(process.execPath, ["--experimental-websocket", ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, CHAT_CLIENT_RERUN: "1" },
  });
  return rerun.status ?? 1;
}

process.exitCode = await main();
