/**
 * `keytrail verify` on a KeyLedger v1 (no storage proofs): keyStatus is read by eth_call on every
 * configured RPC at one block they agree on, and believed only when they all give the same answer.
 * With a lying RPC listed first and an honest one second, no lie gives "genuine" for a redeemed key,
 * nor any verdict but the honest one (or "cannot confirm") for a genuine key.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address, Hex, PublicClient } from "viem";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { payloadUrl } from "../../lib/payload/payloadUrl.js";
import { startLyingRpc, type Lie } from "../helpers/lyingRpc.js";
import { anchorV1Batch } from "../portal/helpers/anchorV1Batch.js";
import { startHttpChain, type HttpChain } from "../portal/helpers/startHttpChain.js";
import type { TestBatch } from "../verify/batch.js";
import { runCli, type CliResult } from "./helpers/runCli.js";

const PORTAL = "https://verify.example.com";
const REDEEMED = 4;
let chain: HttpChain;
let cwd: string;
let ledger: Address;
let batch: TestBatch;
const closers: (() => Promise<void>)[] = [];

const cli = (args: string[]): Promise<CliResult> => runCli(args, { cwd });

/** Verifies with the CLI configured with `urls` (a liar first), then puts the honest config back. */
async function verifyWith(urls: string[], link: string, ...extra: string[]) {
  const path = join(cwd, "keytrail.config.json");
  const original = readFileSync(path, "utf8");
  writeFileSync(path, JSON.stringify({ ...JSON.parse(original), rpcUrls: urls }, null, 2));
  try {
    const r = await cli(["verify", link, "--ledger", ledger, ...extra]);
    return r;
  } finally {
    writeFileSync(path, original);
  }
}
const json = (r: CliResult) =>
  JSON.parse(r.stdout) as { verdict: string; message: string; cannotConfirm?: string; trust?: Record<string, unknown> };

beforeAll(async () => {
  chain = await startHttpChain();
  const anchored = await anchorV1Batch(chain, "cli v1 trust");
  ledger = anchored.ledger;
  batch = anchored.batch;
  // The supplier redeems key 4: a liar that flips keyStatus's last word would call it unredeemed.
  const client = (await chain.viem.getPublicClient()) as unknown as PublicClient;
  const [, supplier] = await chain.viem.getWalletClients();
  const hash: Hex = await supplier!.writeContract({
    address: ledger,
    abi: keyLedgerAbi,
    functionName: "redeem",
    args: [[{ batchId: batch.batchId, wordIndex: 0n, mask: 1n << BigInt(REDEEMED), hint: 0n }]],
  });
  expect((await client.waitForTransactionReceipt({ hash })).status).toBe("success");
  // Blocks after the anchoring: a liar reporting an old head would have the key read before its batch existed.
  await client.request({ method: "hardhat_mine" as never, params: ["0x40"] as never });
  cwd = mkdtempSync(join(tmpdir(), "keytrail-cli-v1-trust-"));
  const r = await cli(["init", "--chain", String(anchored.chainId), "--rpc", chain.url, "--portal", PORTAL]);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  for (const c of closers) await c();
  await chain?.close();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe("keytrail verify on a v1 ledger: keyStatus by eth_call on every RPC at an agreed block", () => {
  it("two honest RPCs: 2 of 2 agree at block B, and the output says it is an eth_call, not a storage proof", async () => {
    const link = payloadUrl(PORTAL, batch.full(0));
    const r = await verifyWith([chain.url, chain.url], link, "--json");
    expect(r.code, r.stderr).toBe(0);
    const j = json(r);
    expect(j.verdict).toBe("genuine");
    expect(j.trust).toMatchObject({ method: "call", reason: "a v1 ledger (its layout is not proven)", asked: 2 });
    expect(j.trust!.agreeing).toHaveLength(2);
    expect(typeof j.trust!.block).toBe("number");
    const text = await verifyWith([chain.url, chain.url], link);
    expect(text.stdout + text.stderr).toMatch(
      /status read by eth_call at block \d+, not proven \(2 of 2 RPCs agree on the block and the answer; an eth_call, not a storage proof\)/,
    );
    const redeemed = json(await verifyWith([chain.url, chain.url], payloadUrl(PORTAL, batch.full(REDEEMED)), "--json"));
    expect(redeemed.verdict).toBe("redeemed");
  });

  it("one RPC configured: the tier says one RPC", async () => {
    const r = await verifyWith([chain.url], payloadUrl(PORTAL, batch.full(0)));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/one RPC \(1 of 1\)/);
  });

  /** Lie, and the verdicts each key may get with the liar first and an honest RPC second. */
  const MATRIX: [Lie, string, readonly string[], readonly string[]][] = [
    ["call-result", "the eth_call answers differ: RPCs disagree", ["unreachable"], ["unreachable"]],
    ["header-forged", "RPCs disagree on the block", ["unreachable"], ["unreachable"]],
    ["header-state-root", "the liar's header does not hash: not counted", ["genuine"], ["redeemed"]],
    ["chain-id", "another chain: cannot confirm", ["unreachable"], ["unreachable"]],
    ["stale-head", "an old head, before the batch: the heads disagree", ["unreachable"], ["unreachable"]],
    [
      "ledger-version",
      "calls the v1 ledger v2 (its keys would be proven against v2's empty slots): RPCs disagree on the version",
      ["unreachable"],
      ["unreachable"],
    ],
  ];
  it.each(MATRIX)(
    "a liar telling %s (%s) never gives genuine for a lie",
    async (lie, _why, genuineKey, redeemedKey) => {
      const liar = await startLyingRpc({ upstream: chain.url, lies: [lie] });
      closers.push(liar.close);
      const a = json(await verifyWith([liar.url, chain.url], payloadUrl(PORTAL, batch.full(0)), "--json"));
      expect(genuineKey, `${lie}: ${a.message}`).toContain(a.verdict);
      const b = json(await verifyWith([liar.url, chain.url], payloadUrl(PORTAL, batch.full(REDEEMED)), "--json"));
      expect(redeemedKey, `${lie}: ${b.message}`).toContain(b.verdict);
      expect(b.verdict).not.toBe("genuine");
      if (lie === "call-result" || lie === "header-forged" || lie === "stale-head" || lie === "ledger-version") {
        for (const r of [a, b]) {
          expect(r.cannotConfirm).toBe("rpc-disagree");
          expect(r.message).toMatch(/RPCs disagree/);
        }
      }
      if (lie === "header-state-root") {
        expect(a.trust).toMatchObject({ method: "call", asked: 2, agreeing: [chain.url] });
        expect(String((a.trust!.failures as { reason: string }[])[0]!.reason)).toMatch(/hash/);
      }
    },
    120_000,
  );
});
