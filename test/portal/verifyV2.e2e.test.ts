/**
 * End-to-end on a v2 ledger: the built portal in headless Chromium verifying receipt links against
 * KeyLedgerV2 on an in-process chain over HTTP: the sold-to-you, sold-to-another and not-yet-sold
 * cards in both languages, the sale's facts, the order-reference form, the refunded reason and the
 * regulator's freeze. The receipt secret never leaves the page (no request carries it).
 */
import { rmSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "viem";
import { createReceiptSecret } from "../../lib/sale/createReceiptSecret.js";
import { payloadUrl } from "../../lib/payload/payloadUrl.js";
import type { TestBatch } from "../verify/batch.js";
import { buildPortal } from "./helpers/buildPortal.js";
import { servePortal, type ServedPortal } from "./helpers/servePortal.js";
import { sellAndFreezeV2 } from "./helpers/sellAndFreezeV2.js";
import { startHttpChain, type HttpChain } from "./helpers/startHttpChain.js";

const PORTAL_BASE = "https://verify.keytrail.example";
let chain: HttpChain;
let ledger: Address;
let b: TestBatch;
let dist: string;
let site: ServedPortal | undefined;
let origin: string;
let browser: Browser;
const secrets = [createReceiptSecret(), createReceiptSecret()];
const requests: string[] = [];

beforeAll(async () => {
  chain = await startHttpChain();
  const sold = await sellAndFreezeV2(chain, "e2e v2", secrets);
  ledger = sold.ledger;
  const chainId = sold.chainId;
  b = sold.batch;
  dist = await buildPortal({
    KEYTRAIL_CHAIN_ID: String(chainId),
    KEYTRAIL_CHAIN_NAME: "Hardhat",
    KEYTRAIL_RPC_URLS: chain.url,
    KEYTRAIL_LEDGER: ledger,
    KEYTRAIL_PORTAL_BASE: PORTAL_BASE,
  });
  site = await servePortal(dist);
  ({ origin, browser } = site);
}, 600_000);

afterAll(async () => {
  await site?.close();
  await chain?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

async function open(payload: string, lang: "zh" | "en" = "zh"): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  page.on("request", (r) => requests.push(`${r.url()} ${r.postData() ?? ""}`));
  const url = payloadUrl(lang === "en" ? `${origin}/en` : origin, payload);
  await page.goto(url);
  await page.waitForFunction(() => {
    const v = document.getElementById("verdict") as HTMLElement | null;
    return !!v && !v.hidden && !!v.dataset.verdict;
  });
  return page;
}
const verdictOf = (page: Page) => page.$eval("#verdict", (e) => (e as HTMLElement).dataset.verdict ?? "");

describe("portal verify page on a v2 ledger (Chromium)", () => {
  it("sold-to-you: card, sale facts, order-reference form (match and mismatch)", async () => {
    const page = await open(b.full(1, { receiptSecret: secrets[0]! }));
    expect(await verdictOf(page)).toBe("sold-to-you");
    expect(await page.textContent("#verdict-title")).toBe("已售予您");
    const facts = (await page.textContent("#facts")) ?? "";
    expect(facts).toContain("第 1 笔销售");
    expect(facts).toContain("Shop 7");
    expect(facts).toContain("4900 CNY");
    expect(await page.isVisible("#order-section")).toBe(true);
    await page.fill("#order-input", "TB-1");
    await page.click("#order-form button[type=submit]");
    await page.waitForFunction(() => document.getElementById("order-result")?.dataset.match !== undefined);
    expect(await page.$eval("#order-result", (e) => (e as HTMLElement).dataset.match)).toBe("yes");
    await page.fill("#order-input", "TB-9");
    await page.click("#order-form button[type=submit]");
    await page.waitForFunction(() => document.getElementById("order-result")?.dataset.match === "no");
    await page.close();
    const en = await open(b.full(1, { receiptSecret: secrets[0]! }), "en");
    expect(await en.textContent("#verdict-title")).toBe("Sold to you");
    await en.close();
  });

  it("sold-to-another and not-yet-sold cards, in both languages", async () => {
    const other = await open(b.full(1, { receiptSecret: secrets[1]! }));
    expect(await verdictOf(other)).toBe("sold-to-another");
    expect(await other.textContent("#verdict-title")).toBe("已卖给别人");
    expect(await other.textContent("#verdict-detail")).toContain("请联系卖家");
    expect(await other.isVisible("#order-section")).toBe(false);
    await other.close();
    const none = await open(b.full(2), "en");
    expect(await verdictOf(none)).toBe("sold-to-another");
    expect(await none.textContent("#verdict-title")).toBe("Sold to someone else");
    expect(await none.textContent("#facts")).toContain("This link carries no receipt.");
    await none.close();
    const unsold = await open(b.full(3));
    expect(await verdictOf(unsold)).toBe("not-yet-sold");
    expect(await unsold.textContent("#verdict-title")).toBe("尚未登记销售");
    await unsold.close();
  });

  it("a regulator's freeze is named as such", async () => {
    const page = await open(b.full(5), "en");
    expect(await verdictOf(page)).toBe("revoked");
    expect(await page.textContent("#verdict-detail")).toContain("A regulator froze this key");
    await page.close();
  });

  it("the receipt secret is never sent anywhere", () => {
    expect(requests.length).toBeGreaterThan(0);
    for (const s of secrets) for (const r of requests) expect(r).not.toContain(s.slice(2));
  });
});
