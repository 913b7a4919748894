/**
 * Query latency and API load on a large store: 10M keys in 1,000 batches with 100k transfers
 * (--quick: 1M keys, 100 batches, 10k transfers), generated directly through the store layer.
 *
 *   npx tsx bench/indexer/queries.ts [--quick] [--postgres]
 *
 * Figures: custody chain of one key (p50/p99), holdings of a party (p99), API custody route under
 * autocannon load (req/s, p99, errors). Targets: custody p99 <= 5 ms, holdings p99 <= 20 ms.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { createApiServer } from "../../indexer/api/createApiServer.js";
import { getCustodyChain } from "../../indexer/query/getCustodyChain.js";
import { getHoldings } from "../../indexer/query/getHoldings.js";
import { openStore } from "../../indexer/store/openStore.js";
import type { Store } from "../../indexer/store/types.js";
import type { BenchResult } from "../types.js";
import { generateStore, prng } from "./_generateStore.js";

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** Runs the query and API benchmarks. */
export async function run(opts: { json?: boolean; quick?: boolean } = {}): Promise<BenchResult[]> {
  const quick = opts.quick === true;
  const size = quick
    ? { batches: 100, keysPerBatch: 10_000, parties: 100, transfers: 10_000 }
    : { batches: 1_000, keysPerBatch: 10_000, parties: 200, transfers: 100_000 };
  const dir = mkdtempSync(join(tmpdir(), "kt-bench-q-"));
  const open = () =>
    openStore({
      dataDir: join(dir, "db"),
      databaseUrl: process.env.BENCH_DATABASE_URL || undefined,
      log: (l) => process.stderr.write(`${l}\n`),
    });
  let store = await open();
  const results: BenchResult[] = [];
  try {
    const g = await generateStore(store, size);
    // Measure as a serving process would run: a freshly opened store, not the writer's heap.
    await store.close();
    store = await open();
    const keys = size.batches * size.keysPerBatch;
    process.stderr.write(
      `store: ${keys.toLocaleString()} keys, ${size.batches} batches, ${size.transfers.toLocaleString()} transfers, ${g.events.toLocaleString()} events written in ${g.seconds.toFixed(1)} s\n`,
    );
    results.push({
      name: `store generation through the store layer (${g.events.toLocaleString()} events)`,
      unit: "events/s",
      value: Math.round(g.events / g.seconds),
      notes: `${store.info.kind}; mirror + batched unnest inserts, 20k events per transaction`,
    });

    const rand = prng(99);
    // Wall time per query, and the process CPU time it took (PGlite runs in this process): the gap
    // between the two is time spent waiting for a core on a shared machine.
    const custody: number[] = [];
    const custodyCpu: number[] = [];
    for (let i = 0; i < (quick ? 600 : 2_100); i++) {
      const b = g.batchIds[Math.floor(rand() * g.batchIds.length)]!;
      const index = Math.floor(rand() * size.keysPerBatch);
      const c0 = process.cpuUsage();
      const t = performance.now();
      const c = await getCustodyChain(store, { batchId: b, index });
      const ms = performance.now() - t;
      const cpu = process.cpuUsage(c0);
      if ("missing" in c) throw new Error(`custody query missed ${b}#${index}`);
      if (i >= 100) {
        custody.push(ms);
        custodyCpu.push((cpu.user + cpu.system) / 1000);
      }
    }
    results.push({
      name: `custody chain of one key, p99 (${(keys / 1e6).toFixed(0)}M keys, ${size.transfers / 1000}k transfers)`,
      unit: "ms p99",
      value: +pct(custody, 99).toFixed(3),
      notes: `p50 ${pct(custody, 50).toFixed(3)} ms; CPU time per query p50 ${pct(custodyCpu, 50).toFixed(3)} ms, p99 ${pct(custodyCpu, 99).toFixed(3)} ms; target <= 5 ms; lower is better; ${store.info.kind}`,
    });

    const holdings: number[] = [];
    const holdingsCpu: number[] = [];
    let maxBatches = 0;
    for (let i = 0; i < (quick ? 150 : 420); i++) {
      const p = g.parties[Math.floor(rand() * g.parties.length)]!;
      const c0 = process.cpuUsage();
      const t = performance.now();
      const h = await getHoldings(store, { party: p, limit: 100, offset: 0 });
      const ms = performance.now() - t;
      const cpu = process.cpuUsage(c0);
      maxBatches = Math.max(maxBatches, h.totals.batches);
      if (i >= 20) {
        holdings.push(ms);
        holdingsCpu.push((cpu.user + cpu.system) / 1000);
      }
    }
    results.push({
      name: "holdings of a party (first page of 100 batches + totals), p99",
      unit: "ms p99",
      value: +pct(holdings, 99).toFixed(3),
      notes: `p50 ${pct(holdings, 50).toFixed(3)} ms; CPU time per query p50 ${pct(holdingsCpu, 50).toFixed(3)} ms, p99 ${pct(holdingsCpu, 99).toFixed(3)} ms; parties hold up to ${maxBatches} batches; target <= 20 ms; lower is better`,
    });

    // API under load: the custody route with random keys, on PGlite in this thread (the anchor) and
    // as `keytrail serve` runs it (PGlite on a worker thread), same store, same keys.
    const load = async (s: Store) => {
      const server = createApiServer(s);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as AddressInfo).port;
      const r2 = prng(7);
      const ac = await autocannon({
        url: `http://127.0.0.1:${port}`,
        connections: 8,
        duration: quick ? 5 : 20,
        requests: [
          {
            method: "GET",
            setupRequest: (req) => {
              const b = g.batchIds[Math.floor(r2() * g.batchIds.length)]!;
              return { ...req, path: `/batches/${b}/keys/${Math.floor(r2() * size.keysPerBatch)}/custody` };
            },
          },
        ],
      });
      await new Promise((resolve) => server.close(resolve));
      const errors = ac.errors + ac.non2xx + ac.timeouts;
      if (errors) throw new Error(`API load test: ${errors} errors`);
      return ac;
    };
    const inThread = await load(store);
    await store.close();
    store = await openStore({
      dataDir: join(dir, "db"),
      databaseUrl: process.env.BENCH_DATABASE_URL || undefined,
      worker: true,
    });
    const served = await load(store);
    const describe = (ac: autocannon.Result) =>
      `p99 ${ac.latency.p99} ms, p50 ${ac.latency.p50} ms, ${ac.requests.total} requests in ${ac.duration} s, errors 0`;
    results.push({
      name: "API /batches/:id/keys/:index/custody under load (8 connections)",
      unit: "req/s",
      value: Math.round(served.requests.average),
      anchor: { name: "same server, PGlite on the server's thread", value: Math.round(inThread.requests.average) },
      ratio: served.requests.average / inThread.requests.average,
      notes:
        `as keytrail serve runs it (${store.info.kind}${store.info.kind === "pglite" ? " on a worker thread" : ""}): ` +
        `${describe(served)}; anchor ${describe(inThread)}; server and load generator share the 2 cores; higher is better`,
    });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await run({ quick: process.argv.includes("--quick") });
  for (const r of results) process.stdout.write(`${r.name}: ${r.value} ${r.unit}${r.notes ? `  (${r.notes})` : ""}\n`);
}
