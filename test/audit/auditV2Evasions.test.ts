import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress, keccak256, toBytes, zeroHash, type Address, type Hex, type PublicClient } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchLedgerEvents } from "../../audit/replay/fetchLedgerEvents.js";
import { auditEvents, type AuditEventsParameters } from "../../audit/rules/auditEvents.js";
import { auditRulesV2, landedAuditRules } from "../../audit/rules/auditRulesV2.js";
import type { AuditFinding, AuditReport } from "../../lib/formats/auditReport.js";
import { encodeProfileUri } from "../../lib/parties/encodeProfileUri.js";
import type { LedgerEvent } from "../../lib/state/types.js";
import { anchorParamsV2, deployLedgerV2 } from "../contracts/helpersV2.js";
import { runAuditCli } from "./helpers/runAuditCli.js";
import { seedAuditChain } from "./helpers/seedAuditChain.js";
import { sellKeys } from "./helpers/seedV2Chain.js";
import { serveProvider } from "./helpers/serveProvider.js";

/**
 * The reviewer's table of the Audit v2 issue, replayed on a real chain (in-process Hardhat network,
 * KeyLedger v2): each control must be flagged by the landed rules and by Audit v2; each evasion
 * must slip past the landed rules and be flagged by Audit v2. The reviewer's large-transfer
 * threshold was 5,000 keys; the v2 volume limit is set to the same 5,000 keys of this 100-CNY card.
 */
const landed: AuditEventsParameters = {
  rules: landedAuditRules,
  largeTransferKeys: 5_000,
  largeTransferValue: { CNY: 10n ** 15n },
};
const v2: AuditEventsParameters = { rules: auditRulesV2, volumeLimitValue: { CNY: 5_000n * 10_000n } };

type Env = Awaited<ReturnType<typeof deployLedgerV2>>;
let env: Env;
let events: LedgerEvent[];
let landedFindings: AuditFinding[];
let v2Findings: AuditFinding[];
/** Row -> the control's and the evasion's transactions. */
const rows: Record<string, { control: Hex[]; evasion: Hex[] }> = {};
let rpc: { url: string; close(): Promise<void> };
let dir: string;

const at = (findings: AuditFinding[], tx: Hex, rule?: string) =>
  findings.filter((f) => f.txHash === tx && (rule === undefined || f.ruleId === rule));

