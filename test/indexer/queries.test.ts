import { mkdtempSync, readFileSync, readdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import { applyLedgerEvents } from "../../lib/state/applyLedgerEvents.js";
import { createLedgerState } from "../../lib/state/createLedgerState.js";
import type { LedgerEvent } from "../../lib/state/types.js";
import { createIndexer } from "../../indexer/createIndexer.js";
import { buildCustody } from "../../indexer/export/buildCustody.js";
import type { ExportBatchDetail, ExportCustody, ExportIndex } from "../../lib/formats/export.js";
import { writeExport } from "../../indexer/export/writeExport.js";
import { getCustodyChain } from "../../indexer/query/getCustodyChain.js";
import type { CustodyChain } from "../../indexer/query/getCustodyChain.js";
import { getFlows } from "../../indexer/query/getFlows.js";
import { getHoldings } from "../../indexer/query/getHoldings.js";
import { getBatch } from "../../indexer/query/getBatch.js";
import { getStateDigest } from "../../indexer/query/getStateDigest.js";
import type { Store } from "../../indexer/store/types.js";
import { deployLedgerChain, readLedgerEvents, runScenario } from "./helpers/ledgerChain.js";
import type { LedgerChain } from "./helpers/ledgerChain.js";
import { forwardToProvider, prng, serveRpc } from "./helpers/serveRpc.js";
import { STORE_KINDS, openTestStore, startPostgres } from "./helpers/stores.js";
import type { TestPostgres } from "./helpers/stores.js";

let pg: TestPostgres | null = null;
let chain: LedgerChain;
let events: LedgerEvent[];
let rpcClose: () => Promise<void>;
let rpcUrl: string;

beforeAll(async () => {
  pg = await startPostgres();
  chain = await deployLedgerChain();
  await runScenario(chain, { seed: 41, steps: 80, itemsPerTx: 6, batchCount: 3, keysPerBatch: 4_096 });
  const rpc = await serveRpc({ forward: forwardToProvider(chain.provider) });
  rpcUrl = rpc.url;
  rpcClose = rpc.close;
  events = await readLedgerEvents(chain);
});
afterAll(async () => {
  await rpcClose?.();
  await pg?.stop();
});

type Transfer = Extract<LedgerEvent, { eventName: "CustodyTransferred" }>;
const lower = (s: string) => s.toLowerCase();

function expectedChain(batchId: Hex, index: number): { from: string | null; to: string; tx: string }[] {
  const anchor = events.find((e) => e.eventName === "BatchAnchored" && lower(e.args.batchId) === batchId)!;
  const hops: { from: string | null; to: string; tx: string }[] = [
    {
      from: null,
      to: lower((anchor as Extract<LedgerEvent, { eventName: "BatchAnchored" }>).args.supplier),
      tx: lower(anchor.txHash),
    },
  ];
  for (const e of events) {
    if (e.eventName !== "CustodyTransferred") continue;
    const t = e as Transfer;
    if (lower(t.args.batchId) === batchId && t.args.start <= BigInt(index) && BigInt(index) < t.args.end)
      hops.push({ from: lower(t.args.from), to: lower(t.args.to), tx: lower(t.txHash) });
  }
  return hops;
}

describe.each(STORE_KINDS)("provenance queries on %s", (kind) => {
  let store: Store;
  beforeAll(async () => {
    store = await openTestStore(kind, pg);
    await createIndexer({ store, rpcUrls: [rpcUrl], ledger: chain.ledger, startBlock: chain.deployBlock }).run();
  });
  afterAll(async () => {
    await store?.close();
  });

  it("custody chain of a key: anchoring, then every transfer containing it in order; holder, frozen, redeemed match a replay", async () => {
    const state = applyLedgerEvents(createLedgerState(), events);
    const rand = prng(7);
    let checked = 0;
    let multiHop = 0;
    for (const [batchId, bs] of state.batches) {
      for (let k = 0; k < 40; k++) {
        const index = Math.floor(rand() * Number(bs.record.count));
        const c = (await getCustodyChain(store, { batchId, index })) as CustodyChain;
        expect(c.hops.map((h) => ({ from: h.from, to: h.to, tx: h.tx }))).toEqual(expectedChain(batchId, index));
        const seg = bs.segments.find((s) => s.start <= BigInt(index) && BigInt(index) < s.end)!;
        expect(c.holder).toBe(seg.holder);
        expect(
          c.frozen === null
            ? 0
            : ["stolen", "chargeback", "unauthorised-channel", "issuer-error", "other", "refunded"].indexOf(c.frozen) +
                1,
        ).toBe(seg.regulatorReason || seg.supplierReason);
        expect(c.sold).toBe(seg.saleNo > 0 && !seg.refunded);
        const word = bs.redeemed.get(BigInt(Math.floor(index / 256))) ?? 0n;
        expect(c.redeemed).toBe(((word >> BigInt(index % 256)) & 1n) === 1n);
        // The last hop's recipient is the holder.
        expect(c.hops[c.hops.length - 1]!.to).toBe(c.holder);
        for (let i = 1; i < c.hops.length; i++) expect(c.hops[i]!.from).toBe(c.hops[i - 1]!.to);
        if (c.hops.length > 2) multiHop++;
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(120);
    expect(multiHop).toBeGreaterThan(0);
    expect(await getCustodyChain(store, { batchId: `0x${"00".repeat(32)}`, index: 0 })).toEqual({ missing: "batch" });
    const [someBatch, bs] = [...state.batches.entries()][0]!;
    expect(await getCustodyChain(store, { batchId: someBatch, index: Number(bs.record.count) })).toEqual({
      missing: "index",
      count: Number(bs.record.count),
    });
  });

  it("authorisation at the time of each hop: supplier and valid authorisations count, others do not", async () => {
    const rows = await store.query<{ to_addr: string; authorized: boolean; timestamp: number; block: number }>(
      "SELECT to_addr, authorized, timestamp, block FROM kt_transfers ORDER BY block, log_index",
    );
    expect(rows.length).toBeGreaterThan(20);
    // Recompute independently from the events: authorisations in force just before each transfer.
    const auth = new Map<string, { tier: number; expiresAt: bigint }>();
    const supplierOf = new Map<string, string>();
    let i = 0;
    let seenFalse = 0;
    let seenTrue = 0;
    for (const e of events) {
      if (e.eventName === "BatchAnchored") supplierOf.set(lower(e.args.batchId), lower(e.args.supplier));
      if (e.eventName === "DistributorAuthorized")
        auth.set(`${lower(e.args.supplier)}:${lower(e.args.distributor)}`, {
          tier: Number(e.args.tier),
          expiresAt: e.args.expiresAt,
        });
      if (e.eventName === "DistributorDeauthorized")
        auth.delete(`${lower(e.args.supplier)}:${lower(e.args.distributor)}`);
      if (e.eventName !== "CustodyTransferred") continue;
      const s = supplierOf.get(lower(e.args.batchId))!;
      const to = lower(e.args.to);
      const a = auth.get(`${s}:${to}`);
      const expected = to === s || (!!a && a.tier > 0 && (a.expiresAt === 0n || e.timestamp <= a.expiresAt));
      expect(rows[i]!.authorized).toBe(expected);
      if (expected) seenTrue++;
      else seenFalse++;
      i++;
    }
    expect(i).toBe(rows.length);
    expect(seenTrue).toBeGreaterThan(0);
    expect(seenFalse).toBeGreaterThan(0);
  });

  it("holdings of every party equal the replay's segments (ranges, counts, frozen, redeemed), paged by batch", async () => {
    const state = applyLedgerEvents(createLedgerState(), events);
    const holders = new Set<string>();
    for (const bs of state.batches.values()) for (const s of bs.segments) holders.add(s.holder);
    for (const party of holders) {
      const h = await getHoldings(store, { party: party as Address, limit: 500, offset: 0 });
      let keys = 0;
      for (const item of h.items) {
        const bs = state.batches.get(item.batchId)!;
        const mine = bs.segments.filter((s) => s.holder === party);
        const count = mine.reduce((a, s) => a + Number(s.end - s.start), 0);
        const frozen = mine
          .filter((s) => s.regulatorReason || s.supplierReason)
          .reduce((a, s) => a + Number(s.end - s.start), 0);
        const sold = mine.filter((s) => s.saleNo > 0 && !s.refunded).reduce((a, s) => a + Number(s.end - s.start), 0);
        let redeemed = 0;
        for (const s of mine)
          for (let i = Number(s.start); i < Number(s.end); i++)
            if (((bs.redeemed.get(BigInt(i >> 8)) ?? 0n) >> BigInt(i & 255)) & 1n) redeemed++;
        expect({ keys: item.keys, frozen: item.frozen, redeemed: item.redeemed, sold: item.sold }).toEqual({
          keys: count,
          frozen,
          redeemed,
          sold,
        });
        expect(item.ranges.reduce((a, [x, y]) => a + y - x, 0)).toBe(count);
        keys += count;
      }
      expect(h.totals.keys).toBe(keys);
      expect(h.items.length).toBe(h.totals.batches);
      const page = await getHoldings(store, { party: party as Address, limit: 1, offset: 1 });
      expect(page.items).toEqual(h.items.slice(1, 2));
    }
  });

  it("flows between parties over a period add up to the transfers in it", async () => {
    const transfers = events.filter((e) => e.eventName === "CustodyTransferred") as Transfer[];
    const mid = transfers[Math.floor(transfers.length / 2)]!.timestamp;
    const since = Number(mid);
    const all = await getFlows(store, { limit: 10_000 });
    const late = await getFlows(store, { since, limit: 10_000 });
    const sum = (xs: { keys: number; transfers: number }[]) =>
      xs.reduce((a, f) => ({ keys: a.keys + f.keys, transfers: a.transfers + f.transfers }), { keys: 0, transfers: 0 });
    const exp = (ts: Transfer[]) => ({
      keys: ts.reduce((a, t) => a + Number(t.args.end - t.args.start), 0),
      transfers: ts.length,
    });
    expect(sum(all)).toEqual(exp(transfers));
    expect(sum(late)).toEqual(exp(transfers.filter((t) => t.timestamp >= mid)));
    const edge = all[0]!;
    const only = await getFlows(store, { from: edge.from, to: edge.to, limit: 10 });
    expect(only).toEqual([edge]);
    const party = await getFlows(store, { party: edge.to, limit: 10_000 });
    expect(party.every((f) => f.from === edge.to || f.to === edge.to)).toBe(true);
  });

  it("static export: every file present, custody intervals agree with the custody query, deterministic bytes", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "kt-export-")), "export");
    const r = await writeExport(store, { dir });
    const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as ExportIndex;
    expect(index.digest).toBe((await getStateDigest(store))!.digest);
    expect(index.counts.batches).toBe(r.batches);
    const batches = (JSON.parse(readFileSync(join(dir, "batches.json"), "utf8")) as { batches: { batchId: Hex }[] })
      .batches;
    expect(batches.length).toBe(3);
    for (const f of ["parties.json", "flows.json", join("proofs", "index.json")])
      expect(existsSync(join(dir, f))).toBe(true);
    expect(readdirSync(join(dir, "parties")).length).toBe(index.counts.parties);
    const rand = prng(9);
    for (const b of batches) {
      const detail = JSON.parse(readFileSync(join(dir, "batches", `${b.batchId}.json`), "utf8")) as ExportBatchDetail;
      expect(detail).toEqual(JSON.parse(JSON.stringify(await getBatch(store, { batchId: b.batchId }))));
      const custody = JSON.parse(
        readFileSync(join(dir, "batches", b.batchId, "custody.json"), "utf8"),
      ) as ExportCustody;
      expect(custody.intervals[0]!.start).toBe(0);
      expect(custody.intervals[custody.intervals.length - 1]!.end).toBe(custody.count);
      for (let i = 1; i < custody.intervals.length; i++)
        expect(custody.intervals[i]!.start).toBe(custody.intervals[i - 1]!.end);
      for (let k = 0; k < 30; k++) {
        const index_ = Math.floor(rand() * custody.count);
        const iv = custody.intervals.find((x) => x.start <= index_ && index_ < x.end)!;
        const c = (await getCustodyChain(store, { batchId: b.batchId, index: index_ })) as CustodyChain;
        expect(iv.hops.map((h) => custody.events[h])).toEqual(c.hops);
        expect(iv.holder).toBe(c.holder);
        expect(iv.frozen).toBe(c.frozen);
      }
    }
    const again = await buildCustody(store, { batchId: batches[0]!.batchId });
    expect(`${JSON.stringify(again)}\n`).toBe(
      readFileSync(join(dir, "batches", batches[0]!.batchId, "custody.json"), "utf8"),
    );
    const dir2 = join(mkdtempSync(join(tmpdir(), "kt-export-")), "export");
    await writeExport(store, { dir: dir2 });
    for (const f of ["index.json", "batches.json", "parties.json", "flows.json"])
      expect(readFileSync(join(dir2, f), "utf8")).toBe(readFileSync(join(dir, f), "utf8"));
  });
});
