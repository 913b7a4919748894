import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { createApiServer, MAX_PAGE } from "../../indexer/api/createApiServer.js";
import { createIndexer } from "../../indexer/createIndexer.js";
import { getCustodyChain } from "../../indexer/query/getCustodyChain.js";
import { getStateDigest } from "../../indexer/query/getStateDigest.js";
import type { Store } from "../../indexer/store/types.js";
import { deployLedgerChain, runScenario } from "./helpers/ledgerChain.js";
import type { LedgerChain } from "./helpers/ledgerChain.js";
import { forwardToProvider, serveRpc } from "./helpers/serveRpc.js";
import { STORE_KINDS, openTestStore, startPostgres } from "./helpers/stores.js";
import type { TestPostgres } from "./helpers/stores.js";

let pg: TestPostgres | null = null;
let chain: LedgerChain;
let rpc: Awaited<ReturnType<typeof serveRpc>>;

beforeAll(async () => {
  pg = await startPostgres();
  chain = await deployLedgerChain();
  await runScenario(chain, { seed: 51, steps: 40, batchCount: 2, keysPerBatch: 2_048 });
  rpc = await serveRpc({ forward: forwardToProvider(chain.provider) });
});
afterAll(async () => {
  await rpc?.close();
  await pg?.stop();
});

