import { describe, expect, it } from "vitest";
import { auditEvents, createAuditSession } from "../../audit/rules/auditEvents.js";
import { auditRulesV2, landedAuditRules } from "../../audit/rules/auditRulesV2.js";
import type { AuditFinding } from "../../lib/formats/auditReport.js";
import type { LedgerEvent } from "../../lib/state/types.js";
import { prng } from "../../scripts/util/prng.js";
import { generateAuditTraffic } from "../../bench/audit/_auditTraffic.js";

/** Splits events into pushes of whole blocks (what `--follow` hands the session), at seeded cuts. */
function blockPushes(events: readonly LedgerEvent[], seed: number): LedgerEvent[][] {
  const rnd = prng(seed);
  const out: LedgerEvent[][] = [];
  let cur: LedgerEvent[] = [];
  for (let i = 0; i < events.length; i++) {
    cur.push(events[i]!);
    const next = events[i + 1];
    if (next && next.blockNumber !== events[i]!.blockNumber && rnd() < 0.3) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

const key = (f: AuditFinding) => `${f.id} ${f.txHash}`;

describe("createAuditSession: the rules fed block by block report what one whole run reports", () => {
  for (const [name, rules] of [
    ["Audit v2", auditRulesV2],
    ["landed", landedAuditRules],
  ] as const) {
    it(`${name}: same findings, same ids, each once (seeded traffic with planted schemes)`, () => {
      const { events, volumeLimitValue } = generateAuditTraffic({ seed: 7, days: 30 });
      const params = { rules, volumeLimitValue, largeTransferKeys: 1_000 };
      const whole = auditEvents(events, params).findings;
      expect(whole.length).toBeGreaterThan(20);
      const session = createAuditSession({ ...params, facts: false });
      const seen = new Map<string, AuditFinding>();
      for (const push of blockPushes(events, 11)) {
        // As --follow does: the findings of each push, then the end-of-replay ones (first time seen).
        for (const f of [...session.push(push), ...session.finish()]) if (!seen.has(key(f))) seen.set(key(f), f);
      }
      const strip = (f: AuditFinding) => ({ ...f, supplier: null });
      const atEnd = (f: AuditFinding) => f.id.includes("@end") || f.ruleId === "seller-refunds";
      // Findings anchored at events: equal, field for field (suppliers follow re-keys known at the time).
      expect([...seen.values()].filter((f) => !atEnd(f)).map(strip)).toEqual(whole.filter((f) => !atEnd(f)).map(strip));
      // End-of-replay aggregates: the last state's ones were all emitted at some point.
      for (const f of whole.filter(atEnd)) expect(seen.has(key(f))).toBe(true);
    });
  }
});
