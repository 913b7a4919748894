/**
 * Portal benchmarks: the verify page's JavaScript (gzip) and the time from navigation to verdict,
 * measured on the built site in headless Chromium against KeyLedger on a local chain.
 *
 * Anchors (same run):
 * - JS size: the same verify entry bundled the same way (Vite, minified, as Astro does) with viem's
 *   public client (createPublicClient + fallback/http + readContract, generated ABI) in place of the
 *   hand-written keyStatus eth_call: what the page would ship with the obvious implementation.
 *   Lower is better.
 * - Time to verdict: the same page's load event in the same navigations (the verdict cannot come
 *   before the page has loaded; the difference is the verification itself). Lower is better.
 * - Time to verdict against the page as it was when the navigation budgets were set (issues 15 and
 *   16: commit OLD_PAGE_COMMIT, the 137 ms row of docs/BENCHMARKS.md): that commit's portal is built
 *   in the same run (bench/portal/_oldBuild.ts) and served by the same static server against the
 *   same chain, with one RPC and with two (the second a forwarding front to the same node). The old
 *   page reads a KeyLedger v1 (the only ledger it knows: one eth_call), the current one a KeyLedger
 *   v2 with storage proofs, each a genuine full-form code; loads alternate between the builds. The
 *   current page is built with the ledger's version in its configuration (as a deployment names it),
 *   and once more without it (one RPC) to show what that saves.
 *   Budgets: current / old <= 1.2 with one RPC, <= 1.5 with two.
 *
 *   npx tsx bench/portal/portal.ts [--quick] [--json]
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build as viteBuild } from "vite";
import type { BenchOptions, BenchResult } from "../types.js";
import { createStaticServer } from "../../portal/server/createStaticServer.js";
import { buildPortal, repoRoot } from "../../test/portal/helpers/buildPortal.js";
import { launchChromium } from "../../scripts/browser/launchChromium.js";
import { indexAndExport } from "../../test/portal/helpers/indexAndExport.js";
import { setUpScenario } from "../../test/portal/helpers/scenario.js";
import { startHttpChain } from "../../test/portal/helpers/startHttpChain.js";
import { startRpcFront } from "../../test/portal/helpers/startRpcFront.js";
import { anchorV1Batch } from "../../test/portal/helpers/anchorV1Batch.js";
import { buildOldPortal, type OldPortal } from "./_oldBuild.js";

/** The commit whose verify page set the navigation budgets (its portal bench row: 137 ms, load event 102 ms). */
export const OLD_PAGE_COMMIT = "dbff885bdf4b488a809758226cce4ba508d3854a";

const gz = (b: Uint8Array) => gzipSync(b, { level: 9 }).length;

/** Bundles the verify page's entry with Vite (the bundler Astro uses), optionally with viem's client in place of rpc.ts; gzip bytes of the initial chunks. */
async function bundleVerifyEntry(withViem: boolean): Promise<number> {
  const viemRpc = resolve(repoRoot, "bench/portal/_viemRpc.ts");
  const out = (await viteBuild({
    configFile: false,
    logLevel: "silent",
    root: repoRoot,
    define: {
      __KEYTRAIL_PUBLIC__: JSON.stringify({
        chainId: 1,
        chainName: "x",
        rpcUrls: ["https://rpc.example"],
        ledger: `0x${"11".repeat(20)}`,
        portalBase: "https://p.example",
        explorerUrl: "",
      }),
    },
    plugins: withViem
      ? [
          {
            name: "viem-rpc",
            enforce: "pre" as const,
            resolveId: (source: string, importer?: string) =>
              source === "./rpc.ts" && importer?.includes("portal/src/scripts") ? viemRpc : null,
          },
        ]
      : [],
    build: {
      write: false,
      minify: true,
      modulePreload: { polyfill: false },
      rollupOptions: { input: resolve(repoRoot, "portal/src/scripts/verifyPage.ts") },
    },
  })) as
    | { output: { type: string; fileName: string; isEntry?: boolean; imports?: string[]; code?: string }[] }
    | { output: { type: string; fileName: string; isEntry?: boolean; imports?: string[]; code?: string }[] }[];
  const chunks = (Array.isArray(out) ? out[0]! : out).output.filter((c) => c.type === "chunk");
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const initial = new Set<string>();
  const visit = (name: string) => {
    if (initial.has(name)) return;
    initial.add(name);
    for (const i of byName.get(name)?.imports ?? []) visit(i);
  };
  for (const c of chunks) if (c.isEntry) visit(c.fileName);
  return [...initial].reduce((a, n) => a + gz(new TextEncoder().encode(byName.get(n)?.code ?? "")), 0);
}

