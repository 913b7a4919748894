import type { Address } from "viem";
import type { AuditFacts } from "../types.js";
import type { AuditFinding, Period, ScorecardHistory } from "../../lib/formats/auditReport.js";
import { computeScorecards } from "./computeScorecards.js";

/**
 * Each supplier's scorecard over several periods (e.g. the last six months from `recentPeriods`),
 * with the same formula as the report's scorecards: one `computeScorecards` per period. A
 * supplier not yet registered nor anchoring by the end of a period has no score there (null).
 *
 * @param facts Facts gathered by `auditEvents`.
 * @param findings Findings of `auditEvents`.
 * @param periods The periods, oldest first.
 * @returns The periods and, per supplier (by address), score, grade, keys anchored and findings per period.
 * @example
 * const history = computeScorecardHistory(facts, findings, recentPeriods(lastEventTime));
 */
export function computeScorecardHistory(
  facts: AuditFacts,
  findings: readonly AuditFinding[],
  periods: readonly Period[],
): ScorecardHistory {
  const perPeriod = periods.map((p) => new Map(computeScorecards(facts, findings, p).map((c) => [c.supplier, c])));
  const suppliers = [...new Set(perPeriod.flatMap((m) => [...m.keys()]))].sort() as Address[];
  return {
    periods: [...periods],
    suppliers: suppliers.map((supplier) => ({
      supplier,
      scores: perPeriod.map((m) => {
        const c = m.get(supplier);
        return c ? { score: c.score, grade: c.grade, keysAnchored: c.keysAnchored, anomalies: c.anomalies } : null;
      }),
    })),
  };
}
