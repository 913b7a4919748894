import { createServer, type Server } from "node:http";
import { cp, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { computeCommitment } from "../../lib/commit/computeCommitment.js";
import { encodeKeyBytes } from "../../lib/keys/encodeKeyBytes.js";
import type { Store } from "../../indexer/store/types.js";
import { createGatewayApp } from "../../gateway/api/createGatewayApp.js";
import { createGateway, type Gateway } from "../../gateway/createGateway.js";
import { GatewayConfigError } from "../../gateway/errors.js";
import { openGatewayStore } from "../../gateway/store/openGatewayStore.js";
import { importStock } from "../../gateway/stock/importStock.js";
import { StockImportError } from "../../gateway/stock/errors.js";
import { openStock, type Stock } from "../../gateway/stock/openStock.js";
import type { Card } from "../../gateway/stock/sealCard.js";
import { deployOnAnvil } from "./helpers/deployOnAnvil.js";
import { sealAndAnchor, type SealedBatch } from "./helpers/sealAndAnchor.js";
import { startAnvil, type Anvil } from "./helpers/startAnvil.js";

const SECRETS_KEY = "7f".repeat(32);
const WRONG_KEY = "80".repeat(32);
const KEY = {
  a: "kt_delivery_test_client_a_key_0000000000000",
  b: "kt_delivery_test_client_b_key_0000000000000",
  plain: "kt_delivery_test_client_plain_key_000000000",
};
const STOCKED = 30; // of the 40 sealed keys, only the first 30 are imported

let anvil: Anvil;
let env: Awaited<ReturnType<typeof deployOnAnvil>>;
let dir: string;
let dataDir: string;
let sealed: SealedBatch;
let plainBatch: Hex;
let store: Store;
let stock: Stock;
let gateway: Gateway;
let app: ReturnType<typeof createGatewayApp>;
let hooks: Server;
let hookUrl: string;
const hookBodies: string[] = [];
const logs: string[] = [];
const answers: string[] = []; // every HTTP body the tests received (error messages included)

async function call(method: string, path: string, apiKey: string, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  answers.push(text);
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown> & { cards?: Card[] } };
}
const post = (body: unknown, apiKey = KEY.a) => call("POST", "/v1/orders", apiKey, body);
const get = (ref: string, apiKey = KEY.a) => call("GET", `/v1/orders/${encodeURIComponent(ref)}`, apiKey);

async function settled(ref: string, apiKey = KEY.a, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await get(ref, apiKey);
    if (a.body.status !== "pending") return a.body;
    if (Date.now() > deadline) throw new Error(`order ${ref} still pending after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function start(): Promise<void> {
  store = await openGatewayStore({ dataDir });
  stock = await openStock({ store, account: env.supplier.address, secretsKey: SECRETS_KEY });
  gateway = await createGateway({
    store,
    publicClient: env.publicClient,
    account: env.supplier,
    ledger: env.ledger,
    windowMs: 100,
    pollMs: 200,
    secretsKey: SECRETS_KEY,
    webhookRetryMs: 200,
    log: (l) => logs.push(l),
    stock,
  });
  app = createGatewayApp(gateway, { stock, log: (l) => logs.push(l) });
}

async function stop(): Promise<void> {
  await gateway?.stop();
  await store?.close();
}

/** Every file under `root`, recursively. */
async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true })) {
    const p = join(root, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

/** The secret strings of a card (PIN, serial, salt), as text and as the hex of their bytes. */
function secretNeedles(card: { serial: string | null; pin: string; salt: Hex }): string[] {
  const texts = [card.pin, card.salt.slice(2), ...(card.serial ? [card.serial] : [])];
  return [...texts, ...texts.slice(0, 1).map((t) => Buffer.from(t, "utf8").toString("hex"))];
}

beforeAll(async () => {
  anvil = await startAnvil({ blockTime: 1 });
  env = await deployOnAnvil(anvil.url, [{ label: "plain", count: 100n }]);
  plainBatch = env.batchIds[0]!;
  dir = await mkdtemp(join(tmpdir(), "keytrail-delivery-"));
  dataDir = join(dir, "db");
  sealed = await sealAndAnchor({
    url: anvil.url,
    publicClient: env.publicClient,
    ledger: env.ledger,
    dir,
    label: "stock-1",
    count: 40,
  });
  hooks = createServer((req, res) => {
    let body = "";
    req.on("data", (b: Buffer) => (body += b.toString()));
    req.on("end", () => {
      hookBodies.push(JSON.stringify(req.headers) + body);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hooks.listen(0, "127.0.0.1", r));
  const a = hooks.address();
  hookUrl = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}/hooks`;
}, 120_000);

