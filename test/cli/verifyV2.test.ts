/**
 * `keytrail verify` and `keytrail status` against a KeyLedgerV2 deployment on a local Hardhat node:
 * the new verdicts and facts, --order-ref, the exit codes (0 for genuine and sold-to-you), and that
 * neither the receipt secret nor the order reference is printed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex, zeroHash } from "viem";
import type { Address, Hex } from "viem";
import { computeOrderRefHash } from "../../lib/sale/computeOrderRefHash.js";
import { computeReceiptCommitment } from "../../lib/sale/computeReceiptCommitment.js";
import { createReceiptSecret } from "../../lib/sale/createReceiptSecret.js";
import { payloadUrl } from "../../lib/payload/payloadUrl.js";
import { makeBatch, type TestBatch } from "../verify/batch.js";
import { anchorParamsV2 } from "../contracts/helpersV2.js";
import { startLyingRpc, type Lie } from "../helpers/lyingRpc.js";
import { countRounds, startSlowRpc } from "../helpers/slowRpc.js";
import { deployNodeLedgerV2 } from "./helpers/deployNodeLedgerV2.js";
import { runCli, type CliResult } from "./helpers/runCli.js";
import { startHardhatNode, type HardhatNode } from "./helpers/startHardhatNode.js";

const PORTAL = "https://verify.example.com";
let node: HardhatNode;
let cwd: string;
let ledger: Address;
let batch: TestBatch;
const secret = createReceiptSecret();
const ORDER = "JD-2026-778899";
/** Round trips `keytrail verify` waits for on a sold key with two RPCs (see the test that counts them). */
const ROUNDS = 5;

const cli = (args: string[]): Promise<CliResult> => runCli(args, { cwd });
const verify = async (link: string, ...extra: string[]) => {
  const r = await cli(["verify", link, "--json", "--ledger", ledger, ...extra]);
  return { code: r.code, out: r.stdout, json: JSON.parse(r.stdout) as Record<string, unknown> & { verdict: string } };
};

