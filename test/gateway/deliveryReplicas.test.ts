import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../indexer/store/types.js";
import { createGatewayApp } from "../../gateway/api/createGatewayApp.js";
import { createGateway, type Gateway } from "../../gateway/createGateway.js";
import { openGatewayStore } from "../../gateway/store/openGatewayStore.js";
import { importStock } from "../../gateway/stock/importStock.js";
import { openStock } from "../../gateway/stock/openStock.js";
import type { Card } from "../../gateway/stock/sealCard.js";
import { startPostgres, type TestPostgres } from "../indexer/helpers/stores.js";
import { deployOnAnvil } from "./helpers/deployOnAnvil.js";
import { sealAndAnchor, type SealedBatch } from "./helpers/sealAndAnchor.js";
import { startAnvil, type Anvil } from "./helpers/startAnvil.js";

const SECRETS_KEY = "5a".repeat(32);
const API_KEY = "kt_delivery_replicas_client_key_00000000000";
const COUNT = 40;

let anvil: Anvil;
let pg: TestPostgres;
let env: Awaited<ReturnType<typeof deployOnAnvil>>;
let dir: string;
let sealed: SealedBatch;
const replicas: { store: Store; gateway: Gateway; app: ReturnType<typeof createGatewayApp> }[] = [];

type Answer = { status: string; indices: number[]; cards?: Card[]; reason: string | null; error?: { code: string } };

async function call(r: number, method: string, path: string, body?: unknown) {
  const res = await replicas[r]!.app.request(path, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${API_KEY}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Answer };
}

beforeAll(async () => {
  anvil = await startAnvil({ blockTime: 1 });
  env = await deployOnAnvil(anvil.url, []);
  dir = await mkdtemp(join(tmpdir(), "keytrail-delivery-pg-"));
  sealed = await sealAndAnchor({
    url: anvil.url,
    publicClient: env.publicClient,
    ledger: env.ledger,
    dir,
    label: "pg-stock",
    count: COUNT,
  });
  pg = await startPostgres();
  const databaseUrl = await pg.createDatabase("delivery");
  const setup = await openGatewayStore({ databaseUrl });
  const r = await importStock({
    store: setup,
    publicClient: env.publicClient,
    ledger: env.ledger,
    account: env.supplier.address,
    batchDir: sealed.batchDir,
    keyFile: sealed.keyFile,
    secretsKey: SECRETS_KEY,
  });
  expect(r.stored).toBe(COUNT);
  await setup.close();
  for (const name of ["replica-a", "replica-b"]) {
    const store = await openGatewayStore({ databaseUrl });
    const stock = await openStock({ store, account: env.supplier.address, secretsKey: SECRETS_KEY });
    const gateway = await createGateway({
      store,
      publicClient: env.publicClient,
      account: env.supplier,
      ledger: env.ledger,
      windowMs: 100,
      pollMs: 200,
      leaseMs: 2_000,
      replicaId: name,
      secretsKey: SECRETS_KEY,
      stock,
    });
    if (replicas.length === 0)
      await gateway.addClient("shop-a", API_KEY, ["orders:write", "orders:read", "keys:deliver"]);
    replicas.push({ store, gateway, app: createGatewayApp(gateway, { stock }) });
  }
}, 180_000);

afterAll(async () => {
  for (const r of replicas) {
    await r.gateway.stop();
    await r.store.close();
  }
  await pg?.stop();
  await anvil?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("delivering keys with two replicas on one PostgreSQL (anvil, 1 s blocks)", () => {
  it("never hands one card out twice; a failed order's cards stay burnt across replicas", async () => {
    const bodies = Array.from({ length: 30 }, (_, n) => ({
      orderReference: `R-${n}`,
      kind: "sale",
      batchId: sealed.batchId,
      quantity: 1,
    }));
    const both = { orderReference: "BOTH-1", kind: "sale", batchId: sealed.batchId, quantity: 2 };
    const answers = await Promise.all([
      ...bodies.map((b, n) => call(n % 2, "POST", "/v1/orders", b)),
      call(0, "POST", "/v1/orders", both),
      call(1, "POST", "/v1/orders", both),
    ]);
    expect(answers.every((a) => a.status === 202 || a.status === 200)).toBe(true);
    const [x, y] = answers.slice(-2);
    expect(x!.body.cards).toEqual(y!.body.cards); // one order, created by one replica, the same cards from both
    const cards = answers.slice(0, -1).flatMap((a) => a.body.cards!);
    expect(cards).toHaveLength(32);
    expect(new Set(cards.map((c) => c.index)).size).toBe(32); // no card twice
    for (const c of cards) expect(c.pin).toBe(sealed.rows[c.index]!.pin);

    // a transfer the ledger refuses, accepted by the standby or the signer: its 3 keys are burnt
    const t = await call(1, "POST", "/v1/orders", {
      orderReference: "W-1",
      kind: "transfer",
      batchId: sealed.batchId,
      quantity: 3,
      to: "0x000000000000000000000000000000000000dEaD",
    });
    expect(t.status).toBe(202);
    const deadline = Date.now() + 60_000;
    let failed = t.body;
    while (failed.status === "pending" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      failed = (await call(0, "GET", "/v1/orders/W-1")).body;
    }
    expect(failed.status).toBe("failed");
    expect(failed.reason).toMatch(/its 3 key\(s\) were delivered and are quarantined/);
    // what is left (40 - 32 - 3 = 5) goes out, never a burnt key; then nothing, on either replica
    const rest = await call(0, "POST", "/v1/orders", { ...both, orderReference: "REST", quantity: 5 });
    expect(rest.status).toBe(202);
    expect(rest.body.indices.some((i) => t.body.indices.includes(i))).toBe(false);
    for (const r of [0, 1]) {
      const none = await call(r, "POST", "/v1/orders", { ...both, orderReference: `NONE-${r}`, quantity: 1 });
      expect(none.status).toBe(409);
      expect(none.body.error?.code).toBe("INSUFFICIENT_KEYS");
    }
  }, 180_000);
});
