import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Hex } from "viem";
import { createApiServer, MAX_PAGE } from "../../indexer/api/createApiServer.js";
import { createIndexer } from "../../indexer/createIndexer.js";
import { buildSnapshot } from "../../indexer/query/buildSnapshot.js";
import { getBatch } from "../../indexer/query/getBatch.js";
import { getStateDigest } from "../../indexer/query/getStateDigest.js";
import { readCursor } from "../../indexer/store/readCursor.js";
import type { Store } from "../../indexer/store/types.js";
import { deployLedgerChain, runScenario } from "./helpers/ledgerChain.js";
import type { LedgerChain } from "./helpers/ledgerChain.js";
import { forwardToProvider, serveRpc } from "./helpers/serveRpc.js";
import { STORE_KINDS, openTestStore, startPostgres } from "./helpers/stores.js";
import type { TestPostgres } from "./helpers/stores.js";

// Count real snapshot builds: the module's function, wrapped (it still builds from the store).
vi.mock("../../indexer/query/buildSnapshot.js", async (importOriginal) => {
  const real = await importOriginal<{ buildSnapshot: typeof buildSnapshot }>();
  return { buildSnapshot: vi.fn(real.buildSnapshot) };
});
const builds = () => vi.mocked(buildSnapshot).mock.calls.length;

let pg: TestPostgres | null = null;
let chain: LedgerChain;
let rpc: Awaited<ReturnType<typeof serveRpc>>;

beforeAll(async () => {
  pg = await startPostgres();
  chain = await deployLedgerChain();
  await runScenario(chain, { seed: 77, steps: 60, batchCount: 2, keysPerBatch: 2_048 });
  rpc = await serveRpc({ forward: forwardToProvider(chain.provider) });
});
afterAll(async () => {
  await rpc?.close();
  await pg?.stop();
});

