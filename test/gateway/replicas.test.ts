import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex, PublicClient } from "viem";
import { createGateway, type Gateway } from "../../gateway/createGateway.js";
import { hashApiKey } from "../../gateway/hashApiKey.js";
import { openGatewayStore } from "../../gateway/store/openGatewayStore.js";
import { startPostgres, type TestPostgres } from "../indexer/helpers/stores.js";
import { checkChain, type AcceptedOrder } from "./helpers/checkChain.js";
import { deployOnAnvil } from "./helpers/deployOnAnvil.js";
import { startAnvil, type Anvil } from "./helpers/startAnvil.js";
import { startGatewayCli, type GatewayProcess } from "./helpers/startGatewayCli.js";

let anvil: Anvil;
let pg: TestPostgres;
let databaseUrl: string;
let env: Awaited<ReturnType<typeof deployOnAnvil>>;
let dir: string;
let batch: Hex;
const CLIENTS = 8;
const keyOf = (c: number) => `kt_replica_client_${c}_${"r".repeat(24)}`;

type Answer = AcceptedOrder & { status: string };
type Health = { signing: boolean; inFlight: number; queued: number; nextNonce: number };

async function health(gw: GatewayProcess): Promise<Health> {
  return (await (await fetch(`${gw.url}/v1/health`)).json()) as Health;
}

async function post(url: string, client: number, body: Record<string, unknown>) {
  const res = await fetch(`${url}/v1/orders`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${keyOf(client)}` },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as Answer;
  if (res.status !== 202 && res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(answer)}`);
  return { status: res.status, answer };
}

beforeAll(async () => {
  anvil = await startAnvil({ blockTime: 1 });
  env = await deployOnAnvil(anvil.url, [{ label: "replicas", count: 20_000n }]);
  batch = env.batchIds[0]!;
  pg = await startPostgres();
  databaseUrl = await pg.createDatabase("replicas");
  dir = mkdtempSync(join(tmpdir(), "keytrail-replicas-"));
  const store = await openGatewayStore({ databaseUrl });
  for (let c = 0; c < CLIENTS; c++)
    await store.query("INSERT INTO gw_clients (id, key_hash, scopes) VALUES ($1, $2, 'orders:write,orders:read')", [
      `shop${c}`,
      hashApiKey(keyOf(c)),
    ]);
  await store.close();
});

