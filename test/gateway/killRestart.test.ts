import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { hashApiKey } from "../../gateway/hashApiKey.js";
import { openGatewayStore } from "../../gateway/store/openGatewayStore.js";
import { prng } from "../../scripts/util/prng.js";
import { checkChain, type AcceptedOrder } from "./helpers/checkChain.js";
import { deployOnAnvil } from "./helpers/deployOnAnvil.js";
import { startAnvil, type Anvil } from "./helpers/startAnvil.js";
import { runGatewayCli, startGatewayCli, type GatewayProcess } from "./helpers/startGatewayCli.js";

let anvil: Anvil;
let env: Awaited<ReturnType<typeof deployOnAnvil>>;
let dir: string;
let batch: Hex;
const CLIENTS = 10;
const keys: string[] = [];

/**
 * fetch that repeats a request cut by the network (a reset keep-alive connection), as the
 * integration guide tells clients to: the order reference makes a repeated POST safe.
 */
async function fetchRetrying(url: string, init: RequestInit, attempts = 5): Promise<Response> {
  for (let i = 1; ; i++) {
    try {
      return await fetch(url, init);
    } catch (e) {
      if (i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, 100 * i));
    }
  }
}

type Sent = { client: number; body: Record<string, unknown>; answer?: AcceptedOrder & { status: string } };

beforeAll(async () => {
  anvil = await startAnvil({ blockTime: 1 });
  env = await deployOnAnvil(anvil.url, [{ label: "chaos", count: 20_000n }]);
  batch = env.batchIds[0]!;
  dir = mkdtempSync(join(tmpdir(), "keytrail-gateway-"));
  keys.push(await runGatewayCli(["--add-client", "shop0", "--data", join(dir, "db")], { cwd: dir }));
  expect(keys[0]).toMatch(/^kt_[A-Za-z0-9_-]{43}$/);
  const store = await openGatewayStore({ dataDir: join(dir, "db") });
  for (let c = 1; c < CLIENTS; c++) {
    keys.push(`kt_chaos_client_${c}_${"k".repeat(24)}`);
    await store.query("INSERT INTO gw_clients (id, key_hash, scopes) VALUES ($1, $2, 'orders:write,orders:read')", [
      `shop${c}`,
      hashApiKey(keys[c]!),
    ]);
  }
  await store.close();
});

