/**
 * End-to-end on a KeyLedger v1 ledger with two RPCs configured: the verify page reads the status as
 * before (keyStatus by eth_call, no eth_getProof) and the card says the status is not proven, in
 * both languages; no eth_getProof is sent.
 */
import { rmSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
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

beforeAll(async () => {
  chain = await startHttpChain();
  const anchored = await anchorV1Batch(chain, "e2e v1");
  const { ledger, chainId } = anchored;
  b = anchored.batch;
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

describe("verify page on a v1 ledger with two RPCs (Chromium)", () => {
  it("genuine, read by eth_call; the card says the status is not proven", async () => {
    const en = await open(b.full(0), "en");
    expect(await en.$eval("#verdict", (e) => (e as HTMLElement).dataset.verdict)).toBe("genuine");
    expect(await en.$eval("#trust", (e) => (e as HTMLElement).dataset.trust)).toBe("call");
    expect(await en.textContent("#trust")).toBe(
      "Read with one RPC's eth_call, not proven (a v1 ledger has no storage proofs)",
    );
    await en.close();
    const zh = await open(b.full(3), "zh");
    expect(await zh.$eval("#verdict", (e) => (e as HTMLElement).dataset.verdict)).toBe("genuine");
    expect(await zh.textContent("#trust")).toBe("由单个 RPC 的 eth_call 读取，未经证明（v1 账本不提供存储证明）");
    await zh.close();
    expect(requests.some((r) => r.includes("eth_call"))).toBe(true);
    expect(requests.some((r) => r.includes("eth_getProof"))).toBe(false);
  });
});
