/**
 * End-to-end: the shopper's verdict card on a phone (390x844) and a desktop (1280 wide), in both
 * languages, in real headless Chromium against a real KeyLedger v2 on an in-process chain, the portal
 * built from the real indexer's export. Checks that everything a shopper needs is above the fold, that
 * "genuine" says the code is genuine until a typed key matches (then the key is confirmed), that money
 * and dates follow the locale, that the technical details are collapsed, and runs axe-core on every
 * page of the site (both languages, both widths) expecting no violation. Writes the card screenshots
 * to test-results/card/, or to docs/img/ (the pictures the docs show) with KEYTRAIL_UPDATE_IMAGES=1.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak256, toHex, zeroHash } from "viem";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { encodeProfileUri } from "../../lib/parties/encodeProfileUri.js";
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { encodePayload } from "../../lib/payload/encodePayload.js";
import { computeOrderRefHash } from "../../lib/sale/computeOrderRefHash.js";
import { computeReceiptCommitment } from "../../lib/sale/computeReceiptCommitment.js";
import { createReceiptSecret } from "../../lib/sale/createReceiptSecret.js";
import { buildPortal, repoRoot } from "./helpers/buildPortal.js";
import { servePortal, type ServedPortal } from "./helpers/servePortal.js";
import { indexAndExport } from "./helpers/indexAndExport.js";
import { setUpScenario, type Scenario } from "./helpers/scenario.js";
import { startHttpChain, type HttpChain } from "./helpers/startHttpChain.js";

// A test run leaves the committed pictures alone; they are retaken on purpose.
const IMG =
  process.env.KEYTRAIL_UPDATE_IMAGES === "1" ? join(repoRoot, "docs", "img") : join(repoRoot, "test-results", "card");
const AXE = join(repoRoot, "node_modules", "axe-core", "axe.min.js");
const PORTAL_BASE = "https://verify.keytrail.example";
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const NAMES = { supplier: "星河游戏 Galaxy Games", distA: "华东分销 East Distribution", retailerB: "Kameng 卡盟商城" };

let chain: HttpChain;
let scenario: Scenario;
let work: string;
let dist: string;
let site: ServedPortal | undefined;
let origin: string;
let browser: Browser;
let payloads: { genuineCode: string; genuineKeyIndex: number; soldToYou: string };
const foreignRequests: string[] = [];

beforeAll(async () => {
  mkdirSync(IMG, { recursive: true });
  chain = await startHttpChain();
  work = mkdtempSync(join(tmpdir(), "keytrail-card-e2e-"));
  scenario = await setUpScenario(chain, join(work, "sealed"));
  const pub = await chain.viem.getPublicClient();
  const [admin, , , retailerB] = await chain.viem.getWalletClients();
  if (!admin || !retailerB) throw new Error("need 4 accounts");
  const write = async (w: typeof admin, functionName: string, args: readonly unknown[]) => {
    const hash = await w.writeContract({ address: scenario.ledger, abi: keyLedgerV2Abi, functionName, args } as never);
    const r = await pub.waitForTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`${functionName} reverted`);
  };
  // Names the registrar verified, as a shopper would see them.
  const year = BigInt(Number((await pub.getBlock()).timestamp) + 365 * 86400);
  for (const [who, name] of [
    [scenario.parties.supplier, NAMES.supplier],
    [scenario.parties.distA, NAMES.distA],
    [scenario.parties.retailerB, NAMES.retailerB],
  ] as const)
    await write(admin, "updateParty", [who, keccak256(toHex(name)), encodeProfileUri({ name }), year]);
  // Key 0 is sold by the retailer to a buyer whose link carries the receipt.
  const secret = createReceiptSecret();
  const g = decodePayload(scenario.payloads.genuine);
  await write(retailerB, "sell", [
    [
      {
        batchId: scenario.batchId,
        indices: [0n],
        commitments: [computeReceiptCommitment({ batchId: scenario.batchId, index: 0, secret })],
        orderRefs: [computeOrderRefHash({ orderReference: "TB-0", secret })],
      },
    ],
    { store: toHex("Shop 7", { size: 32 }), terminal: zeroHash, amount: 9_900n, currency: toHex("CNY", { size: 3 }) },
  ]);
  const short = decodePayload(scenario.payloads.genuineShort);
  payloads = {
    genuineCode: encodePayload({ ...short, seller: scenario.parties.retailerB }),
    genuineKeyIndex: short.index,
    soldToYou: encodePayload({ ...g, receiptSecret: secret }),
  };
  await indexAndExport(chain.url, scenario, join(work, "sealed"), join(work, "export"));
  dist = await buildPortal({
    KEYTRAIL_CHAIN_ID: String(scenario.chainId),
    KEYTRAIL_CHAIN_NAME: "Hardhat",
    KEYTRAIL_RPC_URLS: chain.url,
    KEYTRAIL_LEDGER: scenario.ledger,
    KEYTRAIL_PORTAL_BASE: PORTAL_BASE,
    KEYTRAIL_EXPLORER_URL: "https://explorer.keytrail.example",
    KEYTRAIL_EXPORT_DIR: join(work, "export"),
  });
  site = await servePortal(dist);
  ({ origin, browser } = site);
}, 600_000);

afterAll(async () => {
  await site?.close();
  await chain?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A page in its own context; axe is injected as a script, so that context does not enforce the CSP. */