afterAll(async () => {
  await stop();
  hooks?.close();
  await anvil?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("stock import: every row checked against the chain before it is kept", () => {
  const importInto = async (s: Store, over: Partial<Parameters<typeof importStock>[0]> = {}) =>
    importStock({
      store: s,
      publicClient: env.publicClient,
      ledger: env.ledger,
      account: env.supplier.address,
      batchDir: sealed.batchDir,
      keyFile: sealed.keyFile,
      secretsKey: SECRETS_KEY,
      ...over,
    });
  const stockRows = async (s: Store) =>
    Number((await s.query<{ n: number }>("SELECT count(*)::int AS n FROM gw_stock"))[0]!.n);

  it("refuses a row whose key is not the sealed one, naming file, line and index, and keeps nothing", async () => {
    const s = await openGatewayStore({ dataDir: null });
    try {
      const text = await readFile(sealed.keyFile, "utf8");
      const lines = text.split("\n");
      // line 6 holds index 4 (line 1 is the header): change one character of its PIN
      const [serial, pin] = lines[5]!.split(",") as [string, string];
      lines[5] = `${serial},${pin.slice(0, -1)}${pin.endsWith("A") ? "B" : "A"}`;
      const forged = join(dir, "forged.csv");
      await writeFile(forged, lines.join("\n"));
      const e = await importInto(s, { keyFile: forged }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(StockImportError);
      expect((e as Error).message).toContain("forged.csv line 6 (index 4)");
      expect((e as Error).message).toContain("Nothing was imported");
      expect((e as Error).message).not.toContain(pin); // the refused row's secret is not echoed
      // a row moved (the file read from the wrong first index): every row refused
      const first10 = join(dir, "first10.csv");
      await writeFile(first10, text.split("\n").slice(0, 11).join("\n") + "\n");
      const moved = await importInto(s, { firstIndex: 1, keyFile: first10 }).catch((x: unknown) => x);
      expect((moved as Error).message).toMatch(
        /^10 row\(s\) of first10.csv do not match .*first10.csv line 2 \(index 1\)/,
      );
      // more rows than the batch has
      const over = await importInto(s, { firstIndex: 5 }).catch((x: unknown) => x);
      expect((over as Error).message).toMatch(/has 40 key\(s\) from index 5; batch 0x[0-9a-f]{64} has 40/);
      expect(await stockRows(s).catch(() => 0)).toBe(0);
    } finally {
      await s.close();
    }
  });

  it("refuses proof data that does not fold to the on-chain root, and an import without the encryption key", async () => {
    const s = await openGatewayStore({ dataDir: null });
    try {
      const other = join(dir, "tampered");
      await cp(sealed.batchDir, other, { recursive: true });
      const bin = await readFile(join(other, "commitments.bin"));
      bin[5 * 32] = bin[5 * 32]! ^ 1;
      await writeFile(join(other, "commitments.bin"), bin);
      const e = await importInto(s, { batchDir: other }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(StockImportError);
      expect((e as Error).message).toMatch(
        /commitments\.bin of .*tampered folds to root 0x[0-9a-f]{64}; batch .* is anchored with root/,
      );
      const noKey = await importInto(s, { secretsKey: undefined }).catch((x: unknown) => x);
      expect((noKey as Error).message).toMatch(/set KEYTRAIL_GATEWAY_SECRETS_KEY/);
      const unknown = join(dir, "unknown");
      await cp(sealed.batchDir, unknown, { recursive: true });
      const m = JSON.parse(await readFile(join(unknown, "manifest.json"), "utf8")) as Record<string, unknown>;
      const bogus = `0x${"ab".repeat(32)}`;
      await writeFile(join(unknown, "manifest.json"), JSON.stringify({ ...m, batchId: bogus }));
      await writeFile(
        join(unknown, "batch-secret.json"),
        JSON.stringify({ batchId: bogus, secret: `0x${"01".repeat(32)}` }),
      );
      const notAnchored = await importInto(s, { batchDir: unknown }).catch((x: unknown) => x);
      expect((notAnchored as Error).message).toMatch(/is not anchored on ledger/);
      expect(await stockRows(s).catch(() => 0)).toBe(0);
    } finally {
      await s.close();
    }
  });

  it("imports the first 30 rows sealed (AES-256-GCM): no table and no file of the store holds a secret in clear", async () => {
    const s = await openGatewayStore({ dataDir });
    const part = join(dir, "first30.csv");
    const text = (await readFile(sealed.keyFile, "utf8")).split("\n");
    await writeFile(part, text.slice(0, 1 + STOCKED).join("\n") + "\n");
    // a gateway (replica) started before the import: its snapshot has no stock, the store does
    const early = await openStock({ store: s, account: env.supplier.address, secretsKey: SECRETS_KEY });
    expect(early.stocked.size).toBe(0);
    const r = await importInto(s, { keyFile: part });
    expect(await early.holdsAny(sealed.batchId, [STOCKED - 1])).toBe(true); // its failed orders quarantine them
    expect(await early.holdsAny(sealed.batchId, [STOCKED])).toBe(false);
    expect((await early.cardsOf(sealed.batchId, [0]))![0]!.pin).toBe(sealed.rows[0]!.pin);
    expect(r).toMatchObject({ batchId: sealed.batchId, rows: STOCKED, first: 0, last: STOCKED - 1, stored: STOCKED });
    const again = await importInto(s, { keyFile: part });
    expect(again).toMatchObject({ stored: 0, already: STOCKED });
    // every gw_ table as text
    const tables = await s.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'gw_%'",
    );
    let dump = "";
    for (const t of tables) dump += JSON.stringify(await s.query(`SELECT * FROM ${t.table_name}`));
    expect(dump).toContain(sealed.commitments[0]!); // the public commitment is there…
    await s.close();
    // …and the raw files of the store on disk
    let raw = "";
    for (const f of await filesUnder(dataDir))
      if ((await stat(f)).size < 64 << 20) raw += (await readFile(f)).toString("latin1");
    expect(raw.length).toBeGreaterThan(0);
    for (const row of sealed.rows.slice(0, STOCKED)) {
      expect(dump).not.toContain(row.pin);
      expect(raw).not.toContain(row.pin);
      expect(dump).not.toContain(row.serial);
      expect(raw).not.toContain(row.serial);
    }
  });
});

describe("delivering keys (自动发卡) on anvil, 1 s blocks", () => {
  const delivered = new Map<string, Card[]>();

  it("refuses to start on stock without the key, or with a wrong key", async () => {
    const s = await openGatewayStore({ dataDir });
    try {
      const none = await openStock({ store: s, account: env.supplier.address, secretsKey: undefined }).catch(
        (x: unknown) => x,
      );
      expect(none).toBeInstanceOf(GatewayConfigError);
      expect((none as Error).message).toMatch(/KEYTRAIL_GATEWAY_SECRETS_KEY is not set/);
      const wrong = await openStock({ store: s, account: env.supplier.address, secretsKey: WRONG_KEY }).catch(
        (x: unknown) => x,
      );
      expect(wrong).toBeInstanceOf(GatewayConfigError);
      expect((wrong as Error).message).toMatch(
        /does not open: KEYTRAIL_GATEWAY_SECRETS_KEY is not the key it was imported with/,
      );
    } finally {
      await s.close();
    }
  });

  it("answers the card secrets to the order's own client, the same on a repeat, never to another client", async () => {
    await start();
    await gateway.addClient("shop-a", KEY.a, ["orders:write", "orders:read", "keys:deliver"], {
      url: hookUrl,
      secret: `whsec_${"1".repeat(64)}`,
    });
    await gateway.addClient("shop-b", KEY.b, ["orders:write", "orders:read", "keys:deliver"]);
    await gateway.addClient("shop-plain", KEY.plain, ["orders:write", "orders:read"]);
    const body = { orderReference: "TB-1", kind: "sale", batchId: sealed.batchId, quantity: 2, buyer: "u-1" };
    const first = await post(body);
    expect(first.status).toBe(202);
    const indices = first.body.indices as number[];
    expect(first.body.cards!.map((c) => c.index)).toEqual(indices);
    for (const c of first.body.cards!) {
      // the delivered secret is the key sealed at that index: its commitment is the sealed one
      expect(c.pin).toBe(sealed.rows[c.index]!.pin);
      expect(c.serial).toBe(sealed.rows[c.index]!.serial);
      expect(computeCommitment(c.salt, encodeKeyBytes({ serial: c.serial!, pin: c.pin }))).toBe(
        sealed.commitments[c.index],
      );
    }
    delivered.set("TB-1", first.body.cards!);
    const repeat = await post(body);
    expect(repeat.status).toBe(200);
    expect(repeat.body.indices).toEqual(indices);
    expect(repeat.body.cards).toEqual(first.body.cards);
    expect((await get("TB-1")).body.cards).toEqual(first.body.cards);
    // another client: the reference is not theirs (404), and their own order with that reference gets other keys
    const other = await get("TB-1", KEY.b);
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body)).not.toContain(first.body.cards![0]!.pin);
    const theirs = await post(body, KEY.b);
    expect(theirs.status).toBe(202);
    expect((theirs.body.indices as number[]).some((i) => indices.includes(i))).toBe(false);
    delivered.set("TB-1/b", theirs.body.cards!);
    // a client without keys:deliver gets indices only
    const plain = await post({ ...body, orderReference: "P-1" }, KEY.plain);
    expect(plain.status).toBe(202);
    expect(plain.body.cards).toBeUndefined();
    expect((await get("P-1", KEY.plain)).body.cards).toBeUndefined();
    // a batch without stock: indices only, as before
    const unstocked = await post({ ...body, orderReference: "U-1", batchId: plainBatch });
    expect(unstocked.status).toBe(202);
    expect(unstocked.body.cards).toBeUndefined();
    // a same reference with another body is refused without a secret in the message
    const conflict = await post({ ...body, quantity: 3 });
    expect(conflict.status).toBe(409);
    for (const o of ["TB-1", "U-1"]) expect((await settled(o)).status).toBe("confirmed");
    expect((await settled("TB-1", KEY.b)).status).toBe("confirmed");
    expect((await settled("P-1", KEY.plain)).status).toBe("confirmed");
  }, 120_000);

  it("quarantines delivered keys whose order fails on chain: never allocated again, the failure surfaced", async () => {
    const stranger = "0x000000000000000000000000000000000000dEaD";
    const t = await post({
      orderReference: "W-1",
      kind: "transfer",
      batchId: sealed.batchId,
      quantity: 3,
      to: stranger,
    });
    expect(t.status).toBe(202);
    const burnt = t.body.indices as number[];
    expect(t.body.cards).toHaveLength(3);
    delivered.set("W-1", t.body.cards!);
    const failed = await settled("W-1");
    expect(failed.status).toBe("failed");
    expect(failed.reason).toMatch(/its 3 key\(s\) were delivered and are quarantined/);
    expect(failed.cards).toEqual(t.body.cards); // still answered to its client
    expect(logs.some((l) => l.includes('order "W-1"') && l.includes("quarantined"))).toBe(true);
    const q = await store.query<{ idx: number }>(
      "SELECT idx FROM gw_stock WHERE batch_id = $1 AND quarantined_ms IS NOT NULL ORDER BY idx",
      [sealed.batchId],
    );
    expect(q.map((r) => Number(r.idx))).toEqual(burnt);
    // the rest of the stock: 30 - 2 - 2 - 2 - 3 = 21 keys, none of them burnt, none of the 10 unstocked ones
    const rest = await post({ orderReference: "TB-2", kind: "sale", batchId: sealed.batchId, quantity: 21 });
    expect(rest.status).toBe(202);
    const restIdx = rest.body.indices as number[];
    expect(restIdx.some((i) => burnt.includes(i) || i >= STOCKED)).toBe(false);
    expect(rest.body.cards).toHaveLength(21);
    delivered.set("TB-2", rest.body.cards!);
    const none = await post({ orderReference: "TB-3", kind: "sale", batchId: sealed.batchId, quantity: 1 });
    expect(none.status).toBe(409);
    expect(none.body.error).toMatchObject({ code: "INSUFFICIENT_KEYS" });
    expect((await settled("TB-2")).status).toBe("confirmed");
  }, 120_000);

  it("answers the same secrets after a restart", async () => {
    const before = (await get("TB-1")).body.cards;
    await stop();
    await start();
    const after = await get("TB-1");
    expect(after.body.status).toBe("confirmed");
    expect(after.body.cards).toEqual(before);
    const repeat = await post({
      orderReference: "TB-1",
      kind: "sale",
      batchId: sealed.batchId,
      quantity: 2,
      buyer: "u-1",
    });
    expect(repeat.status).toBe(200);
    expect(repeat.body.cards).toEqual(before);
    expect((await get("W-1")).body.cards).toEqual(delivered.get("W-1")); // quarantined: still its client's
    // the burnt keys stay out of the pool after the restart too
    const none = await post({ orderReference: "TB-4", kind: "sale", batchId: sealed.batchId, quantity: 1 });
    expect(none.status).toBe(409);
  }, 120_000);

  it("no delivered secret in a log line, a webhook, an error message or the chain", async () => {
    const deadline = Date.now() + 20_000;
    while (hookBodies.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(hookBodies.length).toBeGreaterThanOrEqual(3); // TB-1 confirmed, W-1 failed, TB-2 confirmed
    const cards = [...delivered.values()].flat();
    expect(cards.length).toBe(2 + 2 + 3 + 21);
    // the chain: every transaction the signer sent
    const hashes = await store.query<{ hash: Hex; raw: Hex }>("SELECT hash, raw FROM gw_txs");
    let chain = "";
    for (const h of hashes) {
      chain += h.raw;
      const tx = await env.publicClient.getTransaction({ hash: h.hash }).catch(() => null);
      if (tx) chain += tx.input;
    }
    const haystacks = {
      logs: logs.join("\n"),
      webhooks: hookBodies.join("\n"),
      errors: answers.filter((a) => a.includes('"error"')).join("\n"),
      chain: chain.toLowerCase(),
    };
    expect(haystacks.logs.length).toBeGreaterThan(0);
    expect(haystacks.chain.length).toBeGreaterThan(0);
    for (const c of cards)
      for (const needle of secretNeedles(c))
        for (const [where, text] of Object.entries(haystacks))
          expect(text.includes(needle.toLowerCase()) || text.includes(needle), `${where} holds a secret`).toBe(false);
  }, 60_000);
});
