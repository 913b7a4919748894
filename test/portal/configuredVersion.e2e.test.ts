/**
 * End-to-end: the ledger's version in the portal's build configuration (`ledgerVersion`) lets the verify
 * page send the version's reads in its first round, next to the `SALES()` check that confirms the
 * version; the chain's answer decides which read is made and believed. In headless Chromium, with two
 * RPCs (the first can be a lying proxy), on a KeyLedger v2 and a KeyLedger v1 on the same chain:
 * - configured right: v2 in two rounds (the first proofs ride in round 1), v1 in one round (the agreed
 *   `keyStatus` eth_call rides in round 1, used only when that RPC's head before it and latest header
 *   after it are of the block agreed on); a v1 ledger configured v1 is never sent eth_getProof;
 * - configured wrong (v2 for the v1 ledger, v1 for the v2 ledger): the speculative answers are thrown
 *   away and the verdict is the chain's version's, with its tier;
 * - lying RPCs listed first give no verdict but the honest one (or "cannot confirm").
 */
import { rmSync } from "node:fs";
import type { Server } from "node:http";
import type { Browser, Page } from "playwright-core";
import { toFunctionSelector, type Address, type Hex, type PublicClient } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { createReceiptSecret } from "../../lib/sale/createReceiptSecret.js";
import { payloadUrl } from "../../lib/payload/payloadUrl.js";
import { createStaticServer } from "../../portal/server/createStaticServer.js";
import { launchChromium } from "../../scripts/browser/launchChromium.js";
import { startLyingRpc, type Lie } from "../helpers/lyingRpc.js";
import type { TestBatch } from "../verify/batch.js";
import { anchorV1Batch } from "./helpers/anchorV1Batch.js";
import { buildPortal } from "./helpers/buildPortal.js";
import { sellAndFreezeV2 } from "./helpers/sellAndFreezeV2.js";
import { startHttpChain, type HttpChain } from "./helpers/startHttpChain.js";
import { startRpcFront, type RpcFront } from "./helpers/startRpcFront.js";

/** `keyStatus(bytes32,uint64,uint64)` (the v1 read) and `SALES()` (the version check). */
const KEY_STATUS_V1 = "0x3a8c73ec";
const SALES = "0x6be6e9d9";
/** The selector of verifyReceipt(bytes32,uint64,bytes32,bytes32,bytes32[]). */
const VERIFY_RECEIPT = toFunctionSelector("verifyReceipt(bytes32,uint64,bytes32,bytes32,bytes32[])");
const REDEEMED = 4;

let chain: HttpChain;
let first: RpcFront;
let second: RpcFront;
let browser: Browser;
let v1: { ledger: Address; batch: TestBatch };
let v2: { ledger: Address; batch: TestBatch };
const secret = createReceiptSecret();
const dists: string[] = [];
const servers: Server[] = [];
/** Origins of the four builds: ledger v1 or v2, configured as v1 or v2. */
const site: Record<"v1as1" | "v1as2" | "v2as2" | "v2as1", string> = { v1as1: "", v1as2: "", v2as2: "", v2as1: "" };
/** Every request body the pages sent, to any host. */
const bodies: string[] = [];

beforeAll(async () => {
  chain = await startHttpChain();
  const sold = await sellAndFreezeV2(chain, "e2e configured v2", [secret]);
  v2 = { ledger: sold.ledger, batch: sold.batch };
  const anchored = await anchorV1Batch(chain, "e2e configured v1");
  v1 = { ledger: anchored.ledger, batch: anchored.batch };
  // Key 4 of the v1 batch redeemed, then blocks mined (a liar reporting an old head would read before the batch).
  const client = (await chain.viem.getPublicClient()) as unknown as PublicClient;
  const [, supplier] = await chain.viem.getWalletClients();
  const hash: Hex = await supplier!.writeContract({
    address: v1.ledger,
    abi: keyLedgerAbi,
    functionName: "redeem",
    args: [[{ batchId: v1.batch.batchId, wordIndex: 0n, mask: 1n << BigInt(REDEEMED), hint: 0n }]],
  });
  expect((await client.waitForTransactionReceipt({ hash })).status).toBe("success");
  await client.request({ method: "hardhat_mine" as never, params: ["0x40"] as never });
  first = await startRpcFront(chain.url);
  second = await startRpcFront(chain.url);
  browser = await launchChromium();
  const builds: [keyof typeof site, Address, "1" | "2"][] = [
    ["v1as1", v1.ledger, "1"],
    ["v1as2", v1.ledger, "2"],
    ["v2as2", v2.ledger, "2"],
    ["v2as1", v2.ledger, "1"],
  ];
  for (const [name, ledger, version] of builds) {
    const dist = await buildPortal({
      KEYTRAIL_CHAIN_ID: String(sold.chainId),
      KEYTRAIL_RPC_URLS: `${first.url},${second.url}`,
      KEYTRAIL_LEDGER: ledger,
      KEYTRAIL_LEDGER_VERSION: version,
      KEYTRAIL_PORTAL_BASE: "https://verify.keytrail.example",
    });
    dists.push(dist);
    const server = createStaticServer({ root: dist });
    servers.push(server);
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    site[name] = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }
}, 600_000);

