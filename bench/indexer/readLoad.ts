/**
 * The read API under hostile load: `/digest` hammered with random and invalid block values and
 * `/batches/:id` with 500-entry pages, while `/status` is measured (p99). Anchor: the same server
 * with the digest cache and build queue, the statement lanes and the heavy-request cap turned off
 * (every `/digest` builds its snapshot, every statement goes straight to the store), measured in the
 * same run on the same store; also measured: the cache on but no lanes and no cap (the server before
 * the lanes).
 *
 *   npx tsx bench/indexer/readLoad.ts [--quick]
 *
 * Target: `/status` p99 under 50 ms (30 s per server on loopback; --quick: 5 s).
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import autocannon from "autocannon";
import { createApiServer, MAX_PAGE } from "../../indexer/api/createApiServer.js";
import type { DigestCacheOptions } from "../../indexer/api/createDigestCache.js";
import { getStateDigest } from "../../indexer/query/getStateDigest.js";
import { openStore } from "../../indexer/store/openStore.js";
import { readCursor } from "../../indexer/store/readCursor.js";
import type { Store } from "../../indexer/store/types.js";
import type { BenchResult } from "../types.js";
import { generateStore, prng } from "./_generateStore.js";

type Load = {
  status: autocannon.Result;
  digest: autocannon.Result;
  batches: autocannon.Result;
  /** p99 of the event loop's delay during the load, ms (the server and the load generators share it). */
  loopDelayP99: number;
};