async function newPage(viewport: { width: number; height: number }, forAxe = false): Promise<Page> {
  const ctx: BrowserContext = await browser.newContext({ viewport, deviceScaleFactor: 1, bypassCSP: forAxe });
  const page = await ctx.newPage();
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (
      u.protocol !== "data:" &&
      u.protocol !== "blob:" &&
      u.origin !== origin &&
      u.origin !== new URL(chain.url).origin
    )
      foreignRequests.push(r.url());
  });
  return page;
}

async function openCard(payload: string, lang: "zh" | "en", viewport = PHONE, forAxe = false): Promise<Page> {
  const page = await newPage(viewport, forAxe);
  await page.goto(`${origin}${lang === "en" ? "/en" : ""}/v/#${payload}`);
  await page.waitForFunction(
    () => !!(document.getElementById("verdict") as HTMLElement | null)?.dataset.verdict,
    undefined,
    {
      timeout: 30_000,
    },
  );
  await page.waitForSelector("#verdict[data-card='done']", { timeout: 15_000 });
  return page;
}

/** The card's facts by key, as text. */
const cardFacts = (page: Page) =>
  page.$$eval("#card-facts dd", (dds) =>
    Object.fromEntries(dds.map((d) => [(d as HTMLElement).dataset.fact ?? "", d.textContent ?? ""])),
  );

/** Elements whose box ends below the fold (y > height) or that are not visible. */
async function belowFold(page: Page, selectors: string[], height: number): Promise<string[]> {
  const out: string[] = [];
  for (const s of selectors) {
    const box = await page.locator(s).first().boundingBox();
    if (!box || box.y + box.height > height) out.push(`${s} at ${box ? Math.round(box.y + box.height) : "hidden"}`);
  }
  return out;
}

type AxeResult = { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };

async function axe(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const r = (await page.evaluate(() =>
    (globalThis as unknown as { axe: { run: () => Promise<unknown> } }).axe.run(),
  )) as AxeResult;
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(IMG, `${name}.png`) });