beforeAll(async () => {
  env = await deployLedgerV2();
  const { w, as, wait, addr } = env;
  const extra = (await env.viem.getWalletClients()).slice(8, 13);
  const [E, F, D2, sham, D3] = extra.map((x) => getAddress(x.account.address));
  if (!E || !F || !D2 || !sham || !D3) throw new Error("the in-process network needs 13 accounts");
  const admin = as(w.admin);
  const sup = as(w.supplier);
  const byAccount = new Map<Address, ReturnType<typeof as>>([
    [addr(w.supplier), sup],
    [addr(w.dist), as(w.dist)],
    ...extra.map((x) => [getAddress(x.account.address), as(x)] as const),
  ]);
  const tx = async (p: Promise<Hex>) => (await wait(await p)).transactionHash;
  const move = (batch: Hex, from: Address, start: bigint, end: bigint, to: Address) =>
    tx(byAccount.get(from)!.write.transfer([batch, start, end, to, zeroHash]));
  const later = async (seconds: number) => {
    await env.provider.request({ method: "evm_increaseTime", params: [seconds] });
    await env.provider.request({ method: "evm_mine", params: [] });
  };
  const D = addr(w.dist);
  const S = addr(w.supplier);
  const dProfile = keccak256(toBytes("Jinpeng Trading licence 91310000"));
  await wait(
    await admin.write.registerParty([S, 1, keccak256(toBytes("s")), encodeProfileUri({ name: "Galaxy" }), 0n]),
  );
  await wait(await admin.write.registerParty([D, 2, dProfile, encodeProfileUri({ name: "Jinpeng Trading" }), 0n]));
  await wait(
    await admin.write.registerParty([E, 2, keccak256(toBytes("e")), encodeProfileUri({ name: "Xinyuan" }), 0n]),
  );
  await wait(
    await admin.write.registerParty([F, 2, keccak256(toBytes("f")), encodeProfileUri({ name: "Huatong" }), 0n]),
  );
  // D's second registered identity: the same profile (hash), a new account.
  await wait(await admin.write.registerParty([D2, 2, dProfile, encodeProfileUri({ name: "JP Trading" }), 0n]));
  await wait(await admin.write.registerParty([D3, 2, keccak256(toBytes("d3")), "", 0n]));
  await wait(await admin.write.registerParty([addr(w.retail), 3, keccak256(toBytes("r")), "", 0n]));
  await wait(await admin.write.registerParty([sham, 3, keccak256(toBytes("sham")), "", 0n]));
  await wait(await sup.write.setRedeemer([addr(w.redeemer), true]));
  await wait(await sup.write.anchorBatch([anchorParamsV2("evasions", 100_000n)]));
  await wait(await sup.write.anchorBatch([anchorParamsV2("parked", 1_000n)]));
  const B = await sup.read.batchIdOf([S, "evasions"]);
  const P = await sup.read.batchIdOf([S, "parked"]);
  const redeemer = as(w.redeemer);

  // large-transfer: one transaction of 5,001 keys / ten transactions of 4,999 keys.
  rows["large-transfer"] = { control: [await move(B, S, 0n, 5_001n, D)], evasion: [] };
  for (let i = 0n; i < 10n; i++) {
    const start = 10_000n + i * 4_999n;
    rows["large-transfer"].evasion.push(await move(B, S, start, start + 4_999n, D3));
    await later(600);
  }
  // rapid-hops: four hops within seconds / the same four hops 1,201 s apart.
  const hops = async (start: bigint, gap: number) => {
    const out: Hex[] = [];
    let from = S;
    for (const to of [D, E, F, addr(w.retail)]) {
      out.push(await move(B, from, start, start + 100n, to));
      from = to;
      if (gap) await later(gap);
    }
    return out;
  };
  rows["rapid-hops"] = { control: await hops(70_000n, 0), evasion: await hops(70_100n, 1_201) };
  // circular-flow: D -> E -> D / D -> E -> D' (D's second registered identity).
  const loop = async (start: bigint, back: Address) => {
    await move(B, S, start, start + 50n, D);
    await later(3_600);
    await move(B, D, start, start + 50n, E);
    await later(3_600);
    return move(B, E, start, start + 50n, back);
  };
  rows["circular-flow"] = { control: [await loop(71_000n, D)], evasion: [await loop(71_100n, D2)] };
  // redeemed-upstream: redeemed while D holds the keys / D first parks them with its sham retailer.
  await move(B, S, 80_000n, 80_010n, addr(w.retail));
  await sellKeys(env, "retail", B, [80_000n]); // sales are recorded on this ledger
  await move(B, S, 72_192n, 72_200n, D); // word 282 = keys 72,192..72,447
  const upstream = await tx(redeemer.write.redeem([B, 282n, 1n]));
  await move(P, S, 0n, 20n, D);
  await later(3_600);
  await move(P, D, 0n, 20n, sham);
  await later(600);
  const parked = await tx(redeemer.write.redeem([P, 0n, 0b11n]));
  rows["redeemed-upstream"] = { control: [upstream], evasion: [parked] };

  const head = await env.publicClient.getBlockNumber();
  ({ events } = await fetchLedgerEvents(env.publicClient as unknown as PublicClient, {
    ledger: env.address,
    fromBlock: 0n,
    toBlock: head,
    chunkSize: 50n,
  }));
  landedFindings = auditEvents(events, landed).findings;
  v2Findings = auditEvents(events, v2).findings;
  rpc = await serveProvider(env.provider);
  dir = await mkdtemp(join(tmpdir(), "keytrail-audit-v2-evasions-"));
}, 300_000);
afterAll(async () => {
  await rpc?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the reviewer's evasion table on KeyLedger v2 (in-process chain)", () => {
  it("large-transfer: one transaction of 5,001 keys is flagged by both; ten of 4,999 only by Audit v2 (structuring)", () => {
    const { control, evasion } = rows["large-transfer"]!;
    expect(at(landedFindings, control[0]!, "large-transfer")).toHaveLength(1);
    expect(at(v2Findings, control[0]!, "volume-window")).toHaveLength(1);
    for (const t of evasion) expect(at(landedFindings, t, "large-transfer")).toEqual([]);
    const structuring = v2Findings.filter((f) => f.ruleId === "structuring");
    // A finding at every third transfer just under the limit, with those three as its evidence.
    expect(structuring.map((f) => f.txHash)).toEqual([evasion[2], evasion[5], evasion[8]]);
    expect(structuring.map((f) => f.severity)).toEqual(["high", "high", "high"]);
    expect(structuring[0]!.evidence.map((e) => e.txHash)).toEqual(evasion.slice(0, 3));
  });

  it("rapid-hops: four hops within seconds flagged by both; 1,201 s apart only by Audit v2 (hop-speed, graded)", () => {
    const { control, evasion } = rows["rapid-hops"]!;
    expect(at(landedFindings, control[3]!, "rapid-hops")).toHaveLength(1);
    expect(at(v2Findings, control[3]!, "hop-speed")).toMatchObject([{ severity: "high" }]);
    expect(at(landedFindings, evasion[3]!, "rapid-hops")).toEqual([]);
    const slow = at(v2Findings, evasion[3]!, "hop-speed");
    expect(slow).toMatchObject([{ severity: "medium" }]);
    expect(slow[0]!.details.seconds).toBeGreaterThan(3_600);
    expect(slow[0]!.evidence.map((e) => e.txHash)).toEqual(evasion);
  });

  it("circular-flow: D -> E -> D flagged by both; D -> E -> D' (same profile, second identity) only by Audit v2", () => {
    const { control, evasion } = rows["circular-flow"]!;
    expect(at(landedFindings, control[0]!, "circular-flow")).toHaveLength(1);
    expect(at(v2Findings, control[0]!, "linked-circular-flow")).toMatchObject([{ severity: "medium" }]);
    expect(at(landedFindings, evasion[0]!)).toEqual([]);
    const linked = at(v2Findings, evasion[0]!, "linked-circular-flow");
    expect(linked).toMatchObject([{ severity: "high" }]);
    expect(linked[0]!.details.linkedBy).toEqual(["same profile hash"]);
  });

  it("redeemed-upstream: redeemed while D holds flagged by both; parked with a sham retailer first only by Audit v2", () => {
    const { control, evasion } = rows["redeemed-upstream"]!;
    expect(at(landedFindings, control[0]!, "redeemed-upstream")).toHaveLength(1);
    expect(at(v2Findings, control[0]!, "redeemed-upstream")).toHaveLength(1);
    expect(at(landedFindings, evasion[0]!)).toEqual([]);
    const parked = at(v2Findings, evasion[0]!, "parked-before-redemption");
    expect(parked).toMatchObject([{ severity: "high", ranges: [{ start: 0, end: 2 }] }]);
    expect(parked[0]!.evidence).toHaveLength(2); // the hop to the retailer and the redemption
  });

  it("finding ids are stable: the same findings on a re-run and on a later, longer run", () => {
    const again = auditEvents(events, v2).findings;
    expect(again.map((f) => f.id)).toEqual(v2Findings.map((f) => f.id));
    // A shorter run: the history up to the block in the middle (whole blocks, whole transactions).
    const cut = events[Math.floor(events.length / 2)]!.blockNumber;
    const half = events.filter((e) => e.blockNumber < cut);
    const shorter = auditEvents(half, v2).findings;
    const ids = new Map(v2Findings.map((f) => [f.id, f]));
    expect(shorter.length).toBeGreaterThan(0);
    for (const f of shorter) expect(ids.get(f.id)).toEqual(f);
  });

  it("`keytrail audit --rules v2 --ack FILE` hides the acknowledged findings and counts them", async () => {
    const ackFile = join(dir, "ack.txt");
    const acked = v2Findings.filter((f) => f.ruleId === "structuring").map((f) => f.id);
    await writeFile(
      ackFile,
      `# reviewed\n${acked.map((id) => `${id}  restock agreed with the supplier`).join("\n")}\n`,
    );
    const out = join(dir, "out");
    const argv = ["audit", "--rpc", rpc.url, "--ledger", env.address, "--rules", "v2"];
    const { stdout } = await runAuditCli([
      ...argv,
      "--volume-value",
      "CNY:50000000",
      "--ack",
      ackFile,
      "--out",
      out,
      "--json",
    ]);
    const summary = JSON.parse(stdout) as { acknowledged: number; rules: string };
    expect(summary).toMatchObject({ acknowledged: acked.length, rules: "v2" });
    const report = JSON.parse(await readFile(join(out, "audit.json"), "utf8")) as AuditReport;
    expect(report.acknowledged).toEqual({ count: acked.length, ids: acked });
    expect(report.ruleSet).toBe("v2");
    expect(report.options.v2).toMatchObject({ volumeLimitValue: { CNY: "50000000" }, structuringCount: 3 });
    expect(report.findings.map((f) => f.id)).toEqual(v2Findings.filter((f) => !acked.includes(f.id)).map((f) => f.id));
    expect(report.summary.findings).toBe(v2Findings.length - acked.length);
    expect(report.rules.find((r) => r.id === "structuring")!.findings).toBe(0);
    const bad = join(dir, "bad-ack.txt");
    await writeFile(bad, "structuring@12.0\nnot an id\n");
    await expect(runAuditCli([...argv, "--ack", bad])).rejects.toThrow(/--ack .*bad-ack.txt line 2: "not"/);
    await expect(runAuditCli([...argv.slice(0, -1), "v3"])).rejects.toThrow(/--rules "v3" is not a rule set/);
  });
});