afterAll(async () => {
  await anvil?.stop();
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("keytrail gateway: two replicas on one PostgreSQL (anvil, 1 s blocks)", () => {
  it("both accept under concurrent load, one signs; no key twice, every order once; the standby takes over after kill -9", async () => {
    const args = (name: string) => [
      "--rpc",
      anvil.url,
      "--ledger",
      env.ledger,
      "--account",
      "1",
      "--port",
      "0",
      "--window-ms",
      "100",
      "--poll-ms",
      "200",
      "--lease-ms",
      "2000",
      "--replica-id",
      name,
    ];
    const a = await startGatewayCli(args("replica-a"), { cwd: dir, env: { DATABASE_URL: databaseUrl } });
    const b = await startGatewayCli(args("replica-b"), { cwd: dir, env: { DATABASE_URL: databaseUrl } });
    try {
      expect((await health(a)).signing).toBe(true); // the first to start holds the lease
      expect((await health(b)).signing).toBe(false);

      type Sent = { client: number; body: Record<string, unknown>; answer?: Answer };
      const sent: Sent[] = [];
      const twins: { first: number; second: number; same: boolean }[] = [];
      let aAlive = true;
      let n = 0;
      let cut = 0;
      const stopAt = Date.now() + 5_000;
      const killAt = 2_000;
      await Promise.all([
        ...Array.from({ length: 16 }, async () => {
          while (Date.now() < stopAt) {
            const i = n++;
            const s: Sent = {
              client: i % CLIENTS,
              body:
                i % 6 === 5
                  ? {
                      orderReference: `R${i}`,
                      kind: "transfer",
                      batchId: batch,
                      quantity: 1,
                      to: env.distributor.address,
                    }
                  : { orderReference: `R${i}`, kind: "sale", batchId: batch, quantity: 1 + (i % 3) },
            };
            sent.push(s);
            const target = aAlive && i % 2 === 0 ? a : b;
            try {
              if (i % 7 === 0 && aAlive) {
                // the same order posted to both replicas at once: one accepts it, the other answers it
                const [x, y] = await Promise.allSettled([post(a.url, s.client, s.body), post(b.url, s.client, s.body)]);
                if (x.status === "fulfilled" && y.status === "fulfilled") {
                  twins.push({
                    first: x.value.status,
                    second: y.value.status,
                    same:
                      JSON.stringify(x.value.answer.keys) === JSON.stringify(y.value.answer.keys) &&
                      JSON.stringify(x.value.answer.indices) === JSON.stringify(y.value.answer.indices),
                  });
                }
                const got = x.status === "fulfilled" ? x.value : y.status === "fulfilled" ? y.value : null;
                if (got) s.answer = got.answer;
                else cut++;
              } else s.answer = (await post(target.url, s.client, s.body)).answer;
            } catch {
              cut++; // the replica died under the request: ambiguous, repeated below on the survivor
            }
          }
        }),
        new Promise<void>((r) =>
          setTimeout(() => {
            aAlive = false;
            a.child.kill("SIGKILL");
            r();
          }, killAt),
        ),
      ]);
      // clients repeat what they could not confirm, same reference and body, on the survivor
      for (const s of sent.filter((x) => !x.answer)) {
        try {
          s.answer = (await post(b.url, s.client, s.body)).answer;
        } catch (e) {
          throw new Error(`${String(e)}\n${b.output().slice(-3000)}`);
        }
      }

      const deadline = Date.now() + 90_000;
      let answers: Answer[] = [];
      for (;;) {
        answers = await Promise.all(
          sent.map(async (s) => {
            const res = await fetch(`${b.url}/v1/orders/${s.body.orderReference as string}`, {
              headers: { authorization: `Bearer ${keyOf(s.client)}` },
            });
            return (await res.json()) as Answer;
          }),
        );
        if (answers.every((x) => x.status === "confirmed")) break;
        if (Date.now() > deadline)
          throw new Error(
            `not settled: ${JSON.stringify(answers.filter((x) => x.status !== "confirmed").slice(0, 3))}\n` +
              `${JSON.stringify(await health(b))}\n${b.output().slice(-3000)}`,
          );
        await new Promise((r) => setTimeout(r, 300));
      }
      for (const [i, x] of answers.entries()) {
        expect(x.indices).toEqual(sent[i]!.answer!.indices);
        expect(x.keys).toEqual(sent[i]!.answer!.keys);
      }
      // the same order posted to both replicas at once: created once, both answers name the same keys
      expect(twins.length).toBeGreaterThan(0);
      for (const t of twins) {
        expect([t.first, t.second].sort()).toEqual([200, 202]);
        expect(t.same).toBe(true);
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
      const store = await openGatewayStore({ databaseUrl });
      const [rows] = await store.query<{ orders: number; allocations: number }>(
        "SELECT (SELECT count(*) FROM gw_orders)::int AS orders, (SELECT count(*) FROM gw_allocations)::int AS allocations",
      );
      await store.close();
      expect(rows).toEqual({ orders: sent.length, allocations: all.length });
      // the survivor signs now, with no nonce gap and nothing left in flight
      const hb = await health(b);
      const chainNonce = await env.publicClient.getTransactionCount({
        address: env.supplier.address,
        blockTag: "latest",
      });
      expect(hb.signing).toBe(true);
      expect(hb.inFlight).toBe(0);
      expect(hb.nextNonce).toBe(chainNonce);
      expect(b.output()).toMatch(/replica replica-b: holds the signing lease .*takes the outbox over/);
      console.log(
        `replicas: ${sent.length} orders accepted (${cut} cut by kill -9 and repeated, ${twins.length} posted to both), ` +
          `${check.recorded} keys recorded in ${check.transactions} transactions, duplicates 0, gaps 0`,
      );
    } finally {
      a.child.kill("SIGKILL");
      b.child.kill("SIGKILL");
    }
  });

  it("a key taken by an order still checking its recipient is swapped, not inserted twice (no 500)", async () => {
    // replica b's recipient check (an RPC read of the batch) is held open while replica a sells the
    // same lowest free keys: both pools start alike, so b's transfer holds keys a has just recorded
    const url = await pg.createDatabase("replicas_window");
    const storeA = await openGatewayStore({ databaseUrl: url });
    const storeB = await openGatewayStore({ databaseUrl: url });
    let hold: Promise<void> | null = null;
    let holding: () => void = () => undefined;
    const slow = {
      ...env.publicClient,
      readContract: async (args: Parameters<PublicClient["readContract"]>[0]) => {
        if (hold && args.functionName === "batchOf") {
          holding();
          await hold;
        }
        return env.publicClient.readContract(args);
      },
    } as PublicClient;
    const common = { account: env.supplier, ledger: env.ledger, windowMs: 100, pollMs: 200, leaseMs: 2_000 };
    const gateways: Gateway[] = [];
    try {
      const a = await createGateway({ ...common, store: storeA, publicClient: env.publicClient, replicaId: "wa" });
      gateways.push(a);
      const b = await createGateway({ ...common, store: storeB, publicClient: slow, replicaId: "wb" });
      gateways.push(b);
      expect(a.stats().signing).toBe(true);
      let release: () => void = () => undefined;
      hold = new Promise<void>((r) => (release = r));
      const held = new Promise<void>((r) => (holding = r));
      const transfer = b.placeOrder("shop1", {
        orderReference: "W-window",
        kind: "transfer",
        batchId: batch,
        quantity: 3,
        to: env.distributor.address,
      });
      await held; // b has taken its keys and waits for the ledger
      const sale = await a.placeOrder("shop0", {
        orderReference: "S-window",
        kind: "sale",
        batchId: batch,
        quantity: 3,
      });
      // b records another order meanwhile: its catch-up passes a's keys while the transfer is out of reach
      const between = await b.placeOrder("shop2", {
        orderReference: "S-between",
        kind: "sale",
        batchId: batch,
        quantity: 3,
      });
      hold = null;
      release();
      const moved = await transfer;
      expect(moved.created).toBe(true);
      const next = await b.placeOrder("shop1", {
        orderReference: "S-after",
        kind: "sale",
        batchId: batch,
        quantity: 3,
      });
      const orders = [sale.answer, between.answer, moved.answer, next.answer];
      const all = orders.flatMap((o) => o.indices);
      expect(all.length).toBe(12);
      expect(new Set(all).size).toBe(12); // no key twice
      const deadline = Date.now() + 60_000;
      for (;;) {
        const states = await Promise.all(
          [
            ["shop0", "S-window"],
            ["shop2", "S-between"],
            ["shop1", "W-window"],
            ["shop1", "S-after"],
          ].map(async ([c, r]) => (await a.getOrder(c!, r!)).status),
        );
        if (states.every((x) => x === "confirmed")) break;
        if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify(states)}`);
        await new Promise((r) => setTimeout(r, 300));
      }
      const check = await checkChain(env.publicClient, env.ledger, env.supplier.address, orders);
      expect(check.duplicates).toEqual([]);
      expect(check.missing).toEqual([]);
      expect(check.recorded).toBeGreaterThanOrEqual(12); // the first test's keys are recorded by the same seller
    } finally {
      for (const g of gateways.reverse()) await g.stop();
      await storeB.close();
      await storeA.close();
    }
  });
});