describe("the verdict card (Chromium, live chain, phone first)", () => {
  it("genuine without a key: says the CODE is genuine, asks for the key, and shows everything above the fold", async () => {
    for (const lang of ["zh", "en"] as const) {
      const page = await openCard(payloads.genuineCode, lang);
      expect(await page.$eval("#verdict", (e) => (e as HTMLElement).dataset.verdict)).toBe("genuine");
      expect(await page.$eval("#verdict", (e) => (e as HTMLElement).dataset.checked)).toBe("code");
      const facts = await cardFacts(page);
      expect(facts.product).toContain("portal-e2e-2026");
      // 10000 minor units of CNY, formatted by the locale (not "100.00 CNY").
      expect(facts.face).toMatch(lang === "zh" ? /¥100\.00/ : /CN¥100\.00/);
      expect(facts.expiry).toBe(lang === "zh" ? "长期有效" : "no expiry");
      expect(facts.issuer).toContain(NAMES.supplier);
      expect(facts.issuer).toContain(lang === "zh" ? "资质有效" : "accredited");
      expect(facts.seller).toContain(NAMES.retailerB);
      expect(facts.seller).toContain(lang === "zh" ? "持有此卡密（链上确认）" : "holds this key (confirmed on chain)");
      expect(await page.textContent("#verdict-checked")).toBe(
        lang === "zh" ? "已核对：验证码（卡密尚未核对）" : "Checked: the code (the key is not checked yet)",
      );
      expect(await page.textContent("#next-step")).toContain(lang === "zh" ? "输入卡片上的卡密" : "type the key");
      expect(await page.isVisible("#key-pin")).toBe(true);
      expect(await page.textContent("#card-note")).toContain(lang === "zh" ? "索引" : "published index");
      // Above the fold on a 390x844 phone: verdict, what was checked, product, value, expiry, issuer, seller, next step.
      const selectors = [
        "#verdict-title",
        "#verdict-checked",
        ...["product", "face", "expiry", "issuer", "seller"].map((f) => `#card-facts dd[data-fact='${f}']`),
        "#next-step",
      ];
      expect(await belowFold(page, selectors, PHONE.height)).toEqual([]);
      // The verdict word appears once on screen (the live region that announces it is not shown).
      expect(await page.$eval("#status", (e) => e.getBoundingClientRect().width)).toBeLessThanOrEqual(1);
      expect(await page.textContent("#status")).toContain(lang === "zh" ? "正品" : "Genuine");
      // Technical details behind one control, closed.
      expect(await page.$eval("#details", (d) => (d as HTMLDetailsElement).open)).toBe(false);
      expect(await page.isVisible("#checks")).toBe(false);
      await shot(page, `card-genuine-code-${lang}-390`);
      await page.context().close();
      const wide = await openCard(payloads.genuineCode, lang, DESKTOP);
      await shot(wide, `card-genuine-code-${lang}-1280`);
      await wide.context().close();
    }
  });

  it("a typed key that matches: the KEY is confirmed (checked: key); a wrong key leaves the code's verdict", async () => {
    for (const lang of ["zh", "en"] as const) {
      for (const viewport of [PHONE, DESKTOP]) {
        const page = await openCard(payloads.genuineCode, lang, viewport);
        await page.fill("#key-pin", `${scenario.pinOf(payloads.genuineKeyIndex)}X`);
        await page.click("#key-form button[type=submit]");
        // The key check loads its hashing on first use: wait for its answer.
        await page.waitForSelector("#key-result[data-match]");
        expect(await page.getAttribute("#key-result", "data-match")).toBe("no");
        expect(await page.$eval("#verdict", (e) => (e as HTMLElement).dataset.checked)).toBe("code");
        await page.fill("#key-pin", scenario.pinOf(payloads.genuineKeyIndex));
        await page.click("#key-form button[type=submit]");
        await page.waitForFunction(() => document.getElementById("verdict")?.dataset.checked === "key");
        await page.waitForSelector("#verdict[data-card='done']");
        expect(await page.$eval("#verdict", (e) => (e as HTMLElement).dataset.verdict)).toBe("genuine");
        expect(await page.getAttribute("#key-result", "data-match")).toBe("yes");
        expect(await page.textContent("#verdict-checked")).toBe(
          lang === "zh" ? "已核对：验证码和您输入的卡密" : "Checked: the code and the key you typed",
        );
        expect(await page.$eval("#checks li[data-check='key']", (e) => (e as HTMLElement).dataset.ok)).toBe("true");
        if (viewport === PHONE) await page.evaluate(() => window.scrollTo(0, 0));
        await shot(page, `card-key-confirmed-${lang}-${viewport.width}`);
        await page.context().close();
      }
    }
  });

  it("sold to you: 'sold to you by … on …' with the amount in the locale's currency format", async () => {
    const page = await openCard(payloads.soldToYou, "en");
    expect(await page.$eval("#verdict", (e) => (e as HTMLElement).dataset.verdict)).toBe("sold-to-you");
    const facts = await cardFacts(page);
    expect(facts.sale).toMatch(/^Sold to you by Kameng 卡盟商城 on .+, CN¥99\.00$/);
    expect(await belowFold(page, ["#card-facts dd[data-fact='sale']", "#next-step"], PHONE.height)).toEqual([]);
    await page.context().close();
    const zh = await openCard(payloads.soldToYou, "zh");
    expect((await cardFacts(zh)).sale).toMatch(/^由 Kameng 卡盟商城 于 .+ 售予您，¥99\.00$/);
    await zh.context().close();
  });

  it("revoked, redeemed and not-in-batch say so with an icon and words, and the next step", async () => {
    const cases = [
      ["revoked", scenario.payloads.revoked, "revoked"],
      ["redeemed", scenario.payloads.redeemed, "redeemed"],
      ["not-in-batch", scenario.payloads.forged, "not-in-batch"],
    ] as const;
    for (const [name, payload, verdict] of cases)
      for (const lang of ["zh", "en"] as const)
        for (const viewport of [PHONE, DESKTOP]) {
          const page = await openCard(payload, lang, viewport);
          expect(await page.$eval("#verdict", (e) => (e as HTMLElement).dataset.verdict)).toBe(verdict);
          // Never colour alone: the verdict's own icon is drawn and its title is words.
          expect(await page.isVisible(`#verdict svg [data-icon='${verdict}']`)).toBe(true);
          expect((await page.textContent("#verdict-title"))?.length).toBeGreaterThan(1);
          expect((await page.textContent("#next-step"))?.length).toBeGreaterThan(5);
          expect(await page.isVisible("#key-form")).toBe(false);
          // A code that is not in its batch is not "checked: the code"; revoked and redeemed codes are.
          expect(await page.$eval("#verdict-checked", (e) => e.textContent ?? "")).toBe(
            verdict === "not-in-batch"
              ? ""
              : lang === "zh"
                ? "已核对：验证码（卡密尚未核对）"
                : "Checked: the code (the key is not checked yet)",
          );
          expect(await belowFold(page, ["#verdict-title", "#next-step"], PHONE.height)).toEqual([]);
          await shot(page, `card-${name}-${lang}-${viewport.width}`);
          await page.context().close();
        }
  });

  it("the Chinese page's check details are Chinese for every verdict (no English sentence left)", async () => {
    const rpcOrigin = new URL(chain.url).origin;
    type Case = {
      name: string;
      payload: string;
      verdict: string;
      offline?: boolean;
      then?: (p: Page) => Promise<void>;
    };
    const cases: Case[] = [
      { name: "genuine (short form, seller named)", payload: payloads.genuineCode, verdict: "genuine" },
      {
        name: "genuine, key typed",
        payload: payloads.genuineCode,
        verdict: "genuine",
        then: async (page) => {
          await page.fill("#key-pin", scenario.pinOf(payloads.genuineKeyIndex));
          await page.click("#key-form button[type=submit]");
          await page.waitForFunction(() => document.getElementById("verdict")?.dataset.checked === "key");
        },
      },
      {
        name: "sold to you, order reference typed",
        payload: payloads.soldToYou,
        verdict: "sold-to-you",
        then: async (page) => {
          await page.fill("#order-input", "TB-1");
          await page.click("#order-form button[type=submit]");
          await page.waitForSelector("#checks li[data-check='orderRef']", { state: "attached" });
        },
      },
      { name: "sold to another (no receipt)", payload: scenario.payloads.genuine, verdict: "sold-to-another" },
      { name: "revoked", payload: scenario.payloads.revoked, verdict: "revoked" },
      { name: "redeemed", payload: scenario.payloads.redeemed, verdict: "redeemed" },
      { name: "forged", payload: scenario.payloads.forged, verdict: "not-in-batch" },
      { name: "unknown batch", payload: scenario.payloads.unknownBatch, verdict: "not-in-batch" },
      { name: "index out of range", payload: scenario.payloads.outOfRange, verdict: "not-in-batch" },
      {
        name: "seller not the holder",
        payload: encodePayload({ ...decodePayload(scenario.payloads.genuineShort), seller: scenario.parties.admin }),
        verdict: "holder-mismatch",
      },
      { name: "wrong chain", payload: scenario.payloads.wrongChain, verdict: "wrong-chain" },
      { name: "malformed", payload: "AAAA", verdict: "malformed" },
      { name: "chain unreachable", payload: scenario.payloads.revoked, verdict: "unreachable", offline: true },
    ];
    const problems: string[] = [];
    const codes = new Set<string>();
    for (const c of cases) {
      const page = await newPage(PHONE);
      // The RPC refuses the connection: a real network failure in the browser, not a stub of the page's reads.
      if (c.offline)
        await page.route(
          (u) => u.origin === rpcOrigin,
          (r) => r.abort("connectionrefused"),
        );
      await page.goto(`${origin}/v/#${c.payload}`);
      await page.waitForFunction(() => !!document.getElementById("verdict")?.dataset.verdict, undefined, {
        timeout: 30_000,
      });
      await c.then?.(page);
      expect(await page.$eval("#verdict", (e) => (e as HTMLElement).dataset.verdict), c.name).toBe(c.verdict);
      const lines = await page.$$eval("#checks li", (lis) =>
        lis.map((li) => {
          const d = li.querySelector("div");
          const bare = d?.cloneNode(true) as HTMLElement | undefined;
          bare?.querySelectorAll("bdi").forEach((b) => b.remove());
          return {
            check: (li as HTMLElement).dataset.check ?? "",
            head: li.firstChild?.textContent ?? "",
            // undefined: the check has no detail line; "": a detail line without a code (shown as lib's English)
            code: d ? (d.dataset.detail ?? "") : undefined,
            lang: d?.getAttribute("lang") ?? "",
            sentence: bare?.textContent ?? "",
            params: [...(d?.querySelectorAll("bdi") ?? [])].map((b) => ({
              name: (b as HTMLElement).dataset.param ?? "",
              lang: b.getAttribute("lang") ?? "",
              text: b.textContent ?? "",
            })),
          };
        }),
      );
      expect(lines.length, c.name).toBeGreaterThan(0);
      for (const l of lines) {
        const at = `${c.name} / ${l.check}`;
        // the check's name and state are the page's words too
        if (/[A-Za-z]{2,}/.test(l.head.replace(/GTIN|RPC/g, ""))) problems.push(`${at}: English head "${l.head}"`);
        if (l.code === undefined) continue; // a check without a detail
        codes.add(l.code);
        if (!l.code || l.lang) problems.push(`${at}: detail without a code, shown in English`);
        if (/[A-Za-z]{2,}/.test(l.sentence.replace(/GTIN|GS1/g, "")))
          problems.push(`${at}: English in the sentence "${l.sentence}"`);
        for (const p of l.params) {
          // data (addresses, hashes, numbers, URLs) is not English; a component's own message is marked as English
          if (p.lang === "en" && p.name !== "error" && p.name !== "where")
            problems.push(`${at}: parameter ${p.name} marked English: "${p.text}"`);
          if (p.lang !== "en" && /[A-Za-z]{2,}[\s,:;]+[A-Za-z]{2,}/.test(p.text))
            problems.push(`${at}: parameter ${p.name} reads as English but is not marked: "${p.text}"`);
        }
      }
      await page.context().close();
    }
    process.stdout.write(
      `[card] Chinese check details: ${cases.length} verdicts, codes seen: ${[...codes].sort().join(", ")}\n`,
    );
    expect(problems).toEqual([]);
    // The cases reach the details of every verdict family (online, offline, sale, key, order reference).
    for (const code of [
      "decode-failed",
      "decode-form",
      "decode-form-receipt",
      "chain-other",
      "chain-ok",
      "key-match",
      "shard-read",
      "status-read",
      "status-failed",
      "root-unknown",
      "root-read",
      "proof-shard-folds",
      "proof-checked",
      "proof-unconfirmed",
      "sale-confirmed",
      "receipt-none",
      "receipt-match",
      "order-ref-mismatch",
      "seller-holds",
      "seller-not-holder",
    ])
      expect(codes, code).toContain(code);
  }, 300_000);

  it("axe-core finds no violation on any page, in both languages, on a phone and a desktop", async () => {
    const b = scenario.batchId;
    const p = scenario.parties.supplier;
    const paths = ["", "v/", "b/", `b/${b}/`, "p/", `p/${p}/`, "how/", "audit/", "no-such-page/"];
    const report: string[] = [];
    let runs = 0;
    for (const viewport of [PHONE, DESKTOP])
      for (const prefix of ["/", "/en/"]) {
        for (const path of paths) {
          const page = await newPage(viewport, true);
          await page.goto(`${origin}${prefix}${path}`);
          await page.waitForLoadState("networkidle");
          for (const v of await axe(page)) report.push(`${prefix}${path} @${viewport.width}: ${v}`);
          runs++;
          await page.context().close();
        }
        // The verify page with each card shown, and with the technical details opened.
        for (const payload of [
          payloads.genuineCode,
          payloads.soldToYou,
          scenario.payloads.revoked,
          scenario.payloads.forged,
          // a code that does not decode: its check detail quotes the decoder's English message, marked as such
          "AAAA",
        ]) {
          const page = await openCard(payload, prefix === "/en/" ? "en" : "zh", viewport, true);
          await page.waitForLoadState("networkidle");
          for (const v of await axe(page)) report.push(`${prefix}v/#card @${viewport.width}: ${v}`);
          await page.click("#details summary");
          for (const v of await axe(page)) report.push(`${prefix}v/#card (details open) @${viewport.width}: ${v}`);
          runs += 2;
          await page.context().close();
        }
      }
    process.stdout.write(`[card] axe-core: ${runs} page runs, ${report.length} violations\n${report.join("\n")}\n`);
    expect(report).toEqual([]);
  }, 600_000);

  it("the verify page's initial JavaScript stays within 30 KB gzip with the card", async () => {
    const page = await newPage(PHONE);
    const bodies = new Map<string, Buffer>();
    page.on("response", async (r) => {
      if (r.request().resourceType() === "script") bodies.set(new URL(r.url()).pathname, await r.body());
    });
    await page.goto(`${origin}/en/v/#${payloads.genuineCode}`);
    await page.waitForSelector("#verdict[data-card='done']", { timeout: 30_000 });
    await page.waitForLoadState("networkidle");
    const gzip = [...bodies.values()].reduce((a, b) => a + gzipSync(b, { level: 9 }).length, 0);
    process.stdout.write(`[card] verify page initial JS: ${(gzip / 1024).toFixed(1)} KB gzip (${bodies.size} files)\n`);
    expect(bodies.size).toBeGreaterThan(0);
    expect(gzip).toBeLessThanOrEqual(30 * 1024);
    await page.context().close();
  });

  it("the verify page asks nothing of any host but the portal and the configured RPC", () => {
    expect(foreignRequests).toEqual([]);
  });
});