beforeAll(async () => {
  node = await startHardhatNode();
  cwd = mkdtempSync(join(tmpdir(), "keytrail-cli-v2-"));
  const deployed = await deployNodeLedgerV2(node.url);
  const { supplier, write } = deployed;
  ledger = deployed.ledger;
  const sup = supplier.account.address;
  batch = makeBatch({ supplier: sup, ledger, chainId: 31337, label: "cli v2", count: 8, shardSize: 8 });
  await write(supplier, "anchorBatch", [{ ...anchorParamsV2("cli v2", 8n, { saleRequired: true }), root: batch.root }]);
  const sell = async (index: number, s: Hex, order: string) =>
    write(supplier, "sell", [
      [
        {
          batchId: batch.batchId,
          indices: [BigInt(index)],
          commitments: [computeReceiptCommitment({ batchId: batch.batchId, index, secret: s })],
          orderRefs: [computeOrderRefHash({ orderReference: order, secret: s })],
        },
      ],
      { store: toHex("shop 7", { size: 32 }), terminal: zeroHash, amount: 4_900n, currency: toHex("CNY", { size: 3 }) },
    ]);
  await sell(2, secret, ORDER);
  const r = await cli(["init", "--chain", "31337", "--rpc", node.url, "--portal", PORTAL]);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  await node?.stop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe("keytrail verify / status on a v2 ledger", () => {
  it("sold-to-you exits 0 with the sale's facts; --order-ref is checked; the secret is never printed", async () => {
    const link = payloadUrl(PORTAL, batch.full(2, { receiptSecret: secret }));
    const r = await verify(link);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({
      verdict: "sold-to-you",
      ledgerVersion: 2,
      saleRequired: true,
      sale: { saleNo: 1, amount: "4900", currency: "CNY" },
      receiptCheck: "match",
      payload: { version: 2, receiptSecret: "(present, not shown)" },
    });
    expect(r.out).not.toContain(secret.slice(2));
    const typed = await verify(link, "--order-ref", ORDER);
    expect(typed.json).toMatchObject({ verdict: "sold-to-you", sale: { orderRefMatches: true } });
    expect(typed.out).not.toContain(ORDER);
    const wrong = await verify(link, "--order-ref", "JD-2026-000000");
    expect(wrong.json).toMatchObject({ verdict: "sold-to-you", sale: { orderRefMatches: false } });
    const text = await cli(["verify", link, "--ledger", ledger, "--order-ref", ORDER]);
    expect(text.code).toBe(0);
    expect(text.stdout + text.stderr).toMatch(/SOLD-TO-YOU/);
    expect(text.stdout + text.stderr).toMatch(/sale \(销售\) 1 by 0x[0-9a-fA-F]{40} at .*shop 7/);
    expect(text.stdout + text.stderr).toMatch(/order reference \(订单号\) matches/);
    expect(text.stdout + text.stderr).not.toContain(secret.slice(2));
  });

  it("sold-to-another and not-yet-sold exit 1", async () => {
    const another = await verify(payloadUrl(PORTAL, batch.full(2, { receiptSecret: createReceiptSecret() })));
    expect(another.code).toBe(1);
    expect(another.json).toMatchObject({ verdict: "sold-to-another", receipt: "mismatch" });
    const none = await verify(payloadUrl(PORTAL, batch.full(2)));
    expect(none).toMatchObject({ code: 1, json: { verdict: "sold-to-another", receipt: "none" } });
    const unsold = await verify(payloadUrl(PORTAL, batch.full(3)));
    expect(unsold).toMatchObject({ code: 1, json: { verdict: "not-yet-sold" } });
  });

  it("a chain id other than the one expected: the ledger's early reads are dropped, the verdict is wrong-chain", async () => {
    // The ledger's reads go out with the chain-id round for the expected chain id (8453); the RPC serves
    // 31337, so the command falls back to the sequential path and its error.
    const r = await verify(payloadUrl(PORTAL, batch.full(2, { receiptSecret: secret })), "--chain-id", "8453");
    expect(r.code).not.toBe(0);
    // The same verdict as the sequential path gives: the code names 31337, the command expects 8453.
    expect(r.json).toMatchObject({ verdict: "wrong-chain", payloadChainId: 31337, expectedChainId: 8453 });
  });

  it("--order-ref must be 1-128 characters", async () => {
    const r = await cli(["verify", payloadUrl(PORTAL, batch.full(2)), "--ledger", ledger, "--order-ref", "   "]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--order-ref .* expected 1-128 characters/);
  });

  it("status shows the sale and the v2 fields", async () => {
    const r = await cli(["status", "--batch", batch.batchId, "--index", "2", "--ledger", ledger, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ledgerVersion: 2,
      saleRequired: true,
      issuerSuspended: false,
      frozenByRegulator: false,
      sale: { saleNo: 1, live: true, refunded: false },
      revoked: false,
    });
    const text = await cli(["status", "--batch", batch.batchId, "--index", "3", "--ledger", ledger]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/not sold, sale required before redemption/);
  });
});

describe("keytrail verify reads a v2 status with storage proofs at a block the RPCs agree on", () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of closers) await c();
  });
  /** Verifies with the CLI configured with `urls` (liars first), then puts the honest config back. */
  const verifyWith = async (urls: string[], link: string) => {
    const path = join(cwd, "keytrail.config.json");
    const original = readFileSync(path, "utf8");
    writeFileSync(path, JSON.stringify({ ...JSON.parse(original), rpcUrls: urls }, null, 2));
    try {
      return await verify(link);
    } finally {
      writeFileSync(path, original);
    }
  };

  it("by default: proven at a block, one RPC; --trust call reads one eth_call and says so", async () => {
    const link = payloadUrl(PORTAL, batch.full(2, { receiptSecret: secret }));
    const r = await verify(link);
    expect(r.json).toMatchObject({ verdict: "sold-to-you", trust: { method: "proof", asked: 1 } });
    const call = await verify(link, "--trust", "call");
    expect(call.json).toMatchObject({ verdict: "sold-to-you", trust: { method: "call", reason: "--trust call" } });
    const bad = await cli(["verify", link, "--ledger", ledger, "--trust", "maybe"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--trust "maybe"/);
  });

  /** The lie matrix through the CLI: a liar listed first, an honest RPC second. */
  const LIE_MATRIX: [Lie, string, readonly string[]][] = [
    ["header-forged", "RPCs disagree: cannot confirm", ["unreachable"]],
    ["header-state-root", "liar not counted", ["sold-to-you"]],
    ["proof-flip", "its proof fails, the honest one is used", ["sold-to-you"]],
    ["proof-truncate", "its proof fails, the honest one is used", ["sold-to-you"]],
    ["proof-extra", "its proof fails, the honest one is used", ["sold-to-you"]],
    ["proof-value", "claimed values are ignored", ["sold-to-you"]],
    ["call-result", "the receipt is checked against the proven sale root, not by an eth_call", ["sold-to-you"]],
    ["ledger-version", "calls the v2 ledger v1: RPCs disagree on the version", ["unreachable"]],
  ];
  it.each(LIE_MATRIX)(
    "a liar telling %s (%s) never turns sold-to-you into another claim",
    async (lie, _why, allowed) => {
      const liar = await startLyingRpc({ upstream: node.url, lies: [lie] });
      closers.push(liar.close);
      const r = await verifyWith([liar.url, node.url], payloadUrl(PORTAL, batch.full(2, { receiptSecret: secret })));
      expect(allowed).toContain(r.json.verdict);
      if (lie === "header-forged" || lie === "ledger-version") expect(String(r.json.message)).toMatch(/disagree/);
      if (lie === "header-state-root") expect(r.json).toMatchObject({ trust: { method: "proof", asked: 2 } });
      // An unsold key stays not-yet-sold (or cannot be confirmed): a lie never frames the seller.
      const unsold = await verifyWith([liar.url, node.url], payloadUrl(PORTAL, batch.full(3)));
      expect(["not-yet-sold", "unreachable"]).toContain(unsold.json.verdict);
    },
  );

  it(`waits for ${ROUNDS} round trips to two distant RPCs: the ledger's reads go out with the chain ids, the version is confirmed alongside the status, the first proofs go out with the headers`, async () => {
    const slow = [
      await startSlowRpc({ upstream: node.url, delayMs: 150 }),
      await startSlowRpc({ upstream: node.url, delayMs: 150 }),
    ];
    for (const s of slow) closers.push(s.close);
    const r = await verifyWith(
      slow.map((s) => s.url),
      payloadUrl(PORTAL, batch.full(2, { receiptSecret: secret })),
    );
    expect(r.json.verdict).toBe("sold-to-you");
    const rounds = countRounds(
      slow.flatMap((s) => s.arrivals),
      100,
    );
    // Each request as `ms-after-the-first method(s)`, in arrival order: the rounds a failure counted.
    const t0 = Math.min(...slow.flatMap((s) => s.arrivals));
    const requests = slow
      .flatMap((s) => s.arrivals.map((at, i) => [at, s.methods[i]] as const))
      .sort((a, b) => a[0] - b[0])
      .map(([at, m]) => `${Math.round(at - t0)} ${m}`);
    console.log(`keytrail verify, sold-to-you, 2 RPCs at 150 ms: ${rounds} rounds`);
    expect(rounds, requests.join("\n")).toBeLessThanOrEqual(ROUNDS);
  });
});