/**
 * Runs the portal benchmarks.
 *
 * @param opts - quick: fewer navigations
 * @returns results with anchors
 */
export async function run(opts: BenchOptions = {}): Promise<BenchResult[]> {
  const loads = opts.quick ? 3 : 12;
  const chain = await startHttpChain();
  const front = await startRpcFront(chain.url);
  const work = mkdtempSync(join(tmpdir(), "keytrail-bench-portal-"));
  const exportDir = join(work, "export");
  let dist = "";
  let dist2 = "";
  let dist1u = "";
  let old: OldPortal | undefined;
  let server: Server | undefined;
  const servers: Server[] = [];
  const browser = await launchChromium();
  const serve = async (root: string) => {
    const srv = createStaticServer({ root });
    servers.push(srv);
    await new Promise<void>((ok) => srv.listen(0, "127.0.0.1", ok));
    return `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
  };
  try {
    const s = await setUpScenario(chain, join(work, "sealed"));
    await indexAndExport(chain.url, s, join(work, "sealed"), exportDir);
    const env = (rpcUrls: string, ledger: string, withExport: boolean, ledgerVersion?: "2") => ({
      KEYTRAIL_CHAIN_ID: String(s.chainId),
      KEYTRAIL_RPC_URLS: rpcUrls,
      KEYTRAIL_LEDGER: ledger,
      KEYTRAIL_PORTAL_BASE: "https://verify.keytrail.example",
      ...(withExport ? { KEYTRAIL_EXPORT_DIR: exportDir } : {}),
      ...(ledgerVersion ? { KEYTRAIL_LEDGER_VERSION: ledgerVersion } : {}),
    });
    const two = `${chain.url},${front.url}`;
    // The current page as deployed: the build configuration names the ledger's version (v2).
    dist = await buildPortal(env(chain.url, s.ledger, true, "2"));
    dist2 = await buildPortal(env(two, s.ledger, true, "2"));
    // The same page built without the version: the first round learns it (one round more).
    dist1u = await buildPortal(env(chain.url, s.ledger, true));
    // The old page knows only KeyLedger v1; it gets its own v1 ledger on the same chain (no export: the
    // verdict of a full-form code needs none, and the old page shows it before reading any export file).
    const v1 = await anchorV1Batch(chain, "bench old page");
    old = await buildOldPortal(repoRoot, OLD_PAGE_COMMIT, [
      env(chain.url, v1.ledger, false),
      env(two, v1.ledger, false),
    ]);
    server = createStaticServer({ root: dist });
    await new Promise<void>((ok) => server!.listen(0, "127.0.0.1", ok));
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

    // JS actually shipped by the Vite build, as the browser loads it.
    const page = await browser.newPage();
    const bodies = new Map<string, Buffer>();
    page.on("response", (r) => {
      // (a body still arriving when the page closes is not an initial script)
      if (r.request().resourceType() === "script")
        void r.body().then(
          (b) => bodies.set(r.url(), b),
          () => undefined,
        );
    });
    await page.goto(`${origin}/v/`);
    await page.waitForLoadState("networkidle");
    const initial = [...bodies.values()].reduce((a, b) => a + gz(b), 0);
    const initialKeys = new Set(bodies.keys());
    const QRCode = (await import("qrcode")).default;
    const [fallbackResponse] = await Promise.all([
      page.waitForResponse((r) => r.request().resourceType() === "script" && !initialKeys.has(r.url())),
      page.setInputFiles("#upload-input", {
        name: "q.png",
        mimeType: "image/png",
        buffer: await QRCode.toBuffer("x", { scale: 4 }),
      }),
    ]);
    const fallbackBytes = gz(await fallbackResponse.body());
    await page.close();

    const oursBundle = await bundleVerifyEntry(false);
    const viemBundle = await bundleVerifyEntry(true);

    // Time to verdict, genuine full-form payload, fresh page each time; the four pages take turns.
    const pages = {
      now1: { origin, payload: s.payloads.genuine },
      now2: { origin: await serve(dist2), payload: s.payloads.genuine },
      now1u: { origin: await serve(dist1u), payload: s.payloads.genuine },
      old1: { origin: await serve(old.builds[0]!), payload: v1.batch.full(0) },
      old2: { origin: await serve(old.builds[1]!), payload: v1.batch.full(0) },
    };
    type Load = {
      verdict: number;
      load: number;
      marks: Record<string, number>;
      requests: number;
      methods: string[];
      /** Each JSON-RPC POST in the order sent, its methods joined by "+" (a batch has several). */
      posts: string[];
    };
    const measured: Record<keyof typeof pages, Load[]> = { now1: [], now2: [], now1u: [], old1: [], old2: [] };
    const measure = async (at: { origin: string; payload: string }): Promise<Load> => {
      const p = await browser.newPage();
      let requests = 0;
      const methods: string[] = [];
      const posts: string[] = [];
      const spans: [number, number][] = [];
      const index = new Map<unknown, number>();
      // When each POST left and was answered (the rounds on the critical path), as wall-clock ms.
      p.on("requestfinished", (r) => {
        const i = index.get(r);
        const t = r.timing();
        if (i !== undefined && t.startTime > 0 && t.responseEnd > 0)
          spans[i] = [t.startTime + t.requestStart, t.startTime + t.responseEnd];
      });
      p.on("request", (r) => {
        if (r.method() !== "POST") return;
        requests++;
        const body = r.postDataJSON() as { method?: string } | { method?: string }[] | null;
        const sent = (Array.isArray(body) ? body : [body]).map((m) => m?.method ?? "?");
        methods.push(...sent);
        const i = posts.push(sent.join("+")) - 1;
        index.set(r, i);
      });
      await p.goto(`${at.origin}/v/#${at.payload}`);
      await p.waitForFunction(() => document.documentElement.dataset.verdictMs, undefined, { timeout: 30_000 });
      const verdict = await p.evaluate(() => document.getElementById("verdict")?.dataset.verdict);
      if (verdict !== "genuine") throw new Error(`${at.origin}: verdict ${verdict}, expected genuine`);
      const r = await p.evaluate(() => {
        const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
        const marks: Record<string, number> = {};
        for (const m of performance.getEntriesByType("mark"))
          if (m.name.startsWith("keytrail:")) marks[m.name.slice(9)] = Math.round(m.startTime);
        return {
          verdict: Number(document.documentElement.dataset.verdictMs),
          load: Math.round(nav?.loadEventEnd || nav?.domContentLoadedEventEnd || 0),
          marks,
          origin: performance.timeOrigin,
        };
      });
      await p.close();
      // Each POST with when it left and was answered, in ms from navigation.
      const timed = posts.map((x, i) =>
        spans[i] ? `${x} @${Math.round(spans[i][0] - r.origin)}-${Math.round(spans[i][1] - r.origin)}` : x,
      );
      return { verdict: r.verdict, load: r.load, marks: r.marks, requests, methods: methods.sort(), posts: timed };
    };
    for (const at of Object.values(pages)) await measure(at); // warm the server and the chain once
    for (let i = 0; i < loads; i++)
      for (const [k, at] of Object.entries(pages)) measured[k as keyof typeof pages].push(await measure(at));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const verdictOf = (k: keyof typeof pages) => median(measured[k].map((x) => x.verdict));
    const loadOf = (k: keyof typeof pages) => median(measured[k].map((x) => x.load));
    const v = verdictOf("now1");
    const l = loadOf("now1");
    const markNames = [...new Set(measured.now1.flatMap((x) => Object.keys(x.marks)))];
    const breakdown = markNames
      .map((m) => [m, median(measured.now1.map((x) => x.marks[m] ?? NaN))] as const)
      .sort((a, b) => a[1] - b[1])
      .map(([m, t]) => `${m} ${t}`)
      .join(", ");
    const requests = (k: keyof typeof pages) => median(measured[k].map((x) => x.requests));
    /** The JSON-RPC methods of the last load, with their counts. */
    const methods = (k: keyof typeof pages) =>
      Object.entries(
        (measured[k].at(-1)?.methods ?? []).reduce<Record<string, number>>((a, m) => ((a[m] = (a[m] ?? 0) + 1), a), {}),
      )
        .map(([m, n]) => `${m} x${n}`)
        .join(", ");
    return [
      {
        name: "portal verify page JS, initial (gzip, as shipped)",
        unit: "bytes",
        value: initial,
        anchor: { name: "same entry with viem's public client (Vite build)", value: viemBundle },
        ratio: oursBundle / viemBundle,
        notes: `lower is better; ratio compares like with like (our entry alone through the same Vite build: ${oursBundle} B); budget 61440 B including the fallback`,
      },
      {
        name: "portal QR fallback decoder chunk (gzip, on demand)",
        unit: "bytes",
        value: fallbackBytes,
        notes: `loaded only without BarcodeDetector; initial + fallback = ${initial + fallbackBytes} B of a 61440 B budget`,
      },
      {
        name: "portal time from navigation to verdict (median)",
        unit: "ms",
        value: v,
        anchor: { name: "same page's load event", value: l },
        ratio: v / Math.max(1, l),
        notes: `lower is better; ${loads} fresh loads, local chain over HTTP, headless Chromium; ${requests("now1")} RPC requests; marks (median ms from navigation): ${breakdown}`,
      },
      {
        name: "portal time from navigation to verdict, 1 RPC, ledger version not in the build configuration (median)",
        unit: "ms",
        value: verdictOf("now1u"),
        anchor: {
          name: `page of ${OLD_PAGE_COMMIT.slice(0, 7)} built in the same run (v1 ledger)`,
          value: verdictOf("old1"),
        },
        ratio: verdictOf("now1u") / Math.max(1, verdictOf("old1")),
        notes:
          `the version learned in the first round (one round more); configured: ${verdictOf("now1")} ms; ` +
          `HTTP requests of the last load in order: ${(measured.now1u.at(-1)?.posts ?? []).join(", ")}`,
      },
      ...([1, 2] as const).map((n) => {
        const now = verdictOf(n === 1 ? "now1" : "now2");
        const was = verdictOf(n === 1 ? "old1" : "old2");
        return {
          name: `portal time from navigation to verdict vs the budget's page, ${n} RPC${n === 1 ? "" : "s"} (median)`,
          unit: "ms",
          value: now,
          anchor: { name: `page of ${OLD_PAGE_COMMIT.slice(0, 7)} built in the same run (v1 ledger)`, value: was },
          ratio: now / Math.max(1, was),
          notes:
            `lower is better; budget ${n === 1 ? "1.2" : "1.5"}x; ${loads} fresh loads each, alternating; ` +
            `load events ${loadOf(n === 1 ? "now1" : "now2")} / ${loadOf(n === 1 ? "old1" : "old2")} ms; ` +
            `RPC requests ${requests(n === 1 ? "now1" : "now2")} (${methods(n === 1 ? "now1" : "now2")}) / ` +
            `${requests(n === 1 ? "old1" : "old2")} (${methods(n === 1 ? "old1" : "old2")}); ` +
            `HTTP requests of the last load in order (a batch joined by +): ` +
            `${(measured[n === 1 ? "now1" : "now2"].at(-1)?.posts ?? []).join(", ")} / ` +
            `${(measured[n === 1 ? "old1" : "old2"].at(-1)?.posts ?? []).join(", ")}`,
        };
      }),
    ];
  } finally {
    await browser.close();
    await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
    for (const srv of servers) await new Promise<void>((ok) => srv.close(() => ok()));
    await front.close();
    await chain.close();
    old?.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
    if (dist2) rmSync(dist2, { recursive: true, force: true });
    if (dist1u) rmSync(dist1u, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await run({ quick: process.argv.includes("--quick") });
  if (process.argv.includes("--json")) process.stdout.write(`${JSON.stringify({ results }, null, 2)}\n`);
  else
    for (const r of results)
      process.stdout.write(
        `${r.name}: ${r.value} ${r.unit}${r.anchor ? ` (anchor ${r.anchor.name}: ${r.anchor.value}, ratio ${r.ratio?.toFixed(2)})` : ""}${r.notes ? `\n  ${r.notes}` : ""}\n`,
      );
  process.exit(0);
}
