import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keccak256, toBytes, zeroHash, type Hex, type PublicClient } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followAudit, type FollowAuditParameters } from "../../audit/follow/followAudit.js";
import type { FollowState } from "../../audit/follow/followState.js";
import { fetchLedgerEvents } from "../../audit/replay/fetchLedgerEvents.js";
import { auditEvents } from "../../audit/rules/auditEvents.js";
import { auditRulesV2, landedAuditRules } from "../../audit/rules/auditRulesV2.js";
import type { AuditFinding } from "../../lib/formats/auditReport.js";
import { anchorParamsV2, deployLedgerV2 } from "../contracts/helpersV2.js";

/**
 * The watch's rule session and its bounded memory of what it emitted, on a real chain (in-process
 * Hardhat network, one block per transaction): the emitted list keeps the retention window only,
 * the rest is the high-water mark; a restart emits only what is new; and everything the watch
 * emitted over both runs is exactly what the one-shot audit finds on the same chain.
 */
type Env = Awaited<ReturnType<typeof deployLedgerV2>>;
let env: Env;
let dir: string;
let move: (start: bigint) => Promise<Hex>;
// Audit v2, plus the landed large-transfer as a detector that fires at every probe transfer.
const rules = [...auditRulesV2, ...landedAuditRules.filter((r) => r.id === "large-transfer")];
const thresholds = { rules, largeTransferKeys: 1_000, volumeLimitValue: { CNY: 10n ** 30n } };

beforeAll(async () => {
  env = await deployLedgerV2();
  const { w, as, wait, addr } = env;
  const admin = as(w.admin);
  const sup = as(w.supplier);
  await wait(await admin.write.registerParty([addr(w.supplier), 1, keccak256(toBytes("s")), "", 0n]));
  await wait(await admin.write.registerParty([addr(w.dist), 2, keccak256(toBytes("d")), "", 0n]));
  await wait(await sup.write.anchorBatch([anchorParamsV2("bounded", 100_000n)]));
  const B = await sup.read.batchIdOf([addr(w.supplier), "bounded"]);
  move = async (start) =>
    (await wait(await sup.write.transfer([B, start, start + 1_500n, addr(w.dist), zeroHash]))).transactionHash;
  for (let i = 0n; i < 6n; i++) await move(i * 2_000n);
  dir = await mkdtemp(join(tmpdir(), "keytrail-follow-bounded-"));
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Follows until the head is audited, then stops; returns the lines emitted. */
async function followToHead(params: Partial<FollowAuditParameters>): Promise<AuditFinding[]> {
  const client = env.publicClient as unknown as PublicClient;
  const head = Number(await client.getBlockNumber());
  const stop = new AbortController();
  const lines: AuditFinding[] = [];
  await followAudit(client, {
    ...thresholds,
    ledger: env.address,
    fromBlock: 0n,
    statePath: join(dir, "state.json"),
    rpcUrl: "in-process",
    confirmations: 0,
    pollIntervalMs: 10,
    retentionBlocks: 2,
    onFinding: (line) => lines.push(JSON.parse(line) as AuditFinding),
    onPoll: (p) => {
      if (p.lastBlock >= head) stop.abort();
    },
    signal: stop.signal,
    ...params,
  });
  return lines;
}

describe("keytrail audit --follow: incremental rules, bounded emitted list", () => {
  it("keeps the retention window's ids, never re-emits after a restart, and equals the one-shot audit", async () => {
    const first = await followToHead({});
    expect(first.filter((f) => f.ruleId === "large-transfer")).toHaveLength(6);
    const state = JSON.parse(await readFile(join(dir, "state.json"), "utf8")) as FollowState;
    expect(state.emittedThrough).toBe(state.lastBlock - 2);
    expect(state.emitted.length).toBeLessThan(first.length);
    for (const k of state.emitted) {
      const block = /@(\d+)\./.exec(k)?.[1];
      if (block !== undefined) expect(Number(block)).toBeGreaterThan(state.emittedThrough);
    }
    // Two more findings, then a restart: only those are emitted.
    const late = [await move(20_000n), await move(22_000n)];
    const second = await followToHead({});
    expect(second.filter((f) => f.ruleId === "large-transfer").map((f) => f.txHash)).toEqual(late);
    // A third run with nothing new emits nothing.
    expect(await followToHead({})).toEqual([]);

    const client = env.publicClient as unknown as PublicClient;
    const { events } = await fetchLedgerEvents(client, {
      ledger: env.address,
      fromBlock: 0n,
      toBlock: await client.getBlockNumber(),
    });
    const batch = auditEvents(events, thresholds).findings;
    const strip = ({ ...f }: AuditFinding & { chainId?: number; ledger?: string }) => {
      delete f.chainId;
      delete f.ledger;
      return f;
    };
    expect([...first, ...second].map(strip)).toEqual(batch);
  }, 120_000);
});