afterAll(async () => {
  await browser?.close();
  for (const s of servers) await new Promise<void>((ok) => s.close(() => ok()));
  await first?.close();
  await second?.close();
  await chain?.close();
  for (const d of dists) rmSync(d, { recursive: true, force: true });
});

type Post = { rpc: "first" | "second"; calls: { method: string; params: unknown[] }[] };

/** Opens a link on a build, waits for the verdict; returns the page and each JSON-RPC POST it made. */
async function open(origin: string, payload: string, lang: "zh" | "en" = "en"): Promise<{ page: Page; posts: Post[] }> {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const posts: Post[] = [];
  page.on("request", (r) => {
    bodies.push(r.postData() ?? "");
    const rpc = r.url().startsWith(first.url) ? "first" : r.url().startsWith(second.url) ? "second" : undefined;
    if (!rpc || r.method() !== "POST") return;
    const body = r.postDataJSON() as Post["calls"][number] | Post["calls"];
    posts.push({ rpc, calls: Array.isArray(body) ? body : [body] });
  });
  await page.goto(payloadUrl(lang === "en" ? `${origin}/en` : origin, payload));
  await page.waitForFunction(() => {
    const v = document.getElementById("verdict") as HTMLElement | null;
    return !!v && !v.hidden && !!v.dataset.verdict;
  });
  return { page, posts };
}

const verdictOf = (page: Page) => page.$eval("#verdict", (e) => (e as HTMLElement).dataset.verdict ?? "");
const trustOf = async (page: Page) => ({
  kind: await page.$eval("#trust", (e) => (e as HTMLElement).dataset.trust ?? ""),
  text: (await page.textContent("#trust")) ?? "",
});
/** Each round's methods (sorted) sent to one RPC. */
const rounds = (posts: Post[], rpc: Post["rpc"]) =>
  posts.filter((p) => p.rpc === rpc).map((p) => p.calls.map((c) => c.method).sort());
const isKeyStatusV1 = (c: Post["calls"][number]) =>
  c.method === "eth_call" && (c.params[0] as { data?: string }).data?.startsWith(KEY_STATUS_V1) === true;

async function withLiar<T>(lie: Lie, run: () => Promise<T>): Promise<T> {
  const liar = await startLyingRpc({ upstream: chain.url, lies: [lie] });
  first.target = liar.url;
  try {
    return await run();
  } finally {
    first.target = chain.url;
    await liar.close();
  }
}

