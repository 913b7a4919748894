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
  const loads = opts.quick ? 3 : 10;
  const chain = await startHttpChain();
  const work = mkdtempSync(join(tmpdir(), "keytrail-bench-portal-"));
  const exportDir = join(work, "export");
  let dist = "";
  let server: Server | undefined;
  const browser = await launchChromium();
  try {
    const s = await setUpScenario(chain, join(work, "sealed"));
    await indexAndExport(chain.url, s, join(work, "sealed"), exportDir);
    dist = await buildPortal({
      KEYTRAIL_CHAIN_ID: String(s.chainId),
      KEYTRAIL_RPC_URLS: chain.url,
      KEYTRAIL_LEDGER: s.ledger,
      KEYTRAIL_PORTAL_BASE: "https://verify.keytrail.example",
      KEYTRAIL_EXPORT_DIR: exportDir,
    });
    server = createStaticServer({ root: dist });
    await new Promise<void>((ok) => server!.listen(0, "127.0.0.1", ok));
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

    // JS actually shipped by the Vite build, as the browser loads it.
    const page = await browser.newPage();
    const bodies = new Map<string, Buffer>();
    page.on("response", async (r) => {
      if (r.request().resourceType() === "script") bodies.set(r.url(), await r.body());
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

    // Time to verdict, genuine full-form payload, fresh page each time.
    const verdicts: number[] = [];
    const loadsMs: number[] = [];
    for (let i = 0; i < loads; i++) {
      const p = await browser.newPage();
      await p.goto(`${origin}/v/#${s.payloads.genuine}`);
      await p.waitForFunction(() => document.documentElement.dataset.verdictMs);
      verdicts.push(Number(await p.evaluate(() => document.documentElement.dataset.verdictMs)));
      loadsMs.push(
        await p.evaluate(() => {
          const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
          return Math.round(nav?.loadEventEnd || nav?.domContentLoadedEventEnd || 0);
        }),
      );
      await p.close();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const v = median(verdicts);
    const l = median(loadsMs);
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
        notes: `lower is better; ${loads} fresh loads, local chain over HTTP, headless Chromium`,
      },
    ];
  } finally {
    await browser.close();
    await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
    await chain.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
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