describe.each(STORE_KINDS)("read API under load on %s", (kind) => {
  let store: Store;
  const servers: Server[] = [];
  let head: number;
  let start: number;
  let batchId: Hex;
  const listen = async (options?: Parameters<typeof createApiServer>[1]) => {
    const server = createApiServer(store, options);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return async (path: string) => {
      const r = await fetch(`${base}${path}`);
      return { status: r.status, headers: r.headers, body: (await r.json()) as Record<string, unknown> };
    };
  };
  beforeAll(async () => {
    store = await openTestStore(kind, pg);
    await createIndexer({ store, rpcUrls: [rpc.url], ledger: chain.ledger, startBlock: chain.deployBlock }).run();
    head = (await readCursor(store))!.number;
    start = chain.deployBlock;
    // The batch with the most holders, so paging has something to page.
    batchId = (
      await store.query<{ batch_id: Hex }>(
        `SELECT b.batch_id FROM kt_batches b JOIN kt_segments s USING (batch_no) WHERE s.to_block IS NULL
          GROUP BY b.batch_id ORDER BY count(DISTINCT s.holder) DESC LIMIT 1`,
      )
    )[0]!.batch_id;
  });
  afterAll(async () => {
    for (const s of servers) await new Promise((resolve) => s.close(resolve));
    await store.close();
  });

  it("builds a block's digest once: a second request for the head or an older block is a cache hit", async () => {
    const get = await listen();
    const b0 = builds();
    const first = await get("/digest");
    expect(first.status).toBe(200);
    expect(first.body).toEqual(await getStateDigest(store));
    const afterFirst = builds();
    expect(afterFirst - b0).toBe(2); // the API's build, and getStateDigest's own above
    for (let i = 0; i < 5; i++) expect((await get("/digest")).body).toEqual(first.body);
    expect((await get(`/digest?block=${head}`)).body).toEqual(first.body);
    expect(builds()).toBe(afterFirst);
    const mid = start + Math.floor((head - start) / 2);
    const older = await Promise.all([1, 2, 3].map(() => get(`/digest?block=${mid}`)));
    expect(builds()).toBe(afterFirst + 1); // concurrent requests share one build
    expect(older[0]!.body).toEqual(await getStateDigest(store, { block: mid }));
    expect(older.map((o) => o.body)).toEqual([older[0]!.body, older[0]!.body, older[0]!.body]);
  });

  it("rebuilds after any committed write (a reorganisation or a changed row is never served stale)", async () => {
    const get = await listen();
    const before = await get("/digest");
    const n = builds();
    await store.transaction(async (tx) => {
      await tx.query("UPDATE kt_segments SET holder = holder WHERE to_block IS NULL AND seg_start = 0");
      await tx.query("UPDATE kt_batches SET label = label || 'x' WHERE batch_id = $1", [batchId]);
    });
    const after = await get("/digest");
    expect(builds()).toBe(n + 1);
    expect(after.body.digest).not.toBe(before.body.digest);
    expect(after.body).toEqual(await getStateDigest(store));
    await store.query("UPDATE kt_batches SET label = substr(label, 1, length(label) - 1) WHERE batch_id = $1", [
      batchId,
    ]);
    expect((await get("/digest")).body).toEqual(before.body);
  });

  it("without the cache (size 0) every request builds its snapshot, as before", async () => {
    const get = await listen({ digestCache: { size: 0 } });
    const n = builds();
    for (let i = 0; i < 3; i++) expect((await get("/digest")).status).toBe(200);
    expect(builds()).toBe(n + 3);
  });

  it("bounds block: integer, at most the cursor, 400 naming block and the bound", async () => {
    const get = await listen();
    const n = builds();
    for (const v of [
      `${head + 1}`,
      "281474976710656",
      "99999999999999999",
      "1.5",
      "1e3",
      "-1",
      "0x10",
      "",
      "%20",
      "%ZZ",
      "%E0%A4%A",
    ]) {
      const r = await get(`/digest?block=${v}`);
      expect(r.status, v).toBe(400);
      const err = r.body.error as { code: string; message: string; details: { parameter: string; problem: string }[] };
      expect(err.code, v).toBe("invalid_parameter");
      expect(
        err.details.map((d) => d.parameter),
        v,
      ).toEqual(["block"]);
    }
    const above = (await get(`/digest?block=${head + 1}`)).body.error as { message: string; details: object[] };
    expect(above.message).toBe(`Invalid parameter block: ${head + 1} is above the indexed cursor ${head}.`);
    expect(above.details).toEqual([{ parameter: "block", problem: `at most ${head} (the indexed cursor)` }]);
    expect((await get("/digest?block=1&block=2")).status).toBe(400);
    expect(builds()).toBe(n);
    expect((await get("/digest?block=0")).body).toMatchObject({ block: 0 });
  });

  it("refuses digest builds beyond the queue with 503 busy and retry-after, never the head's", async () => {
    const get = await listen({ digestCache: { size: 16, maxWaiting: 1, buildShare: 1 } });
    const blocks = Array.from({ length: 8 }, (_, i) => start + i);
    // Hold the first build until every other request has been answered.
    const real = vi.mocked(buildSnapshot).getMockImplementation()!;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    vi.mocked(buildSnapshot).mockImplementationOnce(async (...args) => (await gate, await real(...args)));
    const n = builds();
    const first = get(`/digest?block=${blocks[0]}`);
    await vi.waitFor(() => expect(builds()).toBe(n + 1), { timeout: 30_000 });
    const second = get(`/digest?block=${blocks[1]}`); // waits behind the first (maxWaiting 1)
    await vi.waitFor(async () => expect((await get(`/digest?block=${blocks[2]}`)).status).toBe(503), {
      timeout: 30_000,
    });
    const refused = await Promise.all(blocks.slice(2).map((b) => get(`/digest?block=${b}`)));
    expect(refused.map((r) => r.status)).toEqual(blocks.slice(2).map(() => 503));
    expect(refused[0]!.headers.get("retry-after")).toBe("1");
    expect(refused[0]!.body.error).toMatchObject({ code: "busy" });
    const headAnswer = get("/digest"); // queued even though the queue is full
    release();
    for (const [r, b] of [
      [await first, blocks[0]!],
      [await second, blocks[1]!],
    ] as const) {
      expect(r.status).toBe(200);
      expect(r.body).toEqual(await getStateDigest(store, { block: b }));
    }
    expect((await headAnswer).body).toEqual(await getStateDigest(store));
    for (const b of blocks.slice(2)) {
      const r = await get(`/digest?block=${b}`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual(await getStateDigest(store, { block: b }));
    }
  });

  it("holds builds for past blocks to their share of the time; the head and cached blocks still answer", async () => {
    const get = await listen({ digestCache: { size: 8, buildShare: 0.001 } });
    const n = builds();
    const a = await get(`/digest?block=${start + 1}`);
    expect(a.status).toBe(200);
    const refused = await get(`/digest?block=${start + 2}`);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: "busy" });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(builds()).toBe(n + 1);
    expect((await get(`/digest?block=${start + 1}`)).body).toEqual(a.body);
    expect((await get("/digest")).body).toEqual(await getStateDigest(store));
  });

  it("pages /batches/:id holders, frozen and redeemed lists with totals; the default page is the whole batch", async () => {
    const get = await listen();
    const full = (await getBatch(store, { batchId }))!;
    expect(full.holderRanges.length).toBeGreaterThan(2);
    const first = await get(`/batches/${batchId}`);
    expect(first.body).toMatchObject({
      batchId,
      limit: MAX_PAGE,
      offset: 0,
      totals: {
        holderRanges: full.holderRanges.length,
        frozen: full.frozen.length,
        redeemedWords: full.redeemedWords.length,
      },
      frozen: full.frozen,
      redeemedWords: full.redeemedWords,
    });
    expect(first.body.holderRanges).toEqual(full.holderRanges.map((h) => ({ ...h, rangeCount: h.ranges.length })));
    const seen: unknown[] = [];
    for (let offset = 0; offset < full.holderRanges.length; offset += 2) {
      const p = await get(`/batches/${batchId}?limit=2&offset=${offset}`);
      const hs = p.body.holderRanges as { holder: string; ranges: unknown[]; rangeCount: number }[];
      expect(hs.length).toBe(Math.min(2, full.holderRanges.length - offset));
      for (const h of hs) expect(h.ranges.length).toBe(Math.min(2, h.rangeCount));
      seen.push(...hs.map((h) => h.holder));
    }
    expect(seen).toEqual(full.holderRanges.map((h) => h.holder));
    const past = await get(`/batches/${batchId}?offset=100000`);
    expect(past.body).toMatchObject({ holderRanges: [], frozen: [], redeemedWords: [] });
    for (const [q, parameter] of [
      [`limit=${MAX_PAGE + 1}`, "limit"],
      ["limit=0", "limit"],
      ["offset=-1", "offset"],
      ["page=2", "page"],
    ] as const) {
      const r = await get(`/batches/${batchId}?${q}`);
      expect(r.status, q).toBe(400);
      expect((r.body.error as { details: { parameter: string }[] }).details.map((d) => d.parameter)).toEqual([
        parameter,
      ]);
    }
  });

  it("pages /flows with limit and offset", async () => {
    const get = await listen();
    const all = (await get(`/flows?limit=${MAX_PAGE}`)).body.items as unknown[];
    expect(all.length).toBeGreaterThan(2);
    const pages: unknown[] = [];
    for (let offset = 0; offset < all.length; offset += 2) {
      const p = await get(`/flows?limit=2&offset=${offset}`);
      expect(p.body).toMatchObject({ limit: 2, offset });
      pages.push(...(p.body.items as unknown[]));
    }
    expect(pages).toEqual(all);
    expect((await get("/flows?offset=x")).status).toBe(400);
  });
});