describe("the ledger's version in the build configuration (Chromium)", () => {
  it("v2 configured v2: the first proofs ride in round 1 with the SALES() check; two rounds to the verdict", async () => {
    const { page, posts } = await open(site.v2as2, v2.batch.full(5));
    expect(await verdictOf(page)).toBe("revoked");
    const t = await trustOf(page);
    expect(t.kind).toBe("proof");
    expect(t.text).toMatch(/^2 of 2 RPCs agree on block \d+ \(storage proofs checked\)$/);
    expect(rounds(posts, "first")).toEqual([
      ["eth_blockNumber", "eth_call", "eth_chainId", "eth_getBlockByNumber", "eth_getProof"],
      ["eth_getProof"],
    ]);
    expect(rounds(posts, "second")).toEqual([["eth_blockNumber", "eth_call", "eth_chainId", "eth_getBlockByNumber"]]);
    // The version check is in round 1's batch, on both RPCs.
    for (const rpc of ["first", "second"] as const) {
      const [round1] = posts.filter((p) => p.rpc === rpc);
      expect(round1!.calls.some((c) => (c.params[0] as { data?: string } | undefined)?.data === SALES)).toBe(true);
    }
    await page.close();
    const sold = await open(site.v2as2, v2.batch.full(1, { receiptSecret: secret }), "zh");
    expect(await verdictOf(sold.page)).toBe("sold-to-you");
    // The receipt is checked against the sale root proven with the status: after the status's two rounds,
    // one more for the sale's log, and no verifyReceipt call.
    const calls = sold.posts.flatMap((p) => p.calls);
    expect(calls.some((c) => (c.params[0] as { data?: string } | undefined)?.data?.startsWith(VERIFY_RECEIPT))).toBe(
      false,
    );
    expect(rounds(sold.posts, "first")).toEqual([
      ["eth_blockNumber", "eth_call", "eth_chainId", "eth_getBlockByNumber", "eth_getProof"],
      ["eth_getProof"],
      ["eth_getLogs"],
    ]);
    await sold.page.close();
  });

  it("v1 configured v1: one round, the keyStatus call between the head and the latest header; never eth_getProof", async () => {
    const { page, posts } = await open(site.v1as1, v1.batch.full(0));
    expect(await verdictOf(page)).toBe("genuine");
    const t = await trustOf(page);
    expect(t.kind).toBe("call");
    expect(t.text).toMatch(
      /^2 of 2 RPCs agree at block \d+ \(read by eth_call, not a storage proof: a v1 ledger has no storage proofs\)$/,
    );
    for (const rpc of ["first", "second"] as const) {
      expect(rounds(posts, rpc)).toEqual([
        ["eth_blockNumber", "eth_call", "eth_call", "eth_chainId", "eth_getBlockByNumber"],
      ]);
      const calls = posts.find((p) => p.rpc === rpc)!.calls.map((c) => (isKeyStatusV1(c) ? "keyStatus" : c.method));
      const at = (m: string) => calls.indexOf(m);
      expect(at("eth_blockNumber")).toBeLessThan(at("keyStatus"));
      expect(at("keyStatus")).toBeLessThan(at("eth_getBlockByNumber"));
    }
    await page.close();
    const redeemed = await open(site.v1as1, v1.batch.full(REDEEMED), "zh");
    expect(await verdictOf(redeemed.page)).toBe("redeemed");
    expect(redeemed.posts.flatMap((p) => p.calls).some((c) => c.method === "eth_getProof")).toBe(false);
    await redeemed.page.close();
    expect(posts.flatMap((p) => p.calls).some((c) => c.method === "eth_getProof")).toBe(false);
  });

  it("v1 configured v1, an RPC whose latest header is not of its head: its early call is not used, asked again at the block", async () => {
    // The first RPC answers eth_getBlockByNumber("latest") with the block below the head eth_blockNumber
    // reports: its early keyStatus call cannot be placed at one block, so it is asked again at the agreed block.
    const behind = await startLyingRpc({ upstream: chain.url, lies: [], latestBehind: true });
    first.target = behind.url;
    try {
      const { page, posts } = await open(site.v1as1, v1.batch.full(REDEEMED));
      expect(await verdictOf(page)).toBe("redeemed");
      expect((await trustOf(page)).text).toMatch(/^2 of 2 RPCs agree at block \d+/);
      const firstCalls = posts
        .filter((p) => p.rpc === "first")
        .flatMap((p) => p.calls)
        .filter(isKeyStatusV1);
      expect(firstCalls.map((c) => (c.params[1] === "latest" ? "latest" : "block"))).toEqual(["latest", "block"]);
      // The honest second RPC's early call was of the agreed block: used, not asked again.
      const secondCalls = posts
        .filter((p) => p.rpc === "second")
        .flatMap((p) => p.calls)
        .filter(isKeyStatusV1);
      expect(secondCalls.map((c) => c.params[1])).toEqual(["latest"]);
      expect(posts.flatMap((p) => p.calls).some((c) => c.method === "eth_getProof")).toBe(false);
      await page.close();
    } finally {
      first.target = chain.url;
      await behind.close();
    }
  });

  it("v1 ledger configured v2: the speculative proofs are thrown away, the verdict is read by the agreed eth_call", async () => {
    const { page, posts } = await open(site.v1as2, v1.batch.full(0));
    expect(await verdictOf(page)).toBe("genuine");
    const t = await trustOf(page);
    expect(t.kind).toBe("call");
    expect(t.text).toMatch(/^2 of 2 RPCs agree at block \d+ \(read by eth_call/);
    // The proofs went out in round 1 only (the configuration's guess); the status is the eth_call at the block.
    const firstRounds = posts.filter((p) => p.rpc === "first");
    expect(firstRounds[0]!.calls.some((c) => c.method === "eth_getProof")).toBe(true);
    expect(
      firstRounds
        .slice(1)
        .flatMap((p) => p.calls)
        .some((c) => c.method === "eth_getProof"),
    ).toBe(false);
    const keyStatus = posts.flatMap((p) => p.calls).filter(isKeyStatusV1);
    expect(keyStatus.length).toBe(2);
    for (const c of keyStatus) expect(c.params[1]).toMatch(/^0x[0-9a-f]+$/);
    await page.close();
    const redeemed = await open(site.v1as2, v1.batch.full(REDEEMED), "zh");
    expect(await verdictOf(redeemed.page)).toBe("redeemed");
    await redeemed.page.close();
  });

  it("v2 ledger configured v1: the early keyStatus call is thrown away, the status is proven (no eth_getProof in round 1)", async () => {
    for (const [link, honest] of [
      [v2.batch.full(5), "revoked"],
      [v2.batch.full(3), "not-yet-sold"],
      [v2.batch.full(1, { receiptSecret: secret }), "sold-to-you"],
    ] as const) {
      const { page, posts } = await open(site.v2as1, link);
      expect(await verdictOf(page), honest).toBe(honest);
      const t = await trustOf(page);
      expect(t.kind).toBe("proof");
      expect(t.text).toMatch(/^2 of 2 RPCs agree on block \d+ \(storage proofs checked\)$/);
      const [round1] = posts.filter((p) => p.rpc === "first");
      expect(round1!.calls.some((c) => c.method === "eth_getProof")).toBe(false);
      expect(round1!.calls.some(isKeyStatusV1)).toBe(true);
      await page.close();
    }
  });

  /** Lies against a v1 ledger configured v1 (liar first): the verdicts the genuine key 0 and the redeemed key may get. */
  const V1_MATRIX: [Lie, readonly string[], readonly string[]][] = [
    ["call-result", ["unreachable"], ["unreachable"]],
    ["header-forged", ["unreachable"], ["unreachable"]],
    ["header-state-root", ["genuine"], ["redeemed"]],
    ["chain-id", ["unreachable"], ["unreachable"]],
    ["stale-head", ["unreachable"], ["unreachable"]],
  ];
  it.each(V1_MATRIX)(
    "v1 configured v1, a liar telling %s: never genuine for a lie",
    async (lie, genuineKey, redeemedKey) => {
      await withLiar(lie, async () => {
        const a = await open(site.v1as1, v1.batch.full(0));
        expect(genuineKey, `${lie}: genuine key`).toContain(await verdictOf(a.page));
        if (lie === "header-state-root")
          expect((await trustOf(a.page)).text).toMatch(/^One RPC \(1 of 2\) answered at block \d+/);
        await a.page.close();
        const r = await open(site.v1as1, v1.batch.full(REDEEMED));
        expect(redeemedKey, `${lie}: redeemed key`).toContain(await verdictOf(r.page));
        await r.page.close();
        expect([...a.posts, ...r.posts].flatMap((p) => p.calls).some((c) => c.method === "eth_getProof")).toBe(false);
      });
    },
  );

  /** Lies against a v2 ledger configured v2 (liar first, so the speculative proofs come from the liar). */
  const V2_MATRIX: Lie[] = [
    "header-forged",
    "header-state-root",
    "proof-flip",
    "proof-truncate",
    "proof-extra",
    "proof-value",
    "call-result",
  ];
  it.each(V2_MATRIX)("v2 configured v2, a liar telling %s: no verdict but the honest one", async (lie) => {
    await withLiar(lie, async () => {
      for (const [link, honest] of [
        [v2.batch.full(1, { receiptSecret: secret }), "sold-to-you"],
        [v2.batch.full(3), "not-yet-sold"],
        [v2.batch.full(5), "revoked"],
      ] as const) {
        const { page } = await open(site.v2as2, link);
        const verdict = await verdictOf(page);
        // A forged header is "RPCs disagree"; the receipt is checked against the proven sale root, so a
        // lying eth_call changes nothing.
        const allowed = lie === "header-forged" ? ["unreachable"] : [honest];
        expect(allowed, `${lie} on ${honest}`).toContain(verdict);
        if (verdict !== "unreachable") expect((await trustOf(page)).kind).toBe("proof");
        await page.close();
      }
    });
  });

  it("the receipt secret is never sent anywhere", () => {
    expect(bodies.length).toBeGreaterThan(0);
    for (const b of bodies) expect(b).not.toContain(secret.slice(2));
  });
});