describe.each(STORE_KINDS)("HTTP API on %s", (kind) => {
  let store: Store;
  let server: Server;
  let base: string;
  let batchId: Hex;
  const get = async (path: string, init?: RequestInit) => {
    const r = await fetch(`${base}${path}`, init);
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };
  beforeAll(async () => {
    store = await openTestStore(kind, pg);
    await createIndexer({ store, rpcUrls: [rpc.url], ledger: chain.ledger, startBlock: chain.deployBlock }).run();
    server = createApiServer(store);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    batchId = (await store.query<{ batch_id: Hex }>("SELECT batch_id FROM kt_batches ORDER BY block LIMIT 1"))[0]!
      .batch_id;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await store.close();
  });

  it("answers every documented route with JSON and open CORS", async () => {
    const status = await get("/status");
    expect(status.status).toBe(200);
    expect(status.headers.get("access-control-allow-origin")).toBe("*");
    expect(status.headers.get("content-type")).toMatch(/^application\/json/);
    expect(status.body).toMatchObject({ chainId: 31337, ledger: chain.ledger, store: kind });
    const batches = await get("/batches");
    expect((batches.body!.items as unknown[]).length).toBe(2);
    expect(batches.body).toMatchObject({ limit: 100, offset: 0, total: 2 });
    const one = await get(`/batches/${batchId}`);
    expect(one.body).toMatchObject({ batchId, count: 2048, currency: "CNY" });
    const custody = await get(`/batches/${batchId}/keys/5/custody`);
    expect(custody.body).toEqual(JSON.parse(JSON.stringify(await getCustodyChain(store, { batchId, index: 5 }))));
    const key = await get(`/batches/${batchId.toUpperCase().replace("0X", "0x")}/keys/5`);
    expect(key.body).toMatchObject({ batchId, index: 5, holder: (custody.body as { holder: string }).holder });
    expect(key.body).not.toHaveProperty("hops");
    const supplier = chain.parties.suppliers[0]!;
    const party = await get(`/parties/${supplier}`);
    expect(party.body).toMatchObject({ address: supplier, kind: "supplier" });
    const holdings = await get(`/parties/${supplier}/holdings?limit=1`);
    expect(holdings.body).toMatchObject({ party: supplier, limit: 1, offset: 0 });
    expect((holdings.body!.items as unknown[]).length).toBe(1);
    const parties = await get("/parties?kind=distributor");
    expect((parties.body!.items as { kind: string }[]).every((p) => p.kind === "distributor")).toBe(true);
    const flows = await get(`/flows?party=${supplier}&since=0`);
    expect((flows.body!.items as unknown[]).length).toBeGreaterThan(0);
    const digest = await get("/digest");
    expect(digest.body).toEqual(await getStateDigest(store));
    const openapi = await get("/openapi.json");
    expect(Object.keys(openapi.body!.paths as object)).toEqual(
      expect.arrayContaining([
        "/batches",
        "/batches/{id}/keys/{index}/custody",
        "/parties/{addr}/holdings",
        "/flows",
        "/digest",
      ]),
    );
    const pre = await fetch(`${base}/batches`, { method: "OPTIONS" });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-methods")).toMatch(/GET/);
  });

  it("rejects bad input with 400 naming the parameter, unknown things with 404, writes with 405", async () => {
    const bad = async (path: string, parameter: string) => {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      const err = r.body!.error as { code: string; message: string; details: { parameter: string }[] };
      expect(err.code).toBe("invalid_parameter");
      expect(err.details.map((d) => d.parameter).join(",")).toContain(parameter);
    };
    await bad("/batches/0x1234", "id");
    await bad(`/batches/${batchId}/keys/-1/custody`, "index");
    await bad(`/batches/${batchId}/keys/abc`, "index");
    await bad("/parties/0xnothex", "addr");
    await bad("/batches?supplier=bob", "supplier");
    await bad("/flows?since=yesterday", "since");
    await bad("/digest?block=-3", "block");
    await bad("/batches?color=red", "color");
    expect((await get(`/batches/0x${"00".repeat(32)}`)).status).toBe(404);
    const outside = await get(`/batches/${batchId}/keys/2048/custody`);
    expect(outside.status).toBe(404);
    expect((outside.body!.error as { message: string }).message).toMatch(/outside batch .* \(count 2048\)/);
    expect((await get(`/parties/0x${"12".repeat(20)}`)).status).toBe(404);
    expect((await get("/nowhere")).status).toBe(404);
    expect((await get("/batches", { method: "POST", body: "{}" })).status).toBe(405);
  });

  it("names a bad path parameter (id, index, addr) in its 400, as the OpenAPI document does", async () => {
    const cases: [string, string][] = [
      ["/batches/0x1234", "id"],
      [`/batches/${batchId}/keys/-1/custody`, "index"],
      [`/batches/${batchId}/keys/abc`, "index"],
      [`/batches/0x12/keys/abc`, "id"],
      ["/parties/0xnothex", "addr"],
      ["/parties/0xnothex/holdings", "addr"],
    ];
    for (const [path, parameter] of cases) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      const err = r.body!.error as { message: string; details: { parameter: string }[] };
      expect(
        err.details.map((d) => d.parameter),
        path,
      ).toEqual([parameter]);
      expect(err.message, path).toMatch(new RegExp(`^Invalid parameter ${parameter}: expected `));
    }
  });

  it("answers a malformed %-escape in a path parameter with 400 naming it, not 500", async () => {
    for (const [path, parameter] of [
      ["/batches/%E0%A4%A", "id"],
      [`/batches/${batchId}/keys/%ZZ`, "index"],
      ["/parties/0x%/holdings", "addr"],
    ] as const) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      const err = r.body!.error as { code: string; details: { parameter: string; problem: string }[] };
      expect(err.code, path).toBe("invalid_parameter");
      expect(err.details, path).toEqual([{ parameter, problem: "malformed %-escape" }]);
    }
  });

  it("names prototype-named query keys as unknown parameters, not as given twice", async () => {
    for (const key of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      const r = await get(`/batches?${key}=1`);
      expect(r.status, key).toBe(400);
      const err = r.body!.error as { details: { parameter: string; problem: string }[] };
      expect(
        err.details.map((d) => d.parameter),
        key,
      ).toEqual([key]);
      expect(JSON.stringify(r.body), key).not.toMatch(/given twice/);
    }
    const twice = await get("/batches?constructor=1&constructor=2");
    expect(twice.status).toBe(400);
    expect(JSON.stringify(twice.body)).toMatch(/constructor is given twice/);
  });

  it("bounds page sizes", async () => {
    expect((await get(`/batches?limit=${MAX_PAGE}`)).status).toBe(200);
    for (const q of [`limit=${MAX_PAGE + 1}`, "limit=0", "offset=-1", "offset=1000001", "limit=1&limit=2"]) {
      const r = await get(`/batches?${q}`);
      expect(r.status, q).toBe(400);
    }
    const page = await get("/batches?limit=1&offset=1");
    expect(page.body).toMatchObject({ limit: 1, offset: 1, total: 2 });
    expect((page.body!.items as unknown[]).length).toBe(1);
    const past = await get("/batches?limit=1&offset=5");
    expect(past.body).toMatchObject({ items: [], total: 2 });
  });
});
