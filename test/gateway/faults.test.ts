import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, http, type Hex, type PublicClient } from "viem";
import { foundry } from "viem/chains";
import type { Store } from "../../indexer/store/types.js";
import { createGatewayApp } from "../../gateway/api/createGatewayApp.js";
import { createGateway, type Gateway } from "../../gateway/createGateway.js";
import { openGatewayStore } from "../../gateway/store/openGatewayStore.js";
import type { OrderAnswer } from "../../gateway/types.js";
import { checkChain } from "./helpers/checkChain.js";
import { deployOnAnvil } from "./helpers/deployOnAnvil.js";
import { startFaultyRpc, type FaultyRpc } from "./helpers/faultyRpc.js";
import { startAnvil, type Anvil } from "./helpers/startAnvil.js";

let anvil: Anvil;
let proxy: FaultyRpc;
let env: Awaited<ReturnType<typeof deployOnAnvil>>;
let batch: Hex;
let store: Store;
let gateway: Gateway;
let app: ReturnType<typeof createGatewayApp>;
const logs: string[] = [];
const API_KEY = `kt_faults_test_${"f".repeat(30)}`;

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

async function order(ref: string, quantity: number, kind: "sale" | "transfer" = "sale") {
  const res = await app.request("/v1/orders", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify(
      kind === "sale"
        ? { orderReference: ref, kind, batchId: batch, quantity }
        : { orderReference: ref, kind, batchId: batch, quantity, to: env.distributor.address },
    ),
  });
  const body = (await res.json()) as OrderAnswer;
  if (res.status !== 202) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}: ${JSON.stringify(gateway.stats())}\n${logs.slice(-30).join("\n")}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

const confirmed = async (refs: string[], timeoutMs?: number) => {
  let all: OrderAnswer[] = [];
  // only the orders not yet seen confirmed are read again (the gateway shares the in-process store),
  // then all of them once more: the answer is one consistent read
  let open = refs;
  try {
    return await until(
      "orders to be confirmed",
      async () => {
        const now = await Promise.all(open.map((r) => gateway.getOrder("shop", r)));
        open = now.filter((a) => a.status !== "confirmed").map((a) => a.orderReference);
        all = now;
        if (open.length > 0) return undefined;
        all = await Promise.all(refs.map((r) => gateway.getOrder("shop", r)));
        open = all.filter((a) => a.status !== "confirmed").map((a) => a.orderReference);
        return open.length === 0 ? all : undefined;
      },
      timeoutMs,
    );
  } catch (e) {
    // which orders did not converge, and where they stand
    const open = all
      .filter((a) => a.status !== "confirmed")
      .map((a) => `${a.orderReference} ${a.kind} ${a.status}${a.reason ? ` (${a.reason})` : ""}`);
    throw new Error(`${(e as Error).message}\nnot confirmed (${open.length}): ${open.slice(0, 20).join("; ")}`);
  }
};

beforeAll(async () => {
  anvil = await startAnvil({ blockTime: 1 });
  env = await deployOnAnvil(anvil.url, [{ label: "faults", count: 20_000n }]);
  batch = env.batchIds[0]!;
  proxy = await startFaultyRpc(anvil.url, { seed: 23, hangMs: 2_500 });
  // no transport retries: every fault reaches the gateway's own loops
  const publicClient = createPublicClient({
    chain: foundry,
    transport: http(proxy.url, { retryCount: 0, timeout: 1_000 }),
    pollingInterval: 200,
  }) as PublicClient;
  store = await openGatewayStore({ dataDir: null });
  gateway = await createGateway({
    store,
    publicClient,
    account: env.supplier,
    ledger: env.ledger,
    windowMs: 100,
    pollMs: 200,
    stuckBlocks: 3,
    log: (l) => logs.push(l),
  });
  await gateway.addClient("shop", API_KEY, ["orders:write", "orders:read"]);
  app = createGatewayApp(gateway);
});

afterAll(async () => {
  await gateway?.stop();
  await store?.close();
  await proxy?.close();
  await anvil?.stop();
});

