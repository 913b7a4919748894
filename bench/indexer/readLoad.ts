/**
 * The read API under hostile load: `/digest` hammered with random and invalid block values and
 * `/batches/:id` with 500-entry pages, while `/status` is measured (p99). Anchor: the same server
 * with the digest cache and build queue, the statement lanes and the heavy-request cap turned off
 * (every `/digest` builds its snapshot, every statement goes straight to the store), measured in the
 * same run on the same store; also measured: the cache on but no lanes and no cap (the server before
 * the lanes), and cache, lanes and cap with PGlite on the server's thread (the server before PGlite
 * moved to a worker thread). Each server runs in a process of its own, as `keytrail serve` does, so
 * the load generators (autocannon, in this process) never share its event loop.
 *
 *   npx tsx bench/indexer/readLoad.ts [--quick]
 *
 * Target: `/status` p99 under 50 ms (30 s per server on loopback; --quick: 5 s).
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { MAX_PAGE } from "../../indexer/api/createApiServer.js";
import { getStateDigest } from "../../indexer/query/getStateDigest.js";
import { openStore } from "../../indexer/store/openStore.js";
import { readCursor } from "../../indexer/store/readCursor.js";
import type { BenchResult } from "../types.js";
import { generateStore, prng } from "./_generateStore.js";

type Load = {
  status: autocannon.Result;
  digest: autocannon.Result;
  batches: autocannon.Result;
  /** p99 of the server process's event loop delay during the load, ms. */
  loopDelayP99: number;
};

/** Which server is measured: see bench/indexer/_readLoadServer.ts. */
type Setup = "anchor" | "cache" | "lanes" | "serve";

/**
 * One 'duration' of load against a fresh server in a process of its own (as `keytrail serve` runs)
 * over the store in `dataDir`; the load generators run in this process.
 */
async function hammer(
  dataDir: string,
  parameters: {
    setup: Setup;
    batchIds: string[];
    head: number;
    duration: number;
  },
): Promise<Load> {
  const child = fork(fileURLToPath(new URL("./_readLoadServer.ts", import.meta.url)), [dataDir, parameters.setup], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { port: number }).port));
    child.once("exit", (code) =>
      reject(new Error(`read-load server (${parameters.setup}) exited (${code}) before listening`)),
    );
  });
  const url = `http://127.0.0.1:${port}`;
  // A serving process has its head's digest already (built once per head): warm it up first.
  await (await fetch(`${url}/digest`)).text();
  const rand = prng(5);
  const hostile = ["-1", "abc", "1e3", "0x10", `${2 ** 48}`, `${parameters.head + 1}`, "99999999999999999", "%ZZ"];
  try {
    child.send("start");
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
    const loopDelayP99 = await new Promise<number>((resolve) => {
      child.once("message", (m) => resolve((m as { loopDelayP99: number }).loopDelayP99));
      child.send("stop");
    });
    return { status, digest, batches, loopDelayP99 };
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await exited;
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
    const kind = store.info.kind;
    // the servers open the store themselves, one process at a time (PGlite has one owner)
    await store.close();
    const common = { batchIds: g.batchIds, head, duration };
    const dataDir = join(dir, "db");
    const anchor = await hammer(dataDir, { ...common, setup: "anchor" });
    const noLanes = await hammer(dataDir, { ...common, setup: "cache" });
    const lanes = await hammer(dataDir, { ...common, setup: "lanes" });
    const ours = await hammer(dataDir, { ...common, setup: "serve" });
    for (const [name, l] of [
      ["anchor", anchor],
      ["cache, no lanes", noLanes],
      ["cache, lanes, in-process PGlite", lanes],
      ["ours (as keytrail serve: PGlite on a worker thread)", ours],
    ] as const) {
      process.stderr.write(
        `${name}: /status ${summary(l.status)}\n  /digest ${summary(l.digest)}\n  /batches/:id ${summary(l.batches)}\n` +
          `  server event loop delay p99 ${l.loopDelayP99} ms\n`,
      );
      if (l === ours && (l.status.non2xx || l.status.errors || l.status.timeouts))
        throw new Error(`read load (${name}): /status failed: ${summary(l.status)}`);
    }
    const p99 = ours.status.latency.p99;
    return [
      {
        name: `API /status p99 while /digest (hostile blocks, 4 conn.) and /batches/:id (${MAX_PAGE}-entry pages, 2 conn.) are hammered`,
        unit: "ms p99",
        value: p99,
        anchor: {
          name: "same server, digest cache, build queue, statement lanes and heavy cap off, PGlite on its thread",
          value: anchor.status.latency.p99,
        },
        ratio: anchor.status.latency.p99 ? p99 / anchor.status.latency.p99 : undefined,
        notes:
          `lower is better; target < 50 ms (${p99 < 50 ? "met" : "missed"}); ${duration} s each on loopback, ` +
          `head digest warmed first, anchor /status errors ${anchor.status.errors + anchor.status.timeouts}, ` +
          `${kind}, each server in its own process (as keytrail serve), one snapshot build ${buildMs.toFixed(0)} ms; ` +
          `/status ${ours.status.requests.total} vs ${anchor.status.requests.total} requests; cache on but no lanes or ` +
          `cap: /status p99 ${noLanes.status.latency.p99} ms (${noLanes.status.requests.total} requests); cache, lanes ` +
          `and cap with PGlite on the server's thread: ${lanes.status.latency.p99} ms (${lanes.status.requests.total} ` +
          `requests); server event loop delay p99 ours ${ours.loopDelayP99} ms, in-process PGlite ` +
          `${lanes.loopDelayP99} ms, no lanes ${noLanes.loopDelayP99} ms, anchor ${anchor.loopDelayP99} ms; ` +
          `/digest ours ${summary(ours.digest)}; anchor ${summary(anchor.digest)}; ` +
          `/batches/:id ours ${summary(ours.batches)}; anchor ${summary(anchor.batches)}`,
      },
    ];
  } finally {
    await store.close().catch(() => undefined); // closed already after the store was built
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
