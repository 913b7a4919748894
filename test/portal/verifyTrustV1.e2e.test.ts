/**
 * End-to-end on a KeyLedger v1 ledger with two RPCs configured: the verify page reads the status as
 * before (keyStatus by eth_call, no eth_getProof) and the card says the status is not proven, in
 * both languages; no eth_getProof is sent.
 */
import { rmSync } from "node:fs";
import type { Server } from "node:http";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payloadUrl } from "../../lib/payload/payloadUrl.js";
import { createStaticServer } from "../../portal/server/createStaticServer.js";
import { launchChromium } from "../../scripts/browser/launchChromium.js";
import { zeroHash } from "viem";
import type { Hex, PublicClient } from "viem";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { keyLedgerBytecode } from "../../lib/abi/keyLedgerBytecode.js";
import { anchorParams } from "../contracts/helpers.js";
import { makeBatch, type TestBatch } from "../verify/batch.js";
import { buildPortal } from "./helpers/buildPortal.js";
import { startHttpChain, type HttpChain } from "./helpers/startHttpChain.js";
import { startRpcFront, type RpcFront } from "./helpers/startRpcFront.js";

let chain: HttpChain;
let b: TestBatch;
let dist: string;
let server: Server;
let origin: string;
let browser: Browser;
let fronts: RpcFront[] = [];
const requests: string[] = [];

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
  b = makeBatch({ supplier: supplier.account.address, ledger, chainId, label: "e2e v1", count: 8, shardSize: 8 });
  await write(supplier, "anchorBatch", [{ ...anchorParams("e2e v1", 8n), root: b.root }]);
  fronts = [await startRpcFront(chain.url), await startRpcFront(chain.url)];
  dist = await buildPortal({
    KEYTRAIL_CHAIN_ID: String(chainId),
    KEYTRAIL_RPC_URLS: fronts.map((f) => f.url).join(","),
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