/** One 'duration' of load against a fresh server over `store`. */
async function hammer(
  store: Store,
  parameters: {
    batchIds: string[];
    head: number;
    duration: number;
    digestCache: DigestCacheOptions;
    /** false: no statement lanes and no heavy-request cap. */
    lanes: boolean;
    drainMs: number;
  },
): Promise<Load> {
  const server = createApiServer(
    store,
    parameters.lanes
      ? { digestCache: parameters.digestCache }
      : { digestCache: parameters.digestCache, lanes: false, maxHeavy: Number.MAX_SAFE_INTEGER },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A serving process has its head's digest already (built once per head): warm it up first.
  await (await fetch(`${url}/digest`)).text();
  const rand = prng(5);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const hostile = ["-1", "abc", "1e3", "0x10", `${2 ** 48}`, `${parameters.head + 1}`, "99999999999999999", "%ZZ"];
  try {
    loop.enable();
    const [status, digest, batches] = await Promise.all([
      autocannon({
        url,
        connections: 1,
        duration: parameters.duration,
        requests: [{ method: "GET", path: "/status" }],
      }),
      autocannon({
        url,
        connections: 4,
        duration: parameters.duration,
        requests: [
          {
            method: "GET",
            setupRequest: (req) => {
              const r = rand();
              const block =
                r < 0.25 ? hostile[Math.floor(rand() * hostile.length)]! : `${Math.floor(rand() * parameters.head)}`;
              return { ...req, path: `/digest?block=${block}` };
            },
          },
        ],
      }),
      autocannon({
        url,
        connections: 2,
        duration: parameters.duration,
        requests: [
          {
            method: "GET",
            setupRequest: (req) => {
              const id = parameters.batchIds[Math.floor(rand() * parameters.batchIds.length)]!;
              return { ...req, path: `/batches/${id}?limit=${MAX_PAGE}&offset=0` };
            },
          },
        ],
      }),
    ]);
    loop.disable();
    return { status, digest, batches, loopDelayP99: Math.round(loop.percentile(99) / 1e6) };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    // Requests cut off by the end of the run may still be building snapshots: let them finish.
    await new Promise((resolve) => setTimeout(resolve, parameters.drainMs));
  }
}

const summary = (r: autocannon.Result) =>
  `${r.requests.total} requests, p99 ${r.latency.p99} ms, 2xx ${r["2xx"]}, 4xx ${r["4xx"]}, 5xx ${r["5xx"]}, ` +
  `errors ${r.errors + r.timeouts}`;

/** Runs the hostile-load benchmark of the read API. */
export async function run(opts: { json?: boolean; quick?: boolean } = {}): Promise<BenchResult[]> {
  const quick = opts.quick === true;
  const size = quick
    ? { batches: 40, keysPerBatch: 5_000, parties: 50, transfers: 5_000 }
    : { batches: 200, keysPerBatch: 10_000, parties: 100, transfers: 40_000 };
  const duration = quick ? 5 : 30;
  const dir = mkdtempSync(join(tmpdir(), "kt-bench-rl-"));
  const open = () =>
    openStore({
      dataDir: join(dir, "db"),
      databaseUrl: process.env.BENCH_DATABASE_URL || undefined,
      log: (l) => process.stderr.write(`${l}\n`),
    });
  let store = await open();
  try {
    const g = await generateStore(store, size);
    await store.close();
    store = await open();
    const head = (await readCursor(store))!.number;
    const t = performance.now();
    await getStateDigest(store, { block: head });
    const buildMs = performance.now() - t;
    process.stderr.write(
      `store: ${g.batchIds.length} batches, head block ${head}, one snapshot build ${buildMs.toFixed(0)} ms\n`,
    );
    const common = { batchIds: g.batchIds, head, duration, drainMs: Math.ceil(4 * buildMs) + 1000 };
    const anchor = await hammer(store, { ...common, digestCache: { size: 0 }, lanes: false });
    const noLanes = await hammer(store, { ...common, digestCache: {}, lanes: false });
    const ours = await hammer(store, { ...common, digestCache: {}, lanes: true });
    for (const [name, l] of [
      ["anchor", anchor],
      ["cache, no lanes", noLanes],
      ["ours", ours],
    ] as const) {
      process.stderr.write(
        `${name}: /status ${summary(l.status)}\n  /digest ${summary(l.digest)}\n  /batches/:id ${summary(l.batches)}\n` +
          `  event loop delay p99 ${l.loopDelayP99} ms\n`,
      );
      if (name === "ours" && (l.status.non2xx || l.status.errors || l.status.timeouts))
        throw new Error(`read load (${name}): /status failed: ${summary(l.status)}`);
    }
    const p99 = ours.status.latency.p99;
    return [
      {
        name: `API /status p99 while /digest (hostile blocks, 4 conn.) and /batches/:id (${MAX_PAGE}-entry pages, 2 conn.) are hammered`,
        unit: "ms p99",
        value: p99,
        anchor: {
          name: "same server, digest cache, build queue, statement lanes and heavy cap off",
          value: anchor.status.latency.p99,
        },
        ratio: anchor.status.latency.p99 ? p99 / anchor.status.latency.p99 : undefined,
        notes:
          `lower is better; target < 50 ms (${p99 < 50 ? "met" : "missed"}); ${duration} s each on loopback, ` +
          `head digest warmed first, anchor /status errors ${anchor.status.errors + anchor.status.timeouts}, ` +
          `${store.info.kind}, one snapshot build ${buildMs.toFixed(0)} ms; /status ${ours.status.requests.total} vs ` +
          `${anchor.status.requests.total} requests; cache on but no lanes or cap: /status p99 ` +
          `${noLanes.status.latency.p99} ms (${noLanes.status.requests.total} requests); event loop delay p99 ours ` +
          `${ours.loopDelayP99} ms, no lanes ${noLanes.loopDelayP99} ms, anchor ${anchor.loopDelayP99} ms; ` +
          `/digest ours ${summary(ours.digest)}; anchor ${summary(anchor.digest)}; ` +
          `/batches/:id ours ${summary(ours.batches)}; anchor ${summary(anchor.batches)}`,
      },
    ];
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await run({ quick: process.argv.includes("--quick") });
  for (const r of results)
    process.stdout.write(
      `${r.name}: ${r.value} ${r.unit} (anchor ${r.anchor?.value} ${r.unit})${r.notes ? `  (${r.notes})` : ""}\n`,
    );
}