afterAll(async () => {
  await anvil?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("keytrail gateway: kill -9 mid-burst and restart (anvil, 1 s blocks)", () => {
  it("records every accepted order exactly once, no key twice, no nonce gap, answers consistent", async () => {
    const args = ["--rpc", anvil.url, "--ledger", env.ledger, "--account", "1", "--port", "0"];
    const start = () =>
      startGatewayCli([...args, "--data", join(dir, "db"), "--window-ms", "100", "--poll-ms", "200"], { cwd: dir });
    const random = prng(14);
    const sent: Sent[] = [];
    let gw: GatewayProcess = await start();
    const send = async (s: Sent, url: string, attempts = 5) => {
      const res = await fetchRetrying(
        `${url}/v1/orders`,
        {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${keys[s.client]}` },
          body: JSON.stringify(s.body),
        },
        attempts,
      );
      const body = (await res.json()) as AcceptedOrder & { status: string };
      if (res.status !== 202 && res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(body)}`);
      return body;
    };
    let n = 0;
    const kills: { accepted: number; ambiguous: number }[] = [];
    for (let round = 0; round < 3; round++) {
      const url = gw.url;
      const killAt = 300 + Math.floor(random() * 1500);
      const stopAt = Date.now() + killAt;
      let ambiguous = 0;
      let accepted = 0;
      // 20 concurrent clients post orders back to back until the gateway dies under them
      await Promise.all([
        ...Array.from({ length: 20 }, async () => {
          while (Date.now() < stopAt + 200 || accepted === 0) {
            const i = n++;
            const s: Sent = {
              client: i % CLIENTS,
              body:
                i % 5 === 4
                  ? {
                      orderReference: `K${i}`,
                      kind: "transfer",
                      batchId: batch,
                      quantity: 1,
                      to: env.distributor.address,
                    }
                  : { orderReference: `K${i}`, kind: "sale", batchId: batch, quantity: 1 + (i % 3) },
            };
            sent.push(s);
            try {
              s.answer = await send(s, url, 1); // a cut connection is not repeated here: it is ambiguous
              accepted++;
            } catch {
              ambiguous++; // connection cut: the order may or may not be in the outbox
              return;
            }
          }
        }),
        // killed at the seeded time, but never before this round has accepted an order (on a loaded
        // machine the first answers can take longer than the seeded delay)
        new Promise<void>((r) => {
          const tick = setInterval(() => {
            if (Date.now() < stopAt || accepted === 0) return;
            clearInterval(tick);
            gw.child.kill("SIGKILL");
            r();
          }, 10);
        }),
      ]);
      await new Promise<void>((r) =>
        gw.child.exitCode !== null || gw.child.signalCode ? r() : gw.child.once("exit", () => r()),
      );
      kills.push({ accepted, ambiguous });
      gw = await start();
      // clients retry what they could not confirm, with the same reference and body
      for (const s of sent.filter((x) => !x.answer)) s.answer = await send(s, gw.url);
    }
    // every order settles after the last restart
    const deadline = Date.now() + 90_000;
    for (;;) {
      const answers = await Promise.all(
        sent.map(async (s) => {
          const res = await fetchRetrying(`${gw.url}/v1/orders/${s.body.orderReference as string}`, {
            headers: { authorization: `Bearer ${keys[s.client]}` },
          });
          return (await res.json()) as AcceptedOrder & { status: string };
        }),
      );
      if (answers.every((a) => a.status === "confirmed")) {
        // answered consistently: the same keys (and receipt secrets) as first answered
        for (const [i, a] of answers.entries()) {
          expect(a.indices).toEqual(sent[i]!.answer!.indices);
          expect(a.keys).toEqual(sent[i]!.answer!.keys);
        }
        break;
      }
      if (Date.now() > deadline)
        throw new Error(
          `not settled: ${JSON.stringify(answers.filter((a) => a.status !== "confirmed").slice(0, 3))}\n${gw.output()}`,
        );
      await new Promise((r) => setTimeout(r, 300));
    }
    const all = sent.flatMap((s) => s.answer!.indices);
    expect(new Set(all).size).toBe(all.length);
    const check = await checkChain(
      env.publicClient,
      env.ledger,
      env.supplier.address,
      sent.map((s) => s.answer!),
    );
    expect(check.duplicates).toEqual([]);
    expect(check.missing).toEqual([]);
    expect(check.strays).toEqual([]);
    expect(check.recorded).toBe(all.length);
    // no nonce gap: the outbox's next nonce is the chain's, nothing left in flight
    const health = (await (await fetch(`${gw.url}/v1/health`)).json()) as { nextNonce: number; inFlight: number };
    const chainNonce = await env.publicClient.getTransactionCount({
      address: env.supplier.address,
      blockTag: "latest",
    });
    const pending = await env.publicClient.getTransactionCount({ address: env.supplier.address, blockTag: "pending" });
    expect(health.inFlight).toBe(0);
    expect(health.nextNonce).toBe(chainNonce);
    expect(pending).toBe(chainNonce);
    gw.child.kill("SIGKILL");
    expect(kills.every((k) => k.accepted > 0)).toBe(true);
    console.log(
      `kill -9 x3: ${sent.length} orders accepted (${kills.map((k) => `${k.accepted} + ${k.ambiguous} cut`).join(", ")}), ` +
        `${check.recorded} keys recorded in ${check.transactions} transactions, duplicates 0, gaps 0`,
    );
  });
});
