/**
 * End-to-end: the built portal in real headless Chromium, served on 127.0.0.1, verifying real
 * payloads against a real KeyLedger on an in-process chain exposed over HTTP; the site is built
 * from the real indexer's static export and the real audit report of that chain.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import QRCode from "qrcode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "../../audit/runAudit.js";
import { writeAuditReport } from "../../audit/report/writeAuditReport.js";
import { payloadUrl } from "../../lib/payload/payloadUrl.js";
import { buildPortal, repoRoot } from "./helpers/buildPortal.js";
import { servePortal, type ServedPortal } from "./helpers/servePortal.js";
import { launchChromium } from "../../scripts/browser/launchChromium.js";
import { indexAndExport } from "./helpers/indexAndExport.js";
import { setUpScenario, type Scenario } from "./helpers/scenario.js";
import { startHttpChain, type HttpChain } from "./helpers/startHttpChain.js";
import { writeQrVideo } from "./helpers/writeQrVideo.js";

const SHOTS = join(repoRoot, "test-results", "portal");
const PORTAL_BASE = "https://verify.keytrail.example";

let chain: HttpChain;
let scenario: Scenario;
let dist: string;
let work: string;
let exportDir: string;
let site: ServedPortal | undefined;
let origin: string;
let browser: Browser;
const foreignRequests: string[] = [];
const pageErrors: string[] = [];
const cspViolations: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  chain = await startHttpChain();
  work = mkdtempSync(join(tmpdir(), "keytrail-portal-e2e-"));
  exportDir = join(work, "export");
  scenario = await setUpScenario(chain, join(work, "sealed"));
  await indexAndExport(chain.url, scenario, join(work, "sealed"), exportDir);
  // The audit area's report, published into the export like `keytrail audit --export-dir` does.
  const { report } = await runAudit((await chain.viem.getPublicClient()) as never, { ledger: scenario.ledger });
  await writeAuditReport(report, { outDir: join(work, "audit"), exportDir });
  dist = await buildPortal({
    KEYTRAIL_CHAIN_ID: String(scenario.chainId),
    KEYTRAIL_CHAIN_NAME: "Hardhat",
    KEYTRAIL_RPC_URLS: chain.url,
    KEYTRAIL_LEDGER: scenario.ledger,
    KEYTRAIL_PORTAL_BASE: PORTAL_BASE,
    KEYTRAIL_EXPLORER_URL: "https://explorer.keytrail.example",
    KEYTRAIL_EXPORT_DIR: exportDir,
  });
  site = await servePortal(dist);
  ({ origin, browser } = site);
});

afterAll(async () => {
  await site?.close();
  await chain?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.protocol !== "data:" && u.protocol !== "blob:" && u.hostname !== "127.0.0.1") foreignRequests.push(r.url());
  });
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => {
    if (/Content[- ]Security[- ]Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  if (process.env.KEYTRAIL_DEBUG) page.on("console", (m) => process.stdout.write(`[page] ${m.text()}\n`));
  page.on("dialog", (d) => {
    pageErrors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return page;
}

async function verdictOf(page: Page): Promise<string> {
  await page.waitForFunction(
    () => (document.getElementById("verdict") as HTMLElement | null)?.dataset.verdict,
    undefined,
    { timeout: 30_000 },
  );
  return page.$eval("#verdict", (e) => (e as HTMLElement).dataset.verdict ?? "");
}

async function open(payload: string, lang: "zh" | "en" = "zh"): Promise<Page> {
  const page = await newPage();
  await page.goto(`${origin}${lang === "en" ? "/en" : ""}/v/#${payload}`);
  return page;
}

describe("portal end to end (Chromium, live chain)", () => {
  it("genuine full-form payload: verdict, facts and custody timeline with tiers and live holder", async () => {
    const page = await open(scenario.payloads.genuine);
    expect(await verdictOf(page)).toBe("genuine");
    expect(await page.textContent("#verdict-title")).toBe("正品");
    await page.waitForSelector("#timeline li[data-hop='2'] [data-live='confirmed']");
    const hops = await page.$$eval("#timeline li", (lis) => lis.map((li) => (li as HTMLElement).dataset.party));
    expect(hops).toEqual([scenario.parties.supplier, scenario.parties.distA, scenario.parties.retailerB]);
    const text = await page.textContent("#timeline");
    expect(text).toContain("第1级");
    expect(text).toContain("第2级");
    expect(
      await page.getAttribute("#timeline li[data-hop='1'] a[href^='https://explorer.keytrail.example/tx/0x']", "href"),
    ).toMatch(/^https:\/\/explorer\.keytrail\.example\/tx\/0x[0-9a-f]{64}$/);
    const ms = Number(await page.evaluate(() => document.documentElement.dataset.verdictMs));
    process.stdout.write(`[portal] time from navigation to verdict (genuine, full form): ${ms} ms\n`);
    await page.screenshot({ path: join(SHOTS, "genuine-zh.png"), fullPage: true });
    await page.close();
  });

  it("genuine short-form payload fetches its proof shard from the export (English)", async () => {
    const page = await open(scenario.payloads.genuineShort, "en");
    expect(await verdictOf(page)).toBe("genuine");
    expect(await page.textContent("#verdict-title")).toBe("Genuine");
    await page.screenshot({ path: join(SHOTS, "genuine-short-en.png"), fullPage: true });
    await page.close();
  });

  it("a forged commitment, an unknown batch and an index outside the batch are 'not issued by anyone here'", async () => {
    for (const [name, payload] of [
      ["forged", scenario.payloads.forged],
      ["unknown-batch", scenario.payloads.unknownBatch],
      ["index-out-of-range", scenario.payloads.outOfRange],
    ] as const) {
      const page = await open(payload, "en");
      expect(await verdictOf(page), name).toBe("not-in-batch");
      expect(await page.textContent("#verdict-title")).toBe("Not issued by anyone here");
      await page.screenshot({ path: join(SHOTS, `not-in-batch-${name}-en.png`), fullPage: true });
      await page.close();
    }
  });

  it("revoked key shows the reason", async () => {
    const page = await open(scenario.payloads.revoked);
    expect(await verdictOf(page)).toBe("revoked");
    expect(await page.textContent("#facts")).toContain("被盗");
    await page.screenshot({ path: join(SHOTS, "revoked-zh.png"), fullPage: true });
    await page.close();
    const en = await open(scenario.payloads.revoked, "en");
    expect(await verdictOf(en)).toBe("revoked");
    expect(await en.textContent("#facts")).toContain("stolen");
    await en.screenshot({ path: join(SHOTS, "revoked-en.png"), fullPage: true });
    await en.close();
  });

  it("redeemed key is 'already redeemed'", async () => {
    const page = await open(scenario.payloads.redeemed, "en");
    expect(await verdictOf(page)).toBe("redeemed");
    await page.screenshot({ path: join(SHOTS, "redeemed-en.png"), fullPage: true });
    await page.close();
  });

  it("a seller that is not the holder: from the payload, and named by the buyer", async () => {
    const page = await open(scenario.payloads.sellerMismatch, "en");
    expect(await verdictOf(page)).toBe("holder-mismatch");
    expect(await page.textContent("#facts")).toContain(scenario.parties.distC);
    await page.screenshot({ path: join(SHOTS, "holder-mismatch-en.png"), fullPage: true });
    await page.close();

    const p2 = await newPage();
    await p2.goto(`${origin}/en/v/`);
    await p2.fill("#seller-input", scenario.parties.distA);
    await p2.fill("#paste-input", payloadUrl(PORTAL_BASE, scenario.payloads.genuine));
    await p2.click("#paste-form button[type=submit]");
    expect(await verdictOf(p2)).toBe("holder-mismatch");
    await p2.close();
  });

  it("wrong-chain payload says which chain it is for", async () => {
    const page = await open(scenario.payloads.wrongChain, "en");
    expect(await verdictOf(page)).toBe("wrong-chain");
    expect(await page.textContent("#facts")).toContain("BNB Smart Chain, chain id 56");
    await page.screenshot({ path: join(SHOTS, "wrong-chain-en.png"), fullPage: true });
    // The language switch keeps the code.
    await page.click("#lang-switch");
    await page.waitForURL(`${origin}/v/#${scenario.payloads.wrongChain}`);
    expect(await verdictOf(page)).toBe("wrong-chain");
    expect(await page.textContent("#verdict-title")).toBe("属于另一条链");
    await page.screenshot({ path: join(SHOTS, "wrong-chain-zh.png"), fullPage: true });
    await page.close();
  });

  it("'enter your key' matches locally for the right key and not for a wrong one, sending nothing", async () => {
    const page = await open(scenario.payloads.genuine, "en");
    expect(await verdictOf(page)).toBe("genuine");
    const sent: string[] = [];
    page.on("request", (r) => sent.push(`${r.url()} ${r.postData() ?? ""}`));
    const pin = scenario.pinOf(0);
    await page.fill("#key-pin", pin.toLowerCase().replace(/-/g, " "));
    await page.click("#key-form button[type=submit]");
    await page.waitForSelector("#key-result[data-match]"); // the hashing loads on demand
    const typedLower = await page.getAttribute("#key-result", "data-match");
    await page.fill("#key-pin", pin);
    await page.click("#key-form button[type=submit]");
    await page.waitForSelector("#key-result[data-match]"); // the hashing loads on demand
    expect(await page.getAttribute("#key-result", "data-match")).toBe("yes");
    await page.fill("#key-pin", `${pin}X`);
    await page.click("#key-form button[type=submit]");
    await page.waitForSelector("#key-result[data-match]"); // the hashing loads on demand
    expect(await page.getAttribute("#key-result", "data-match")).toBe("no");
    expect(sent.filter((s) => s.includes(pin) || s.includes(pin.toLowerCase()))).toEqual([]);
    expect(typedLower).toBe("no"); // this batch is case-sensitive: a lower-cased key is a different key
    await page.close();
  });

  it("a real QR image decodes through the upload path (pure-JS decoder loaded only then)", async () => {
    const page = await newPage();
    const scripts: string[] = [];
    page.on("response", (r) => {
      if (r.request().resourceType() === "script") scripts.push(new URL(r.url()).pathname);
    });
    await page.goto(`${origin}/en/v/`);
    await page.waitForLoadState("networkidle");
    const before = scripts.length;
    const png = await QRCode.toBuffer(payloadUrl(PORTAL_BASE, scenario.payloads.genuine), {
      errorCorrectionLevel: "M",
      margin: 4,
      scale: 6,
    });
    await page.setInputFiles("#upload-input", { name: "qr.png", mimeType: "image/png", buffer: png });
    expect(await verdictOf(page)).toBe("genuine");
    expect(scripts.length).toBeGreaterThan(before); // the fallback decoder chunk arrived on demand
    expect(new URL(page.url()).hash.slice(1)).toBe(scenario.payloads.genuine);
    await page.screenshot({ path: join(SHOTS, "upload-genuine-en.png"), fullPage: true });

    // An image without a QR, and bytes that are not an image.
    const blank = await QRCode.toBuffer("x", { margin: 0, scale: 1 });
    await page.setInputFiles("#upload-input", {
      name: "blank.png",
      mimeType: "image/png",
      buffer: Buffer.concat([blank.subarray(0, 40)]),
    });
    await page.waitForFunction(() => document.getElementById("verdict")?.hidden === true);
    expect(await page.textContent("#status")).toMatch(/could not be read|No readable QR/);

    // A large photo (about 2,000 px square) is scaled down before decoding and still reads.
    let t0 = Date.now();
    const huge = await QRCode.toBuffer(payloadUrl(PORTAL_BASE, scenario.payloads.revoked), {
      errorCorrectionLevel: "M",
      margin: 4,
      scale: 36,
    });
    await page.setInputFiles("#upload-input", { name: "huge.png", mimeType: "image/png", buffer: huge });
    await page.waitForFunction(() => (document.getElementById("verdict") as HTMLElement).dataset.verdict === "revoked");
    if (process.env.KEYTRAIL_DEBUG) process.stdout.write(`large photo: ${Date.now() - t0} ms\n`);
    t0 = Date.now();
    // A file over the upload limit is refused unread.
    const big = join(work, "big.png");
    closeSync(openSync(big, "w"));
    truncateSync(big, 26 * 1024 * 1024); // sparse: nothing is written
    await page.setInputFiles("#upload-input", big);
    await page.waitForFunction(() => document.getElementById("verdict")?.hidden === true);
    expect(await page.textContent("#status")).toContain("could not be read");
    if (process.env.KEYTRAIL_DEBUG) process.stdout.write(`oversized file: ${Date.now() - t0} ms\n`);

    // A QR carrying a script.
    const evil = await QRCode.toBuffer(`javascript:window.__pwned=1//#<img src=x onerror="window.__pwned=1">`, {
      errorCorrectionLevel: "L",
      scale: 4,
    });
    await page.setInputFiles("#upload-input", { name: "evil.png", mimeType: "image/png", buffer: evil });
    expect(await verdictOf(page)).toBe("malformed");
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.$$("#facts img")).toHaveLength(0);
    await page.close();
  });

  it("hostile payloads show 'malformed', execute nothing and keep the page responsive", async () => {
    const hostile = [
      "",
      "AAAA",
      scenario.payloads.genuine.slice(0, 40),
      `${scenario.payloads.genuine}AAAA`,
      "A".repeat(100_000),
      "<script>window.__pwned=1</script>",
      `"><img src=x onerror=window.__pwned=1>`,
      "javascript:window.__pwned=1",
      "%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E",
      "\u202e\u0000\uffff💥",
      "_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-",
    ];
    const page = await newPage();
    await page.goto(`${origin}/en/v/`);
    for (const h of hostile) {
      await page.evaluate(() => {
        const v = document.getElementById("verdict") as HTMLElement;
        v.dataset.verdict = "";
      });
      await page.fill("#paste-input", h);
      await page.click("#paste-form button[type=submit]");
      if (h === "") {
        expect(await page.$eval("#verdict", (e) => (e as HTMLElement).dataset.verdict)).toMatch(/^(|malformed)$/);
        continue;
      }
      expect(await verdictOf(page), JSON.stringify(h.slice(0, 40))).toBe("malformed");
      expect(await page.evaluate(() => 1 + 1)).toBe(2); // still responsive
    }
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.$$("#main img, #main script:not([type])")).toHaveLength(0);
    await page.screenshot({ path: join(SHOTS, "malformed-en.png"), fullPage: true });
    // Straight from the fragment, too.
    const p2 = await open(encodeURIComponent("<script>window.__pwned=1</script>"));
    expect(await verdictOf(p2)).toBe("malformed");
    expect(await p2.textContent("#verdict-title")).toBe("无法识别");
    await p2.screenshot({ path: join(SHOTS, "malformed-zh.png"), fullPage: true });
    await p2.close();
    await page.close();
  });

  it("static pages: batch, party, audit report, how-to with the ledger address, language switch, labels and keyboard", async () => {
    const page = await newPage();
    await page.goto(`${origin}/b/${scenario.batchId}/`);
    expect(await page.textContent("main")).toContain(scenario.batchId);
    await page.goto(`${origin}/en/p/${scenario.parties.distA}/`);
    const party = await page.textContent("main");
    expect(party).toContain("Authorisations received");
    expect(party).toContain("tier 1");
    await page.goto(`${origin}/en/audit/`);
    const audit = await page.textContent("#audit-report");
    expect(audit).toContain("Supplier scorecards");
    expect(audit).toContain("unauthorised-hop"); // the rules table lists every rule
    await page.goto(`${origin}/en/how/`);
    expect(await page.textContent("main")).toContain(scenario.ledger);
    await page.goto(`${origin}/v/`);
    expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
    await page.click("#lang-switch");
    await page.waitForURL(`${origin}/en/v/`);
    expect(await page.getAttribute("html", "lang")).toBe("en");
    await page.click("#lang-switch");
    await page.waitForURL(`${origin}/v/`);
    // Every form control has an accessible name; the skip link is the first stop of the keyboard.
    const unnamed = await page.$$eval("input, button, select, textarea", (els) =>
      els
        .filter(
          (e) =>
            !(e as HTMLInputElement).labels?.length && !e.getAttribute("aria-label") && !(e.textContent ?? "").trim(),
        )
        .map((e) => e.outerHTML),
    );
    expect(unnamed).toEqual([]);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("skip");
    const csp = await page.getAttribute("meta[http-equiv='content-security-policy']", "content");
    expect(csp).toContain(`connect-src 'self' ${new URL(chain.url).origin}`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("unsafe-inline");
    // Trusted Types are enforced: a string cannot reach an HTML sink even by mistake.
    expect(
      await page.evaluate(() => {
        try {
          document.getElementById("status")!.innerHTML = "<img src=x>";
          return "assigned";
        } catch (e) {
          return (e as Error).name;
        }
      }),
    ).toBe("TypeError");
    await page.close();
  });

  it("verify page JavaScript stays within 60 KB gzip including the fallback decoder", async () => {
    const page = await newPage();
    const bodies = new Map<string, Buffer>();
    page.on("response", async (r) => {
      if (r.request().resourceType() === "script") bodies.set(new URL(r.url()).pathname, await r.body());
    });
    await page.goto(`${origin}/en/v/`);
    await page.waitForLoadState("networkidle");
    const initial = [...bodies.entries()];
    const gz = (b: Buffer) => gzipSync(b, { level: 9 }).length;
    const mainGzip = initial.reduce((a, [, b]) => a + gz(b), 0);
    const png = await QRCode.toBuffer("https://verify.keytrail.example/v/#AAAA", { scale: 4 });
    const [chunk] = await Promise.all([
      page.waitForResponse(
        (r) => r.request().resourceType() === "script" && !initial.some(([p]) => p === new URL(r.url()).pathname),
      ),
      page.setInputFiles("#upload-input", { name: "qr.png", mimeType: "image/png", buffer: png }),
    ]);
    await verdictOf(page);
    const fallback = [[new URL(chunk.url()).pathname, await chunk.body()] as const];
    const fallbackGzip = fallback.reduce((a, [, b]) => a + gz(b), 0);
    process.stdout.write(
      `[portal] verify page JS (gzip): ${(mainGzip / 1024).toFixed(1)} KB initial (${initial.length} files) + ${(fallbackGzip / 1024).toFixed(1)} KB QR fallback (${fallback.length} files)\n`,
    );
    expect(fallback.length).toBeGreaterThan(0);
    expect(mainGzip + fallbackGzip).toBeLessThanOrEqual(60 * 1024);
    await page.close();
  });

  it("no request left 127.0.0.1, no script error and no CSP violation happened", () => {
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  it("camera scan: a QR in front of the (fake) camera is read and verified", async () => {
    const video = join(work, "qr.y4m");
    writeQrVideo(video, payloadUrl(PORTAL_BASE, scenario.payloads.redeemed));
    const camBrowser = await launchChromium([
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
      `--use-file-for-fake-video-capture=${video}`,
    ]);
    try {
      const context = await camBrowser.newContext({ viewport: { width: 390, height: 844 } });
      await context.grantPermissions(["camera"], { origin });
      const page = await context.newPage();
      await page.goto(`${origin}/en/v/`);
      await page.click("#scan-button");
      expect(await verdictOf(page)).toBe("redeemed");
      expect(await page.$eval("#camera", (v) => (v as HTMLVideoElement).hidden)).toBe(true); // stopped after the read
      expect(new URL(page.url()).hash.slice(1)).toBe(scenario.payloads.redeemed);
    } finally {
      await camBrowser.close();
      rmSync(video, { force: true });
    }
  });

  it("RPC switched off mid-session: 'cannot reach the chain', with what was checked offline", async () => {
    const page = await open(scenario.payloads.genuine, "en");
    expect(await verdictOf(page)).toBe("genuine");
    await chain.switchOff();
    await page.evaluate((p) => {
      (document.getElementById("verdict") as HTMLElement).dataset.verdict = "";
      location.hash = p;
    }, scenario.payloads.redeemed);
    expect(await verdictOf(page)).toBe("unreachable");
    expect(await page.$eval("#checks li[data-check='decode']", (e) => (e as HTMLElement).dataset.ok)).toBe("true");
    expect(await page.$eval("#checks li[data-check='status']", (e) => (e as HTMLElement).dataset.ok)).toBe("false");
    expect(await page.textContent("#checks li[data-check='proof']")).toMatch(/folds to root 0x[0-9a-f]{64}/);
    expect(await page.textContent("#facts")).toContain("Root the proof leads to (not confirmed on chain)");
    await page.screenshot({ path: join(SHOTS, "unreachable-en.png"), fullPage: true });
    const zh = await open(scenario.payloads.genuine);
    expect(await verdictOf(zh)).toBe("unreachable");
    await zh.screenshot({ path: join(SHOTS, "unreachable-zh.png"), fullPage: true });
    await zh.close();
    await page.close();
  });
});
