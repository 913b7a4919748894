/**
 * End-to-end: the verify page reads a KeyLedger v2 key's status with storage proofs at a block the
 * configured RPCs agree on, in headless Chromium. The portal is built with two RPCs: a front that can
 * face the honest node or a lying proxy (listed first), and a front on the honest node. The tier is
 * shown in the card in both languages; a forged header is "RPCs disagree — cannot confirm"; the other
 * lies never give a verdict other than the honest one (or "cannot confirm" where the page cannot tell
 * which RPC lies about an eth_call); a node without eth_getProof falls back to eth_call and the page
 * says so. The receipt secret appears in no request. Prints the page's JS size and time to verdict.
 */
import { rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "viem";
import { createReceiptSecret } from "../../lib/sale/createReceiptSecret.js";
import { payloadUrl } from "../../lib/payload/payloadUrl.js";
import { startLyingRpc, type Lie } from "../helpers/lyingRpc.js";
import type { TestBatch } from "../verify/batch.js";
import { buildPortal } from "./helpers/buildPortal.js";
import { servePortal, type ServedPortal } from "./helpers/servePortal.js";
import { sellAndFreezeV2 } from "./helpers/sellAndFreezeV2.js";
import { startHttpChain, type HttpChain } from "./helpers/startHttpChain.js";
import { startRpcFront, type RpcFront } from "./helpers/startRpcFront.js";

const PORTAL_BASE = "https://verify.keytrail.example";
let chain: HttpChain;
let ledger: Address;
let b: TestBatch;
let dist: string;
let site: ServedPortal | undefined;
let origin: string;
let browser: Browser;
let first: RpcFront;
let second: RpcFront;
const secret = createReceiptSecret();
const requests: string[] = [];

beforeAll(async () => {
  chain = await startHttpChain();
  const sold = await sellAndFreezeV2(chain, "e2e trust", [secret]);
  ledger = sold.ledger;
  const chainId = sold.chainId;
  b = sold.batch;
  first = await startRpcFront(chain.url);
  second = await startRpcFront(chain.url);
  dist = await buildPortal({
    KEYTRAIL_CHAIN_ID: String(chainId),
    KEYTRAIL_CHAIN_NAME: "Hardhat",
    KEYTRAIL_RPC_URLS: `${first.url},${second.url}`,
    KEYTRAIL_LEDGER: ledger,
    KEYTRAIL_PORTAL_BASE: PORTAL_BASE,
  });
  site = await servePortal(dist);
  ({ origin, browser } = site);
}, 600_000);

afterAll(async () => {
  await site?.close();
  await first?.close();
  await second?.close();
  await chain?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

async function open(payload: string, lang: "zh" | "en" = "zh"): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  page.on("request", (r) => requests.push(`${r.url()} ${r.postData() ?? ""}`));
  await page.goto(payloadUrl(lang === "en" ? `${origin}/en` : origin, payload));
  await page.waitForFunction(() => {
    const v = document.getElementById("verdict") as HTMLElement | null;
    return !!v && !v.hidden && !!v.dataset.verdict;
  });
  return page;
}
const verdictOf = (page: Page) => page.$eval("#verdict", (e) => (e as HTMLElement).dataset.verdict ?? "");
const trustOf = async (page: Page) => ({
  kind: await page.$eval("#trust", (e) => (e as HTMLElement).dataset.trust ?? ""),
  text: (await page.textContent("#trust")) ?? "",
});

/** Verdicts of the honest run, by link. */
const links = () => ({
  soldToYou: b.full(1, { receiptSecret: secret }),
  notYetSold: b.full(3),
  revoked: b.full(5),
});

describe("verify page: status proven at a block the RPCs agree on (Chromium)", () => {
  it("figures: verify page JS (gzip) and navigation → verdict with two RPCs", async () => {
    first.target = chain.url;
    const page = await browser.newPage();
    const bodies = new Map<string, Buffer>();
    page.on("response", async (r) => {
      if (r.request().resourceType() === "script") bodies.set(new URL(r.url()).pathname, await r.body());
    });
    await page.goto(`${origin}/en/v/`);
    await page.waitForLoadState("networkidle");
    const js = [...bodies.values()].reduce((a, x) => a + gzipSync(x, { level: 9 }).length, 0);
    await page.close();
    const times: number[] = [];
    for (let k = 0; k < 9; k++) {
      const p = await open(links().soldToYou, "en");
      expect(await verdictOf(p)).toBe("sold-to-you");
      times.push(Number(await p.evaluate(() => document.documentElement.dataset.verdictMs)));
      await p.close();
    }
    times.sort((x, y) => x - y);
    const median = times[Math.floor(times.length / 2)]!;
    process.stdout.write(
      `[portal] verify page initial JS (gzip): ${(js / 1024).toFixed(1)} KB; navigation → verdict with two RPCs ` +
        `(sold-to-you, 9 loads): median ${median} ms, min ${times[0]} ms, max ${times.at(-1)} ms\n`,
    );
    expect(js).toBeGreaterThan(0);
  });

  it("two honest RPCs: '2 of 2 RPCs agree on block B (storage proofs checked)', in both languages", async () => {
    first.target = chain.url;
    const en = await open(links().soldToYou, "en");
    expect(await verdictOf(en)).toBe("sold-to-you");
    const t = await trustOf(en);
    expect(t.kind).toBe("proof");
    expect(t.text).toMatch(/^2 of 2 RPCs agree on block \d+ \(storage proofs checked\)$/);
    await en.close();
    const zh = await open(links().revoked);
    expect(await verdictOf(zh)).toBe("revoked");
    expect((await trustOf(zh)).text).toMatch(/^2\/2 个 RPC 节点一致认可区块 \d+（已校验存储证明）$/);
    await zh.close();
  });

  it("a key's proven status takes three rounds: one JSON-RPC batch per RPC per round, the chain id asked once", async () => {
    first.target = chain.url;
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const posts: { rpc: "first" | "second"; methods: string[] }[] = [];
    page.on("request", (r) => {
      const rpc = r.url().startsWith(first.url) ? "first" : r.url().startsWith(second.url) ? "second" : undefined;
      if (!rpc || r.method() !== "POST") return;
      const body = r.postDataJSON() as { method: string } | { method: string }[];
      posts.push({ rpc, methods: (Array.isArray(body) ? body : [body]).map((m) => m.method).sort() });
    });
    await page.goto(payloadUrl(origin, links().revoked));
    await page.waitForFunction(() => !!(document.getElementById("verdict") as HTMLElement | null)?.dataset.verdict);
    expect(await verdictOf(page)).toBe("revoked");
    expect((await trustOf(page)).kind).toBe("proof");
    const of = (rpc: "first" | "second") => posts.filter((p) => p.rpc === rpc).map((p) => p.methods);
    // Round 1 (chain id, head, version, latest header: it serves the agreement), round 2 (the first
    // proofs, once the ledger is known to be v2), round 3 (the proofs that values read name).
    expect(of("first")).toEqual([
      ["eth_blockNumber", "eth_call", "eth_chainId", "eth_getBlockByNumber"],
      ["eth_getProof"],
      ["eth_getProof"],
    ]);
    expect(of("second")).toEqual([["eth_blockNumber", "eth_call", "eth_chainId", "eth_getBlockByNumber"]]);
    // A later verdict on the same page (the ledger known to be v2): the first proofs ride in round 1.
    posts.length = 0;
    await page.evaluate((link) => (location.hash = link), links().notYetSold);
    await page.waitForFunction(() => document.getElementById("verdict")?.dataset.verdict === "not-yet-sold");
    // (The chain id and the version are remembered by the page.)
    expect(of("first")).toEqual([["eth_blockNumber", "eth_getBlockByNumber", "eth_getProof"], ["eth_getProof"]]);
    await page.close();
  });

  it("early reads at 'latest' of another block than the head are not used: asked again at the agreed block", async () => {
    const behind = await startLyingRpc({ upstream: chain.url, lies: [], latestBehind: true });
    first.target = behind.url;
    const methods: string[] = [];
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      page.on("request", (r) => {
        if (r.method() !== "POST" || !r.url().startsWith(first.url)) return;
        const body = r.postDataJSON() as { method: string } | { method: string }[];
        methods.push(...(Array.isArray(body) ? body : [body]).map((m) => m.method));
      });
      await page.goto(payloadUrl(origin, links().revoked));
      await page.waitForFunction(() => !!(document.getElementById("verdict") as HTMLElement | null)?.dataset.verdict);
      expect(await verdictOf(page)).toBe("revoked");
      expect((await trustOf(page)).text).toMatch(/^2\/2 个 RPC 节点一致认可区块 \d+（已校验存储证明）$/);
      // The header of the head was asked again at its number; the proofs at the head.
      const count = (m: string) => methods.filter((x) => x === m).length;
      expect([count("eth_getBlockByNumber"), count("eth_getProof")]).toEqual([2, 2]);
      // A later verdict on the page (v2 known): the proofs asked at "latest" too, then again at the head.
      methods.length = 0;
      await page.evaluate((link) => (location.hash = link), links().notYetSold);
      await page.waitForFunction(() => document.getElementById("verdict")?.dataset.verdict === "not-yet-sold");
      expect((await trustOf(page)).text).toMatch(/^2\/2 个 RPC 节点一致认可区块 \d+（已校验存储证明）$/);
      expect([count("eth_getBlockByNumber"), count("eth_getProof")]).toEqual([2, 3]);
      await page.close();
    } finally {
      first.target = chain.url;
      await behind.close();
    }
  });

  it("a forged header (hash recomputed): 'RPCs disagree — cannot confirm', never genuine", async () => {
    const liar = await startLyingRpc({ upstream: chain.url, lies: ["header-forged"] });
    first.target = liar.url;
    try {
      for (const [name, link] of Object.entries(links())) {
        const page = await open(link, "en");
        expect(await verdictOf(page), name).toBe("unreachable");
        expect(await page.textContent("#verdict-title")).toBe("RPCs disagree — cannot confirm");
        expect(await page.textContent("#verdict-detail")).toContain("give different accounts of the chain");
        const t = await trustOf(page);
        expect(t.kind).toBe("disagree");
        expect(t.text).toMatch(/^RPCs disagree on block \d+ — cannot confirm$/);
        await page.close();
      }
      const zh = await open(links().soldToYou);
      expect(await verdictOf(zh)).toBe("unreachable");
      expect(await zh.textContent("#verdict-title")).toBe("RPC 节点不一致——无法确认");
      await zh.close();
    } finally {
      first.target = chain.url;
      await liar.close();
    }
  });

  /** Lie, and what each link may give besides the honest verdict (an eth_call lie cannot be told from the truth). */
  const matrix: [Lie, string, RegExp][] = [
    [
      "header-state-root",
      "not counted: one RPC",
      /^One RPC \(1 of 2\) vouches for block \d+ \(storage proofs checked\)/,
    ],
    ["proof-flip", "its proof fails, the honest one checks", /^2 of 2 RPCs agree on block \d+/],
    ["proof-value", "claimed values ignored", /^2 of 2 RPCs agree on block \d+/],
    [
      "call-result",
      "status and sale root proven; the eth_calls lied about are not what the verdict rests on",
      /^2 of 2 RPCs agree on block \d+/,
    ],
  ];
  it.each(matrix)("a liar telling %s (%s) never changes a verdict", async (lie, _why, tier) => {
    const liar = await startLyingRpc({ upstream: chain.url, lies: [lie] });
    first.target = liar.url;
    try {
      const honest = { soldToYou: "sold-to-you", notYetSold: "not-yet-sold", revoked: "revoked" } as const;
      for (const [name, link] of Object.entries(links()) as [keyof typeof honest, string][]) {
        const page = await open(link, "en");
        const verdict = await verdictOf(page);
        // The receipt is checked against the proven sale root (no verifyReceipt eth_call): no lie changes it.
        expect(verdict, `${lie} on ${name}`).toBe(honest[name]);
        if (verdict !== "unreachable") expect((await trustOf(page)).text, `${lie} on ${name}`).toMatch(tier);
        await page.close();
      }
    } finally {
      first.target = chain.url;
      await liar.close();
    }
  });

  it("nodes without eth_getProof: eth_call, and the card says the status is not proven", async () => {
    first.mode = "no-get-proof";
    second.mode = "no-get-proof";
    try {
      const page = await open(links().soldToYou, "en");
      expect(await verdictOf(page)).toBe("sold-to-you");
      const t = await trustOf(page);
      expect(t.kind).toBe("call");
      expect(t.text).toBe("Read with one RPC's eth_call, not proven: the RPC does not answer eth_getProof");
      await page.close();
      const zh = await open(links().notYetSold);
      expect(await verdictOf(zh)).toBe("not-yet-sold");
      expect((await trustOf(zh)).text).toBe("由单个 RPC 的 eth_call 读取，未经证明：该 RPC 不支持 eth_getProof");
      await zh.close();
    } finally {
      first.mode = "forward";
      second.mode = "forward";
    }
  });

  it("the receipt secret is never sent anywhere", () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.some((r) => r.includes("eth_getProof"))).toBe(true);
    for (const r of requests) expect(r).not.toContain(secret.slice(2));
  });
});
