import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Card } from "../../gateway/stock/sealCard.js";
import { deployOnAnvil } from "./helpers/deployOnAnvil.js";
import { sealAndAnchor, type SealedBatch } from "./helpers/sealAndAnchor.js";
import { startAnvil, type Anvil } from "./helpers/startAnvil.js";
import { runGatewayCli, startGatewayCli, type GatewayProcess } from "./helpers/startGatewayCli.js";

const KEYTRAIL = join(resolve(dirname(fileURLToPath(import.meta.url)), "../.."), "scripts", "keytrail.mjs");
const SECRETS_KEY = "3c".repeat(32);

let anvil: Anvil;
let env: Awaited<ReturnType<typeof deployOnAnvil>>;
let dir: string;
let sealed: SealedBatch;
let apiKey: string;

/** Runs `keytrail gateway …` to its end with `extra` in the environment; its exit code and output. */
function runCli(args: readonly string[], extra: Record<string, string>) {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("KEYTRAIL_") && !k.startsWith("VITEST") && k !== "NODE_OPTIONS" && k !== "DATABASE_URL")
      base[k] = v;
  return new Promise<{ code: number | null; output: string }>((res) => {
    const child = spawn(process.execPath, [KEYTRAIL, "gateway", ...args], {
      cwd: dir,
      env: { ...base, FORCE_COLOR: "0", ...extra },
    });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    child.on("close", (code) => res({ code, output }));
  });
}

beforeAll(async () => {
  anvil = await startAnvil({ blockTime: 1 });
  env = await deployOnAnvil(anvil.url, []);
  dir = mkdtempSync(join(tmpdir(), "keytrail-delivery-cli-"));
  sealed = await sealAndAnchor({
    url: anvil.url,
    publicClient: env.publicClient,
    ledger: env.ledger,
    dir,
    label: "cli-stock",
    count: 20,
  });
  apiKey = await runGatewayCli(
    ["--add-client", "shop-1", "--scopes", "orders:write,orders:read,keys:deliver", "--data", join(dir, "db")],
    { cwd: dir },
  );
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("keytrail gateway --import-stock, then kill -9 and restart (anvil, 1 s blocks)", () => {
  it("imports through the CLI, delivers, and answers the same secrets after a kill -9", async () => {
    const chain = ["--rpc", anvil.url, "--ledger", env.ledger, "--account", "1"];
    const imported = await runCli(
      [...chain, "--data", join(dir, "db"), "--import-stock", sealed.batchDir, "--keys", sealed.keyFile],
      { KEYTRAIL_GATEWAY_SECRETS_KEY: SECRETS_KEY },
    );
    expect(imported.output).toMatch(/20 row\(s\) \(indices 0 to 19\) checked against the chain; 20 stored encrypted/);
    expect(imported.code).toBe(0);
    const noKey = await runCli([...chain, "--data", join(dir, "db"), "--port", "0"], {});
    expect(noKey.code).not.toBe(0);
    expect(noKey.output).toMatch(/KEYTRAIL_GATEWAY_SECRETS_KEY is not set/);

    const args = [...chain, "--port", "0", "--data", join(dir, "db"), "--window-ms", "100", "--poll-ms", "200"];
    const start = () => startGatewayCli(args, { cwd: dir, env: { KEYTRAIL_GATEWAY_SECRETS_KEY: SECRETS_KEY } });
    const outputs: string[] = [];
    let gw: GatewayProcess = await start();
    const body = { orderReference: "K-1", kind: "sale", batchId: sealed.batchId, quantity: 3, buyer: "u-9" };
    const send = async (url: string) => {
      const res = await fetch(`${url}/v1/orders`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { indices: number[]; cards: Card[]; status: string } };
    };
    const first = await send(gw.url);
    expect(first.status).toBe(202);
    expect(first.body.cards.map((c) => c.pin)).toEqual(first.body.indices.map((i) => sealed.rows[i]!.pin));
    gw.child.kill("SIGKILL");
    await new Promise((r) => gw.child.once("exit", r));
    outputs.push(gw.output());
    gw = await start();
    try {
      const again = await send(gw.url);
      expect(again.status).toBe(200);
      expect(again.body.indices).toEqual(first.body.indices);
      expect(again.body.cards).toEqual(first.body.cards);
      const deadline = Date.now() + 60_000;
      let status = again.body.status;
      while (status === "pending" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 300));
        const res = await fetch(`${gw.url}/v1/orders/K-1`, { headers: { authorization: `Bearer ${apiKey}` } });
        const got = (await res.json()) as { status: string; cards: Card[] };
        expect(got.cards).toEqual(first.body.cards);
        status = got.status;
      }
      expect(status).toBe("confirmed");
    } finally {
      gw.child.kill("SIGTERM");
      await new Promise((r) => gw.child.once("exit", r));
      outputs.push(gw.output());
    }
    const printed = [imported.output, noKey.output, ...outputs].join("\n");
    expect(printed).toContain("stock: 20 card secret(s) in 1 batch(es)");
    for (const c of first.body.cards) {
      expect(printed).not.toContain(c.pin);
      expect(printed).not.toContain(c.salt.slice(2));
    }
    for (const r of sealed.rows) expect(printed).not.toContain(r.pin);
  }, 180_000);
});
