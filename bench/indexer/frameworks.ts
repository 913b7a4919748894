/**
 * The read API on each HTTP layer, same route table, same store, same load, in one run:
 *   - anchor: the hand-written node:http server the API had before (bench/indexer/_nodeHttpApiServer),
 *   - Hono + @hono/node-server (what `keytrail serve` runs: indexer/api/createApiServer),
 *   - Fastify (bench/indexer/_fastifyApiServer).
 * Before the load each server must answer a set of sample requests (good, bad, hostile) exactly
 * as the anchor does (status and body), or the run fails.
 *
 * Load per server: (1) /status p99 while /digest (hostile blocks, 4 connections) and /batches/:id
 * (500-entry pages, 2 connections) are hammered, as bench/indexer/readLoad.ts; (2) the custody
 * route with random keys, 8 connections, req/s, as bench/indexer/queries.ts.
 *
 *   npx tsx bench/indexer/frameworks.ts [--quick]
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { MAX_PAGE, createApiServer } from "../../indexer/api/createApiServer.js";
import { getStateDigest } from "../../indexer/query/getStateDigest.js";
import { openStore } from "../../indexer/store/openStore.js";
import { readCursor } from "../../indexer/store/readCursor.js";
import type { Store } from "../../indexer/store/types.js";
import type { BenchResult } from "../types.js";
import { createFastifyApiServer } from "./_fastifyApiServer.js";
import { generateStore, prng } from "./_generateStore.js";
import { createNodeHttpApiServer } from "./_nodeHttpApiServer.js";

type Kind = "node:http" | "hono" | "fastify";
const SERVERS: Record<Kind, (store: Store) => Server | Promise<Server>> = {
  "node:http": (store) => createNodeHttpApiServer(store),
  hono: (store) => createApiServer(store),
  fastify: (store) => createFastifyApiServer(store),
};

type Figures = {
  statusP99: number;
  statusRequests: number;
  statusErrors: number;
  custodyRps: number;
  custodyP99: number;
};

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
const close = async (server: Server) => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
};

/** Status and body of each sample path (the comparison between servers). */
async function answers(url: string, paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const r = await fetch(`${url}${p}`);
    out.push(`${r.status} ${r.headers.get("content-type")} ${r.headers.get("cache-control")} ${await r.text()}`);
  }
  return out;
}

