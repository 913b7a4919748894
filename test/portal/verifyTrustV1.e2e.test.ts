/**
 * End-to-end on a KeyLedger v1 ledger with two RPCs configured: the verify page reads keyStatus by
 * eth_call on both RPCs at one block they agree on (no eth_getProof), believes it only when both give
 * the same answer, and the card shows the tier ("2 of 2 RPCs agree at block B", an eth_call, not a
 * storage proof), in both languages. With a lying RPC listed first and an honest one second, no lie
 * gives "genuine" for a redeemed key, nor any verdict but the honest one (or "cannot confirm") for a
 * genuine key.
 */
import { rmSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import type { Hex, PublicClient } from "viem";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { startLyingRpc, type Lie } from "../helpers/lyingRpc.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payloadUrl } from "../../lib/payload/payloadUrl.js";
import type { TestBatch } from "../verify/batch.js";
import { anchorV1Batch } from "./helpers/anchorV1Batch.js";
import { buildPortal } from "./helpers/buildPortal.js";
import { servePortal, type ServedPortal } from "./helpers/servePortal.js";
import { startHttpChain, type HttpChain } from "./helpers/startHttpChain.js";
import { startRpcFront, type RpcFront } from "./helpers/startRpcFront.js";

let chain: HttpChain;
let b: TestBatch;
let dist: string;
let site: ServedPortal | undefined;
let origin: string;
let browser: Browser;
let fronts: RpcFront[] = [];
const requests: string[] = [];
const closers: (() => Promise<void>)[] = [];
const REDEEMED = 4;

beforeAll(async () => {
  chain = await startHttpChain();
  const anchored = await anchorV1Batch(chain, "e2e v1");
  const { ledger, chainId } = anchored;
  b = anchored.batch;
  // The supplier redeems key 4 (a liar flipping keyStatus's last word would call it unredeemed), then
  // blocks are mined: a liar reporting an old head would have keys read before their batch existed.
  const client = (await chain.viem.getPublicClient()) as unknown as PublicClient;
  const [, supplier] = await chain.viem.getWalletClients();
  const hash: Hex = await supplier!.writeContract({
    address: ledger,
    abi: keyLedgerAbi,
    functionName: "redeem",
    args: [[{ batchId: b.batchId, wordIndex: 0n, mask: 1n << BigInt(REDEEMED), hint: 0n }]],
  });
  expect((await client.waitForTransactionReceipt({ hash })).status).toBe("success");
  await client.request({ method: "hardhat_mine" as never, params: ["0x40"] as never });
  fronts = [await startRpcFront(chain.url), await startRpcFront(chain.url)];
  dist = await buildPortal({
    KEYTRAIL_CHAIN_ID: String(chainId),
    KEYTRAIL_RPC_URLS: fronts.map((f) => f.url).join(","),
    KEYTRAIL_LEDGER: ledger,
    KEYTRAIL_PORTAL_BASE: "https://verify.keytrail.example",
  });
  site = await servePortal(dist);
  ({ origin, browser } = site);
}, 600_000);

afterAll(async () => {
  for (const c of closers) await c();
  await site?.close();
  for (const f of fronts) await f.close();
  await chain?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

async function open(payload: string, lang: "zh" | "en"): Promise<Page> {
  const page = await browser.newPage();
  page.on("request", (r) => requests.push(r.postData() ?? ""));
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

describe("verify page on a v1 ledger with two RPCs (Chromium)", () => {
  it("genuine, read by eth_call on both RPCs at an agreed block; the card shows the tier and that it is not a proof", async () => {
    fronts[0]!.target = chain.url;
    const en = await open(b.full(0), "en");
    expect(await verdictOf(en)).toBe("genuine");
    const t = await trustOf(en);
    expect(t.kind).toBe("call");
    expect(t.text).toMatch(
      /^2 of 2 RPCs agree at block \d+ \(read by eth_call, not a storage proof: a v1 ledger has no storage proofs\)$/,
    );
    await en.close();
    const zh = await open(b.full(3), "zh");
    expect(await verdictOf(zh)).toBe("genuine");
    expect((await trustOf(zh)).text).toMatch(
      /^2\/2 个 RPC 节点在区块 \d+ 给出一致结果（eth_call 读取，不是存储证明；v1 账本不提供存储证明）$/,
    );
    await zh.close();
    const redeemed = await open(b.full(REDEEMED), "en");
    expect(await verdictOf(redeemed)).toBe("redeemed");
    await redeemed.close();
    expect(requests.some((r) => r.includes("eth_call"))).toBe(true);
    expect(requests.some((r) => r.includes("eth_getProof"))).toBe(false);
    // Every eth_call of keyStatus names a block number, never "latest".
    const keyStatusCalls = requests.filter((r) => r.includes('"eth_call"') && r.includes("0x3a8c73ec"));
    expect(keyStatusCalls.length).toBeGreaterThanOrEqual(2);
    for (const r of keyStatusCalls) expect(r).toMatch(/"0x[0-9a-f]+"\]/);
  });

  /** Lie, and the verdicts the genuine key 0 and the redeemed key may get (liar first, honest second). */
  const MATRIX: [Lie, string, readonly string[], readonly string[]][] = [
    ["call-result", "the eth_call answers differ: RPCs disagree", ["unreachable"], ["unreachable"]],
    ["header-forged", "RPCs disagree on the block", ["unreachable"], ["unreachable"]],
    ["header-state-root", "the liar's header does not hash: one RPC", ["genuine"], ["redeemed"]],
    ["chain-id", "another chain: cannot confirm", ["unreachable"], ["unreachable"]],
    ["stale-head", "an old head, before the batch: the heads disagree", ["unreachable"], ["unreachable"]],
  ];
  it.each(MATRIX)(
    "a liar telling %s (%s) never gives genuine for a lie",
    async (lie, _why, genuineKey, redeemedKey) => {
      const liar = await startLyingRpc({ upstream: chain.url, lies: [lie] });
      closers.push(liar.close);
      fronts[0]!.target = liar.url;
      try {
        const a = await open(b.full(0), "en");
        expect(genuineKey, `${lie}: genuine key`).toContain(await verdictOf(a));
        if (lie === "header-state-root")
          expect((await trustOf(a)).text).toMatch(/^One RPC \(1 of 2\) answered at block \d+/);
        await a.close();
        const r = await open(b.full(REDEEMED), "en");
        const verdict = await verdictOf(r);
        expect(verdict, `${lie}: redeemed key`).not.toBe("genuine");
        expect(redeemedKey, `${lie}: redeemed key`).toContain(verdict);
        if (lie === "call-result" || lie === "header-forged" || lie === "stale-head") {
          expect(await r.textContent("#verdict-title")).toBe("RPCs disagree — cannot confirm");
          const t = await trustOf(r);
          expect(t.kind).toBe("disagree");
          expect(t.text).toMatch(/^RPCs disagree on block \d+ — cannot confirm$/);
        }
        await r.close();
      } finally {
        fronts[0]!.target = chain.url;
      }
    },
  );
});