describe("a regulator's freeze undone by the supplier (version 1 ledger: one freeze layer)", () => {
  it("is flagged by Audit v2 (freeze-lifted-by-other, high) and by no landed rule", async () => {
    const chain = await seedAuditChain();
    const { S1, regulator } = chain.accounts;
    await chain.send(regulator, "revoke", [chain.batches.B1, 970n, 980n, 1, 0n]);
    const undo = await chain.send(S1, "reinstate", [chain.batches.B1, 970n, 980n, 0n]);
    // The supplier lifting its own freeze is not a finding.
    await chain.send(S1, "revoke", [chain.batches.B1, 985n, 990n, 1, 0n]);
    const own = await chain.send(S1, "reinstate", [chain.batches.B1, 985n, 990n, 0n]);
    const { events: v1 } = await fetchLedgerEvents(chain.publicClient, {
      ledger: chain.ledger,
      fromBlock: chain.deployBlock,
      toBlock: await chain.publicClient.getBlockNumber(),
    });
    expect(at(auditEvents(v1, { rules: landedAuditRules }).findings, undo)).toEqual([]);
    const found = auditEvents(v1, { rules: auditRulesV2 }).findings;
    expect(at(found, undo)).toMatchObject([
      {
        ruleId: "freeze-lifted-by-other",
        severity: "high",
        parties: [S1, regulator],
        ranges: [{ start: 970, end: 980 }],
      },
    ]);
    expect(at(found, own)).toEqual([]);
  });
});