/** Runs the framework benchmark. */
export async function run(opts: { json?: boolean; quick?: boolean } = {}): Promise<BenchResult[]> {
  const quick = opts.quick === true;
  const size = quick
    ? { batches: 40, keysPerBatch: 5_000, parties: 50, transfers: 5_000 }
    : { batches: 200, keysPerBatch: 10_000, parties: 100, transfers: 40_000 };
  const duration = quick ? 5 : 20;
  const dir = mkdtempSync(join(tmpdir(), "kt-bench-fw-"));
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
    const drainMs = Math.ceil(4 * (performance.now() - t)) + 1000;
    const b0 = g.batchIds[0]!;
    const party = g.parties[0]!;
    const samples = [
      "/status",
      "/status/",
      "/batches?limit=3",
      `/batches/${b0}?limit=2&offset=1`,
      `/batches/${b0}/keys/7`,
      `/batches/${b0}/keys/7/custody`,
      `/batches/${b0}/keys/${size.keysPerBatch}`,
      `/parties/${party}`,
      `/parties/${party}/holdings?limit=2`,
      "/parties?kind=supplier",
      "/flows?limit=3",
      "/digest",
      `/digest?block=${head + 1}`,
      "/batches/%E0%A4%A",
      "/batches?constructor=1",
      "/batches?limit=1&limit=2",
      "/batches?limit=0",
      "/nowhere",
      "/openapi.json",
    ];
    let expected: string[] | null = null;
    const figures = {} as Record<Kind, Figures>;
    for (const kind of Object.keys(SERVERS) as Kind[]) {
      const server = await SERVERS[kind](store);
      const url = await listen(server);
      try {
        const got = await answers(url, samples);
        expected ??= got;
        got.forEach((a, i) => {
          if (a !== expected![i])
            throw new Error(`${kind} answers ${samples[i]} differently:\n${a}\nvs\n${expected![i]}`);
        });
        const rand = prng(5);
        const hostile = ["-1", "abc", "1e3", "0x10", `${2 ** 48}`, `${head + 1}`, "99999999999999999", "%ZZ"];
        const [status] = await Promise.all([
          autocannon({ url, connections: 1, duration, requests: [{ method: "GET", path: "/status" }] }),
          autocannon({
            url,
            connections: 4,
            duration,
            requests: [
              {
                method: "GET",
                setupRequest: (req) => {
                  const r = rand();
                  const block =
                    r < 0.25 ? hostile[Math.floor(rand() * hostile.length)]! : `${Math.floor(rand() * head)}`;
                  return { ...req, path: `/digest?block=${block}` };
                },
              },
            ],
          }),
          autocannon({
            url,
            connections: 2,
            duration,
            requests: [
              {
                method: "GET",
                setupRequest: (req) => {
                  const id = g.batchIds[Math.floor(rand() * g.batchIds.length)]!;
                  return { ...req, path: `/batches/${id}?limit=${MAX_PAGE}&offset=0` };
                },
              },
            ],
          }),
        ]);
        await new Promise((resolve) => setTimeout(resolve, drainMs));
        const r2 = prng(7);
        const custody = await autocannon({
          url,
          connections: 8,
          duration,
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
        const custodyErrors = custody.errors + custody.timeouts + custody.non2xx;
        if (custodyErrors) throw new Error(`${kind}: custody route load: ${custodyErrors} errors`);
        figures[kind] = {
          statusP99: status.latency.p99,
          statusRequests: status.requests.total,
          statusErrors: status.errors + status.timeouts + status.non2xx,
          custodyRps: Math.round(custody.requests.average),
          custodyP99: custody.latency.p99,
        };
        process.stderr.write(`${kind}: ${JSON.stringify(figures[kind])}\n`);
      } finally {
        await close(server);
        await new Promise((resolve) => setTimeout(resolve, drainMs));
      }
    }
    const a = figures["node:http"];
    const anchorName = "hand-written node:http server (the API before the move), same routes";
    const setting = `${duration} s per server on loopback, ${store.info.kind}, load generator on the same cores`;
    return (["hono", "fastify"] as const).flatMap((kind) => {
      const f = figures[kind];
      const label = kind === "hono" ? "Hono + @hono/node-server (served)" : "Fastify";
      return [
        {
          name: `read API on ${label}: /status p99 while /digest and /batches/:id are hammered`,
          unit: "ms p99",
          value: f.statusP99,
          anchor: { name: anchorName, value: a.statusP99 },
          ratio: a.statusP99 ? f.statusP99 / a.statusP99 : undefined,
          notes:
            `lower is better; /status ${f.statusRequests} vs ${a.statusRequests} requests, errors ${f.statusErrors} ` +
            `vs ${a.statusErrors}; ${setting}`,
        },
        {
          name: `read API on ${label}: custody route under load (8 connections)`,
          unit: "req/s",
          value: f.custodyRps,
          anchor: { name: anchorName, value: a.custodyRps },
          ratio: f.custodyRps / a.custodyRps,
          notes: `higher is better; p99 ${f.custodyP99} vs ${a.custodyP99} ms; ${setting}`,
        },
      ];
    });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await run({ quick: process.argv.includes("--quick") });
  for (const r of results)
    process.stdout.write(
      `${r.name}: ${r.value} ${r.unit} (anchor ${r.anchor?.value} ${r.unit}, ratio ${r.ratio?.toFixed(2)})  ${r.notes}\n`,
    );
}
