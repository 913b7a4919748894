import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../audit/rules/auditEvents.js";
import { auditRules } from "../../audit/rules/auditRules.js";
import { fetchLedgerEvents } from "../../audit/replay/fetchLedgerEvents.js";
import type { LedgerEvent } from "../../lib/state/types.js";
import type { AuditFinding } from "../../audit/types.js";
import { seedAuditChain, type SeededChain } from "./helpers/seedAuditChain.js";

let chain: SeededChain;
let events: LedgerEvent[];
let findings: AuditFinding[];

beforeAll(async () => {
  chain = await seedAuditChain();
  const head = await chain.publicClient.getBlockNumber();
  ({ events } = await fetchLedgerEvents(chain.publicClient, { ledger: chain.ledger, fromBlock: chain.deployBlock, toBlock: head, chunkSize: 7n }));
  ({ findings } = auditEvents(events));
});

describe("audit rules on a seeded chain (anomalies the contract allows)", () => {
  it("replays every log of the seeded history from the chain alone, in chunks", async () => {
    const all = await chain.publicClient.getLogs({ address: chain.ledger, fromBlock: 0n, toBlock: "latest" });
    expect(events.map((e) => `${e.txHash}:${e.logIndex}`)).toEqual(all.map((l) => `${l.transactionHash}:${l.logIndex}`));
    expect(events.filter((e) => e.eventName === "BatchAnchored")).toHaveLength(9);
  });

  it("fires each planted rule exactly once, at the planted transaction, and nothing else", () => {
    const got = findings.map((f) => `${f.ruleId} ${f.txHash}`).sort();
    const want = Object.entries(chain.planted).map(([rule, tx]) => `${rule} ${tx}`).sort();
    expect(got).toEqual(want);
  });

  it("plants one instance of every rule the contract does not fully enforce", () => {
    const notEnforced = auditRules.filter((r) => r.enforcedByContract !== "yes").map((r) => r.id).sort();
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
