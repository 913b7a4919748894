/**
 * End-to-end: GS1 Digital Links (`/01/<gtin>/21/<serial>#<payload>`) opened in Chromium on the built portal served
 * by `keytrail portal serve`'s static server, against a KeyLedger on an HTTP Hardhat chain: the page reads the
 * payload from the fragment on the Digital Link path; the private and public forms verify as genuine (the public
 * one says a typed key cannot be checked); a path that disagrees with its payload is malformed.
 */
import { rmSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { digitalLinkSerial } from "../../lib/payload/digitalLinkSerial.js";
import { digitalLinkUrl } from "../../lib/payload/digitalLinkUrl.js";
import { encodePayload } from "../../lib/payload/encodePayload.js";
import { toPublicPayload } from "../../lib/payload/toPublicPayload.js";
import type { TestBatch } from "../verify/batch.js";
import { anchorV1Batch } from "./helpers/anchorV1Batch.js";
import { buildPortal } from "./helpers/buildPortal.js";
import { servePortal, type ServedPortal } from "./helpers/servePortal.js";
import { startHttpChain, type HttpChain } from "./helpers/startHttpChain.js";

const GTIN = "09506000134352";
let chain: HttpChain;
let b: TestBatch;
let dist: string;
let site: ServedPortal | undefined;
let origin: string;
let browser: Browser;

/** Key i's full-form payload (it carries its proof) with the GS1 block a Digital Link needs (GTIN, serial). */
const dlPayload = (i: number) =>
  encodePayload({ ...decodePayload(b.full(i)), gs1: { gtin: GTIN, serial: digitalLinkSerial(b.batchId, i) } });

beforeAll(async () => {
  chain = await startHttpChain();
  const anchored = await anchorV1Batch(chain, "e2e dl");
  const { ledger, chainId } = anchored;
  b = anchored.batch;
  dist = await buildPortal({
    KEYTRAIL_CHAIN_ID: String(chainId),
    KEYTRAIL_RPC_URLS: chain.url,
    KEYTRAIL_LEDGER: ledger,
    KEYTRAIL_PORTAL_BASE: "https://verify.keytrail.example",
  });
  site = await servePortal(dist);
  ({ origin, browser } = site);
}, 600_000);

afterAll(async () => {
  await site?.close();
  await chain?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

async function open(url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => {
    const v = document.getElementById("verdict") as HTMLElement | null;
    return !!v && !v.hidden && !!v.dataset.verdict;
  });
  return page;
}
const verdictOf = (page: Page) => page.$eval("#verdict", (e) => (e as HTMLElement).dataset.verdict);

describe("verify page on GS1 Digital Link paths (Chromium)", () => {
  it("reads the payload from the fragment on /01/<gtin>/21/<serial> and verifies the private form", async () => {
    const url = digitalLinkUrl(origin, dlPayload(3));
    expect(url).toMatch(new RegExp(`^${origin}/01/${GTIN}/21/[0-9a-f]{8}\\.3#`));
    const page = await open(url);
    expect(await verdictOf(page)).toBe("genuine");
    expect(new URL(page.url()).pathname).toBe(`/01/${GTIN}/21/${digitalLinkSerial(b.batchId, 3)}`);
    // the private form checks a typed key
    await page.fill("#key-serial", b.keys[3]!.serial);
    await page.fill("#key-pin", b.keys[3]!.pin);
    await page.click("#key-form button[type=submit]");
    await page.waitForSelector("#key-result[data-match]"); // the hashing loads on demand
    expect(await page.$eval("#key-result", (e) => (e as HTMLElement).dataset.match)).toBe("yes");
    await page.close();
  });

  it("the public form on the English Digital Link page: genuine, and a typed key cannot be checked", async () => {
    const url = digitalLinkUrl(`${origin}/en`, toPublicPayload(dlPayload(5)));
    const page = await open(url);
    expect(await verdictOf(page)).toBe("genuine");
    expect(await page.textContent("#verdict-detail")).toContain(
      "A typed key cannot be checked with this form (a public code carries no salt).",
    );
    await page.fill("#key-serial", b.keys[5]!.serial);
    await page.fill("#key-pin", b.keys[5]!.pin);
    await page.click("#key-form button[type=submit]");
    expect(await page.$eval("#key-result", (e) => (e as HTMLElement).dataset.match)).toBe("unknown");
    expect(await page.textContent("#key-result")).toBe(
      "A typed key cannot be checked with this form (a public code carries no salt).",
    );
    await page.close();
  });

  it("a path that disagrees with its payload is malformed, never genuine; plain /v/ links keep working", async () => {
    const good = dlPayload(2);
    const other = `${origin}/01/${GTIN}/21/${digitalLinkSerial(b.batchId, 4)}#${good}`;
    const page = await open(other);
    expect(await verdictOf(page)).toBe("malformed");
    expect(await page.textContent("#facts")).toContain("link path and payload disagree");
    await page.close();
    const plain = await open(`${origin}/v/#${good}`);
    expect(await verdictOf(plain)).toBe("genuine");
    await plain.close();
  });
});
