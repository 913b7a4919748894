/**
 * End-to-end: GS1 Digital Links (`/01/<gtin>/21/<serial>#<payload>`) opened in Chromium on the built portal served
 * by `keytrail portal serve`'s static server, against a KeyLedger on an HTTP Hardhat chain: the page reads the
 * payload from the fragment on the Digital Link path; the private and public forms verify as genuine (the public
 * one says a typed key cannot be checked); a path that disagrees with its payload is malformed.
 */
import { rmSync } from "node:fs";
import type { Server } from "node:http";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zeroHash } from "viem";
import type { Hex, PublicClient } from "viem";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { keyLedgerBytecode } from "../../lib/abi/keyLedgerBytecode.js";
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { digitalLinkSerial } from "../../lib/payload/digitalLinkSerial.js";
import { digitalLinkUrl } from "../../lib/payload/digitalLinkUrl.js";
import { encodePayload } from "../../lib/payload/encodePayload.js";
import { toPublicPayload } from "../../lib/payload/toPublicPayload.js";
import { createStaticServer } from "../../portal/server/createStaticServer.js";
import { launchChromium } from "../../scripts/browser/launchChromium.js";
import { anchorParams } from "../contracts/helpers.js";
import { makeBatch, type TestBatch } from "../verify/batch.js";
import { buildPortal } from "./helpers/buildPortal.js";
import { startHttpChain, type HttpChain } from "./helpers/startHttpChain.js";

const GTIN = "09506000134352";
let chain: HttpChain;
let b: TestBatch;
let dist: string;
let server: Server;
let origin: string;
let browser: Browser;

/** Key i's full-form payload (it carries its proof) with the GS1 block a Digital Link needs (GTIN, serial). */
const dlPayload = (i: number) =>
  encodePayload({ ...decodePayload(b.full(i)), gs1: { gtin: GTIN, serial: digitalLinkSerial(b.batchId, i) } });

beforeAll(async () => {
  chain = await startHttpChain();
  const client = (await chain.viem.getPublicClient()) as unknown as PublicClient;
  const [admin, supplier] = await chain.viem.getWalletClients();
  if (!admin || !supplier) throw new Error("need 2 accounts");
  const wait = async (hash: Hex) => {
    const r = await client.waitForTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return r;
  };
  const ledger = (
    await wait(
      await admin.deployContract({ abi: keyLedgerAbi, bytecode: keyLedgerBytecode, args: [admin.account.address] }),
    )
  ).contractAddress!;
  const write = async (w: typeof admin, functionName: string, args: readonly unknown[]) =>
    wait(await w.writeContract({ address: ledger, abi: keyLedgerAbi, functionName, args } as never));
  await write(admin, "registerParty", [supplier.account.address, 1, zeroHash, "", 0n]);
  const chainId = await client.getChainId();
  b = makeBatch({ supplier: supplier.account.address, ledger, chainId, label: "e2e dl", count: 8, shardSize: 8 });
  await write(supplier, "anchorBatch", [{ ...anchorParams("e2e dl", 8n), root: b.root }]);
  dist = await buildPortal({
    KEYTRAIL_CHAIN_ID: String(chainId),
    KEYTRAIL_RPC_URLS: chain.url,
    KEYTRAIL_LEDGER: ledger,
    KEYTRAIL_PORTAL_BASE: "https://verify.keytrail.example",
  });
  server = createStaticServer({ root: dist });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
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
