import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../audit/rules/auditEvents.js";
import { auditRules } from "../../audit/rules/auditRules.js";
import { decodeLedgerLog } from "../../lib/events/v1/decodeLedgerLog.js";
import { decodeEventLog } from "viem";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { fetchLedgerEvents } from "../../audit/replay/fetchLedgerEvents.js";
import type { LedgerEvent } from "../../lib/state/types.js";
import { seedAuditChain, type SeededChain } from "./helpers/seedAuditChain.js";
import { syntheticEvent } from "./helpers/syntheticEvent.js";
import { buildAuditReport } from "../../audit/report/buildAuditReport.js";
import type { DecodedLedgerLog } from "../../lib/state/types.js";
import type { AuditFinding, AuditRuleId } from "../../lib/formats/auditReport.js";

let chain: SeededChain;
let events: LedgerEvent[];
let findings: AuditFinding[];

beforeAll(async () => {
  chain = await seedAuditChain();
  const head = await chain.publicClient.getBlockNumber();
  ({ events } = await fetchLedgerEvents(chain.publicClient, {
    ledger: chain.ledger,
    fromBlock: chain.deployBlock,
    toBlock: head,
    chunkSize: 7n,
  }));
  ({ findings } = auditEvents(events));
});

describe("audit rules on a seeded version 1 chain (anomalies the contract allows; v1 logs mapped to v2)", () => {
  it("replays every log of the seeded history from the chain alone, in chunks", async () => {
    const all = await chain.publicClient.getLogs({ address: chain.ledger, fromBlock: 0n, toBlock: "latest" });
    expect(events.map((e) => `${e.txHash}:${e.logIndex}`)).toEqual(
      all.map((l) => `${l.transactionHash}:${l.logIndex}`),
    );
    expect(events.filter((e) => e.eventName === "BatchAnchored")).toHaveLength(9);
  });

  it("decodes every log exactly as viem's decodeEventLog does (addresses lowercase)", async () => {
    const all = await chain.publicClient.getLogs({ address: chain.ledger, fromBlock: 0n, toBlock: "latest" });
    const lower = (v: unknown): unknown =>
      typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v) ? v.toLowerCase() : v;
    const names = new Set<string>();
    for (const l of all) {
      const ref = decodeEventLog({ abi: keyLedgerAbi, data: l.data, topics: l.topics });
      const refArgs = Object.fromEntries(
        Object.entries(ref.args as Record<string, unknown>).map(([k, v]) => [k, lower(v)]),
      );
      expect(decodeLedgerLog({ data: l.data, topics: l.topics })).toEqual({ eventName: ref.eventName, args: refArgs });
      names.add(ref.eventName);
    }
    expect(names.size).toBeGreaterThanOrEqual(10);
    expect(decodeLedgerLog({ data: "0x", topics: [`0x${"12".repeat(32)}`] })).toBeNull();
  });

  it("fires each planted rule exactly once, at the planted transaction, and nothing else", () => {
    const got = findings.map((f) => `${f.ruleId} ${f.txHash}`).sort();
    const want = Object.entries(chain.planted)
      .map(([rule, tx]) => `${rule} ${tx}`)
      .sort();
    expect(got).toEqual(want);
  });

  it("plants one instance of every rule the contract does not fully enforce (sales and re-keys: auditV2.test.ts)", () => {
    // Rules about sales and re-keys need a KeyLedger v2: test/audit/auditV2.test.ts plants them.
    const v2Only = ["party-rekeyed", "seller-refunds", "redeemed-without-sale", "sold-after-expiry"];
    const notEnforced = auditRules
      .filter((r) => r.enforcedByContract !== "yes" && !v2Only.includes(r.id))
      .map((r) => r.id)
      .sort();
    expect(Object.keys(chain.planted).sort()).toEqual(notEnforced);
  });

  it("names batch, parties and key ranges as evidence", () => {
    const by = (id: string) => findings.find((f) => f.ruleId === id)!;
    const { accounts: a, batches: b } = chain;
    expect(by("redeemed-upstream")).toMatchObject({ batchId: b.B1, ranges: [{ start: 150, end: 155 }], keys: 5 });
    expect(by("redeemed-upstream").parties).toContain(a.D1);
    expect(by("circular-flow").details.path).toEqual([a.D1, a.R2, a.D1]);
    expect(by("circular-flow")).toMatchObject({ batchId: b.B3, ranges: [{ start: 0, end: 10 }] });
    expect(by("large-transfer")).toMatchObject({ batchId: b.B4, keys: 51, parties: [a.S1, a.D1] });
    expect(by("large-transfer").details.faceValue).toEqual(["CNY:510000"]);
    expect(by("rapid-hops").details.path).toEqual([a.S1, a.D1, a.D4, a.D5, a.R1]);
    expect(by("rapid-hops").evidence).toHaveLength(4);
    expect(by("expired-accreditation-action")).toMatchObject({ parties: [a.D3], batchId: b.B6 });
    expect(by("expired-authorisation-use")).toMatchObject({ parties: [a.D2], batchId: b.B7 });
    expect(by("suspended-party-action")).toMatchObject({ parties: [a.S3], batchId: b.B9, supplier: a.S3 });
    expect(by("batch-outlives-accreditation")).toMatchObject({ batchId: b.B8, supplier: a.S2 });
    for (const f of findings) {
      expect(f.evidence.length).toBeGreaterThan(0);
      expect(f.blockNumber).toBeGreaterThan(0);
    }
  });
});

