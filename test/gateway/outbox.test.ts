import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { createGatewayApp } from "../../gateway/api/createGatewayApp.js";
import { createGateway, type Gateway } from "../../gateway/createGateway.js";
import { openGatewayStore } from "../../gateway/store/openGatewayStore.js";
import type { OrderAnswer } from "../../gateway/types.js";
import { startPostgres, type TestPostgres } from "../indexer/helpers/stores.js";
import { checkChain } from "./helpers/checkChain.js";
import { deployOnAnvil } from "./helpers/deployOnAnvil.js";
import { startAnvil, type Anvil } from "./helpers/startAnvil.js";

let anvil: Anvil;
let env: Awaited<ReturnType<typeof deployOnAnvil>>;
let batch: Hex;
const API_KEY = `kt_outbox_test_${"o".repeat(30)}`;

async function rpc(method: string, params: unknown[] = []): Promise<unknown> {
  const r = await fetch(anvil.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const j = (await r.json()) as { result?: unknown; error?: { message: string } };
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function order(gateway: Gateway, ref: string, quantity = 1) {
  const app = createGatewayApp(gateway);
  const res = await app.request("/v1/orders", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify({ orderReference: ref, kind: "sale", batchId: batch, quantity }),
  });
  return { status: res.status, body: (await res.json()) as OrderAnswer };
}

const settled = (gateway: Gateway, refs: string[]) =>
  until("orders to settle", async () => {
    const all = await Promise.all(refs.map((r) => gateway.getOrder("shop", r)));
    return all.every((a) => a.status !== "pending") ? all : undefined;
  });

beforeAll(async () => {
  anvil = await startAnvil({ blockTime: 1 });
  env = await deployOnAnvil(anvil.url, [{ label: "outbox", count: 1_000n }]);
  batch = env.batchIds[0]!;
});

afterAll(async () => {
  await anvil?.stop();
});

describe("gateway outbox", () => {
  it("replaces a transaction the node dropped with a >= 10% fee bump after a few blocks; recorded once", async () => {
    const store = await openGatewayStore({ dataDir: null });
    const logs: string[] = [];
    const gateway = await createGateway({
      store,
      publicClient: env.publicClient,
      account: env.supplier,
      ledger: env.ledger,
      windowMs: 50,
      pollMs: 100,
      stuckBlocks: 3,
      log: (l) => logs.push(l),
    });
    try {
      await gateway.addClient("shop", API_KEY, ["orders:write", "orders:read"]);
      await rpc("evm_setIntervalMining", [0]); // the node stops mining
      await rpc("evm_setAutomine", [false]);
      const placed = await order(gateway, "DROP-1", 3);
      expect(placed.status).toBe(202);
      const [first] = await until("the signed transaction", async () => {
        const rows = await store.query<{ hash: Hex; max_fee: string; priority_fee: string }>(
          "SELECT hash, max_fee, priority_fee FROM gw_txs",
        );
        return rows.length ? rows : undefined;
      });
      expect(await rpc("eth_getTransactionByHash", [first!.hash])).not.toBeNull();
      await rpc("anvil_dropTransaction", [first!.hash]); // the node forgets it: it will never be mined
      expect(await rpc("eth_getTransactionByHash", [first!.hash])).toBeNull();
      await rpc("anvil_mine", ["0x4"]); // blocks go by without it
      const rows = await until("the replacement", async () => {
        const r = await store.query<{ hash: Hex; nonce: number; max_fee: string; priority_fee: string }>(
          "SELECT hash, nonce, max_fee, priority_fee FROM gw_txs ORDER BY max_fee::numeric",
        );
        return r.length === 2 ? r : undefined;
      });
      expect(rows[0]!.nonce).toBe(rows[1]!.nonce);
      expect(BigInt(rows[1]!.max_fee) * 10n).toBeGreaterThanOrEqual(BigInt(rows[0]!.max_fee) * 11n);
      expect(BigInt(rows[1]!.priority_fee) * 10n).toBeGreaterThanOrEqual(BigInt(rows[0]!.priority_fee) * 11n);
      await rpc("evm_setIntervalMining", [1]);
      const [done] = await settled(gateway, ["DROP-1"]);
      expect(done!.status).toBe("confirmed");
      expect(done!.txHash).toBe(rows[1]!.hash);
      const statuses = await store.query<{ hash: Hex; status: string }>("SELECT hash, status FROM gw_txs");
      expect(Object.fromEntries(statuses.map((s) => [s.hash, s.status]))).toEqual({
        [rows[0]!.hash]: "replaced",
        [rows[1]!.hash]: "mined",
      });
      const check = await checkChain(env.publicClient, env.ledger, env.supplier.address, [placed.body]);
      expect(check).toMatchObject({ duplicates: [], missing: [], strays: [], recorded: 3, transactions: 1 });
      expect(logs.some((l) => /not mined after \d+ blocks: replaced/.test(l))).toBe(true);
    } finally {
      await rpc("evm_setIntervalMining", [1]).catch(() => undefined);
      await gateway.stop();
      await store.close();
    }
  });

  it("encrypts receipt secrets at rest with a key from the environment (AES-256-GCM, bound to the order)", async () => {
    const secretsKey = "11".repeat(32);
    const store = await openGatewayStore({ dataDir: null });
    const start = () =>
      createGateway({
        store,
        publicClient: env.publicClient,
        account: env.supplier,
        ledger: env.ledger,
        secretsKey,
        windowMs: 50,
        pollMs: 100,
      });
    let gateway = await start();
    await gateway.addClient("shop", API_KEY, ["orders:write", "orders:read"]);
    await gateway.stop(); // nothing is sent: the order waits in the outbox for the next start
    const placed = await gateway.placeOrder("shop", {
      orderReference: "ENC-1",
      kind: "sale",
      batchId: batch,
      quantity: 2,
    });
    const stored = await store.query<{ idx: number; secret: string }>(
      "SELECT idx, secret FROM gw_secrets WHERE ref = 'ENC-1'",
    );
    expect(stored).toHaveLength(2);
    for (const row of stored) {
      expect(row.secret).toMatch(/^v1:[A-Za-z0-9_-]+$/);
      for (const k of placed.answer.keys) expect(row.secret).not.toContain(k.receiptSecret.slice(2));
    }
    // a sealed secret moved to another key's row does not open
    await store.query("UPDATE gw_secrets SET secret = $1 WHERE ref = 'ENC-1' AND idx = $2", [
      stored[0]!.secret,
      stored[1]!.idx,
    ]);
    await expect(gateway.getOrder("shop", "ENC-1")).rejects.toThrow(/does not open with the configured key/);
    await store.query("UPDATE gw_secrets SET secret = $1 WHERE ref = 'ENC-1' AND idx = $2", [
      stored[1]!.secret,
      stored[1]!.idx,
    ]);
    // without the key the gateway refuses to start on encrypted secrets it must re-send
    await expect(
      createGateway({ store, publicClient: env.publicClient, account: env.supplier, ledger: env.ledger }),
    ).rejects.toThrow(/KEYTRAIL_GATEWAY_SECRETS_KEY/);
    // with the key, the restarted gateway opens them, sells with the right commitments and answers them
    gateway = await start();
    const [done] = await settled(gateway, ["ENC-1"]);
    expect(done!.status).toBe("confirmed");
    expect(done!.keys).toEqual(placed.answer.keys);
    const check = await checkChain(env.publicClient, env.ledger, env.supplier.address, [placed.answer]);
    expect(check.missing).toEqual([]);
    await gateway.stop();
    await store.close();
  });

  describe("on PostgreSQL (DATABASE_URL)", () => {
    let pg: TestPostgres;
    beforeAll(async () => {
      pg = await startPostgres();
    });
    afterAll(async () => {
      await pg?.stop();
    });

    it("keeps orders, allocations and secrets across a restart: repeats answer the first keys, new orders get new keys", async () => {
      const url = await pg.createDatabase("gateway");
      const open = async () => {
        const store = await openGatewayStore({ databaseUrl: url });
        const gateway = await createGateway({
          store,
          publicClient: env.publicClient,
          account: env.supplier,
          ledger: env.ledger,
          windowMs: 50,
          pollMs: 100,
        });
        return { store, gateway };
      };
      let { store, gateway } = await open();
      expect(store.info.kind).toBe("postgres");
      await gateway.addClient("shop", API_KEY, ["orders:write", "orders:read"]);
      const refs = Array.from({ length: 30 }, (_, i) => `PG-${i}`);
      const first = await Promise.all(refs.map((r) => order(gateway, r, 2)));
      expect(first.map((f) => f.status)).toEqual(refs.map(() => 202));
      const keysBefore = first.flatMap((f) => f.body.indices);
      expect(new Set(keysBefore).size).toBe(60);
      await gateway.stop(); // stopped before the orders settle: the outbox carries them over
      await store.close();

      ({ store, gateway } = await open());
      const again = await Promise.all(refs.map((r) => order(gateway, r, 2)));
      for (const [i, a] of again.entries()) {
        expect(a.status).toBe(200);
        expect(a.body.indices).toEqual(first[i]!.body.indices);
        expect(a.body.keys).toEqual(first[i]!.body.keys);
      }
      const fresh = await order(gateway, "PG-new", 5);
      expect(fresh.status).toBe(202);
      expect(fresh.body.indices.filter((i) => keysBefore.includes(i))).toEqual([]);
      const done = await settled(gateway, [...refs, "PG-new"]);
      expect(done.map((d) => d.status)).toEqual(done.map(() => "confirmed"));
      const sold = await checkChain(env.publicClient, env.ledger, env.supplier.address, [
        ...first.map((f) => f.body),
        fresh.body,
      ]);
      expect(sold.duplicates).toEqual([]);
      expect(sold.missing).toEqual([]);
      await gateway.stop();
      await store.close();
    });
  });
});