describe("gateway under RPC faults and reorgs (anvil, 1 s blocks)", () => {
  it("converges through dropped connections, 429/500, time-outs and transactions the node never sees: every order once", async () => {
    proxy.set({ drop: 0.08, tooMany: 0.08, serverError: 0.08, timeout: 0.04, swallowTx: 0.35 });
    const placed: OrderAnswer[] = [];
    let n = 0;
    const stopAt = Date.now() + 6_000;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (Date.now() < stopAt) {
          const i = n++;
          placed.push(await order(`F${i}`, 1 + (i % 3), i % 5 === 4 ? "transfer" : "sale"));
          await new Promise((r) => setTimeout(r, 20));
        }
      }),
    );
    const done = await confirmed(
      placed.map((p) => p.orderReference),
      240_000,
    );
    expect(done.map((d) => d.indices)).toEqual(placed.map((p) => p.indices));
    const faults = { ...proxy.counts };
    proxy.set({});
    const check = await checkChain(env.publicClient, env.ledger, env.supplier.address, placed);
    expect(check.duplicates).toEqual([]);
    expect(check.missing).toEqual([]);
    expect(check.strays).toEqual([]);
    const keys = placed.reduce((k, p) => k + p.indices.length, 0);
    expect(check.recorded).toBe(keys);
    // every fault kind struck, and a swallowed transaction was replaced (same nonce, higher fees)
    for (const k of ["drop", "tooMany", "serverError", "timeout", "swallowTx"] as const)
      expect(faults[k], k).toBeGreaterThan(0);
    expect(logs.some((l) => /not mined after \d+ blocks: replaced/.test(l))).toBe(true);
    // no nonce gap: nothing in flight, the outbox's next nonce is the chain's
    await until("the outbox to drain", async () => (gateway.stats().inFlight === 0 ? true : undefined));
    const chainNonce = await env.publicClient.getTransactionCount({ address: env.supplier.address });
    expect(gateway.stats().nextNonce).toBe(chainNonce);
    console.log(
      `RPC faults: ${placed.length} orders accepted, ${keys} keys recorded once in ${check.transactions} transactions ` +
        `(faults: ${faults.drop} dropped, ${faults.tooMany} x 429, ${faults.serverError} x 500, ` +
        `${faults.timeout} timed out, ${faults.swallowTx} transactions swallowed; ${faults.forwarded} forwarded), ` +
        `duplicates 0, gaps 0`,
    );
  }, 300_000); // converging through the faults is slow on a loaded machine

  it("sends again a mined batch a reorg drops (same nonce), and records it once", async () => {
    proxy.set({});
    const placed = await Promise.all(Array.from({ length: 12 }, (_, i) => order(`ORG${i}`, 2)));
    const first = await confirmed(placed.map((p) => p.orderReference));
    const hashes = [...new Set(first.map((f) => f.txHash!))];
    const lowest = Math.min(...first.map((f) => f.blockNumber!));
    await rpc("evm_setIntervalMining", [0]); // no block in between: the depth below is exact
    const head = Number(await rpc("eth_blockNumber"));
    // replace every block from the batch's on: its transaction(s) are gone from the chain and the pool
    await rpc("anvil_reorg", [head - lowest + 1, []]);
    await rpc("evm_setIntervalMining", [1]);
    for (const h of hashes) expect(await rpc("eth_getTransactionReceipt", [h])).toBeNull();
    await until("the reorg to be seen", async () =>
      logs.some((l) => /no longer on chain \(reorg\): sent again/.test(l)) ? true : undefined,
    );
    const again = await confirmed(placed.map((p) => p.orderReference));
    for (const [i, a] of again.entries()) {
      expect(a.indices).toEqual(placed[i]!.indices);
      const r = (await rpc("eth_getTransactionReceipt", [a.txHash])) as { blockNumber: Hex; status: Hex } | null;
      expect(r?.status).toBe("0x1");
      expect(Number(r!.blockNumber)).toBe(a.blockNumber);
    }
    const check = await checkChain(env.publicClient, env.ledger, env.supplier.address, placed);
    expect(check.duplicates).toEqual([]);
    expect(check.missing).toEqual([]);
    await until("the outbox to drain", async () => (gateway.stats().inFlight === 0 ? true : undefined));
    const chainNonce = await env.publicClient.getTransactionCount({ address: env.supplier.address });
    expect(gateway.stats().nextNonce).toBe(chainNonce);
  });

  it("a window whose sale fails to sign (RPC fault) sends its transfers again too: none is left out", async () => {
    // only eth_blockNumber fails: once the head poll has failed the head is unknown, and signing the
    // sale reads it and fails before anything is stored
    proxy.set({ serverError: 1, methods: ["eth_blockNumber"] });
    const from = logs.length;
    await until("the head poll to fail", async () =>
      logs.slice(from).some((l) => /^head poll: HTTP request failed/.test(l)) ? true : undefined,
    );
    const placed = await Promise.all([order("WIN-S", 2), order("WIN-T", 1, "transfer")]);
    await until("a signing failure", async () =>
      logs.slice(from).some((l) => /^signer loop: HTTP request failed/.test(l)) ? true : undefined,
    );
    proxy.set({});
    const done = await confirmed(
      placed.map((p) => p.orderReference),
      60_000,
    );
    expect(done.map((d) => d.indices)).toEqual(placed.map((p) => p.indices));
    const check = await checkChain(env.publicClient, env.ledger, env.supplier.address, placed);
    expect(check.duplicates).toEqual([]);
    expect(check.missing).toEqual([]);
    await until("the outbox to drain", async () => (gateway.stats().inFlight === 0 ? true : undefined));
    const chainNonce = await env.publicClient.getTransactionCount({ address: env.supplier.address });
    expect(gateway.stats().nextNonce).toBe(chainNonce);
  });
});