describe("audit rules on synthetic events (anomalies the contract refuses)", () => {
  it("fires each rule exactly where a synthetic event plants it, on top of the real history", () => {
    const { accounts: a, batches: b } = chain;
    const last = events[events.length - 1]!;
    const zero = `0x${"00".repeat(32)}` as const;
    const plan: [AuditRuleId | null, DecodedLedgerLog][] = [
      // D1 moves keys R1 holds: the keys would have two holders.
      [
        "custody-partition",
        {
          eventName: "CustodyTransferred",
          args: { batchId: b.B1, from: a.D1, to: a.R2, start: 500n, end: 510n, memo: zero },
        },
      ],
      // S1 moves keys frozen as stolen.
      [
        "frozen-key-moved",
        {
          eventName: "CustodyTransferred",
          args: { batchId: b.B1, from: a.S1, to: a.D1, start: 900n, end: 940n, memo: zero },
        },
      ],
      [
        null,
        {
          eventName: "KeysRevoked",
          args: { batchId: b.B1, by: a.S1, start: 90n, end: 100n, reason: 1, byRegulator: false },
        },
      ],
      [
        "frozen-key-redeemed",
        { eventName: "KeysRedeemed", args: { batchId: b.B1, by: a.S1, wordIndex: 0n, mask: 1n << 95n } },
      ],
      ["double-redemption", { eventName: "KeysRedeemed", args: { batchId: b.B1, by: a.S1, wordIndex: 0n, mask: 1n } }],
      [
        "unauthorised-actor",
        { eventName: "KeysRedeemed", args: { batchId: b.B1, by: a.stranger, wordIndex: 0n, mask: 1n << 30n } },
      ],
      [
        "unauthorised-hop",
        {
          eventName: "CustodyTransferred",
          args: { batchId: b.B1, from: a.D1, to: a.D4, start: 160n, end: 165n, memo: zero },
        },
      ],
      [
        "custody-partition",
        {
          eventName: "KeysRevoked",
          args: { batchId: `0x${"ee".repeat(32)}`, by: a.S1, start: 0n, end: 1n, reason: 5, byRegulator: false },
        },
      ],
      [
        null,
        {
          eventName: "PartyUpdated",
          args: { party: a.S2, profileHash: zero, profileURI: "", accreditedUntil: last.timestamp, registrar: a.admin },
        },
      ],
      [
        "anchored-past-accreditation",
        {
          eventName: "BatchAnchored",
          args: {
            batchId: `0x${"ab".repeat(32)}`,
            supplier: a.S2,
            label: "late",
            root: `0x${"01".repeat(32)}`,
            count: 10n,
            productId: zero,
            faceValue: 100n,
            currency: "0x434e59",
            expiresAt: 0n,
            restricted: false,
            saleRequired: false,
            manifestHash: zero,
            manifestURI: "",
          },
        },
      ],
      [null, { eventName: "PartySuspended", args: { party: a.D1, reasonHash: zero, by: a.admin, byRegulator: false } }],
      [
        "suspended-party-action",
        {
          eventName: "CustodyTransferred",
          args: { batchId: b.B1, from: a.D1, to: a.R1, start: 165n, end: 170n, memo: zero },
        },
      ],
    ];
    const synthetic = plan.map(([, log], i) => syntheticEvent(last, i + 1, log));
    const { findings: all } = auditEvents([...events, ...synthetic]);
    const got = all.map((f) => `${f.ruleId} ${f.txHash}`).sort();
    const want = [
      ...Object.entries(chain.planted).map(([rule, tx]) => `${rule} ${tx}`),
      ...plan.flatMap(([rule], i) => (rule ? [`${rule} ${synthetic[i]!.txHash}`] : [])),
    ].sort();
    expect(got).toEqual(want);
    const enforced = auditRules.filter((r) => r.enforcedByContract === "yes").map((r) => r.id);
    for (const id of enforced) expect(plan.some(([rule]) => rule === id)).toBe(true);
    const partition = all.find((f) => f.ruleId === "custody-partition" && f.txHash === synthetic[0]!.txHash)!;
    expect(partition.details.actualHolders).toEqual([a.R1]);
    expect(partition.ranges).toEqual([{ start: 500, end: 510 }]);
  });
});

describe("digest comparison with a tampered indexer snapshot", () => {
  it("matches an honest copy and names the first diverging batch of a tampered one", () => {
    const head = events[events.length - 1]!.blockNumber;
    const chainInfo = { chainId: chain.chainId, ledger: chain.ledger, fromBlock: chain.deployBlock, toBlock: head };
    const honest = buildAuditReport(events, { chain: chainInfo });
    const copy = structuredClone(honest.snapshot);
    const same = buildAuditReport(events, {
      chain: chainInfo,
      indexer: { label: "copy", block: head, digest: null, snapshot: copy },
    });
    expect(same.report.indexer).toMatchObject({ match: true, differences: 0 });
    const tampered = structuredClone(honest.snapshot);
    const seg = tampered.segments.find((s) => s.batchId === chain.batches.B4 && s.holder === chain.accounts.D1)!;
    seg.holder = chain.accounts.R2;
    const bad = buildAuditReport(events, {
      chain: chainInfo,
      indexer: { label: "tampered", block: head, digest: null, snapshot: tampered },
    });
    expect(bad.report.indexer!.match).toBe(false);
    expect(bad.report.indexer!.replayDigest).toBe(honest.report.digest);
    expect(bad.report.indexer!.firstDivergence).toMatchObject({
      kind: "custody",
      batchId: chain.batches.B4,
      index: Number(seg.start),
    });
    expect(bad.report.indexer!.firstDivergence!.message).toContain(chain.batches.B4);
  });
});
