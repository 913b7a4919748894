import type { Address } from "viem";
import { REVOCATION_REASONS } from "../../lib/verify/revocationReasons.js";
import type { AuditFacts } from "../types.js";
import type { AuditFinding, Period, Scorecard, Severity } from "../../lib/formats/auditReport.js";

/** Identifier of the score formula (docs/AUDIT.md, "Supplier scorecards"). */
export const SCORE_FORMULA = "keytrail.score/1";

/** Weights of finding severities in the compliance dimension. */
export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 5, high: 3, medium: 1, low: 0.5 };

const round1 = (x: number) => Math.round(x * 10) / 10;
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/**
 * Supplier scorecards over a period from chain facts (anchors, hops, revocations, redemptions,
 * registrations, sales and refunds) and the audit's findings. Sales and refunds are counted
 * (keysSold, keysRefunded, refundRate) but do not enter the score (formula keytrail.score/1). Score = 0.15 tenure + 0.15 activity + 0.25 integrity +
 * 0.20 channel + 0.25 compliance, each dimension 0–100 (formula in docs/AUDIT.md); grade gold
 * >= 85, silver >= 70, bronze >= 50, else watch.
 *
 * @param facts Facts gathered by `auditEvents`.
 * @param findings Findings of `auditEvents`.
 * @param period The period.
 * @returns One scorecard per supplier that anchored by the end of the period, best score first.
 * @example
 * const cards = computeScorecards(facts, findings, resolvePeriod("2026-Q4", 0));
 */
export function computeScorecards(facts: AuditFacts, findings: readonly AuditFinding[], period: Period): Scorecard[] {
  const inP = (t: number) => t >= period.from && t < period.to;
  const suppliers = new Set<Address>();
  for (const a of facts.anchors) if (a.timestamp < period.to) suppliers.add(a.supplier);
  for (const r of facts.registrations) if (r.kind === 1 && r.timestamp < period.to) suppliers.add(r.party);
  const lastTime = Math.max(
    0,
    ...facts.anchors.map((a) => a.timestamp),
    ...facts.hops.map((h) => h.timestamp),
    ...facts.redemptions.map((r) => r.timestamp),
    ...facts.revocations.map((r) => r.timestamp),
  );
  const end = Math.min(period.to, Math.max(lastTime, period.from));
  const cards: Scorecard[] = [];
  for (const s of suppliers) {
    const reg = facts.registrations.find((r) => r.party === s);
    const firstAnchor = facts.anchors.find((a) => a.supplier === s);
    const since = reg?.timestamp ?? firstAnchor?.timestamp ?? end;
    const ageDays = Math.max(0, (end - since) / 86400);
    const anchors = facts.anchors.filter((a) => a.supplier === s && inP(a.timestamp));
    const keysAnchored = anchors.reduce((n, a) => n + a.keys, 0);
    const keysAnchoredToDate = facts.anchors
      .filter((a) => a.supplier === s && a.timestamp < period.to)
      .reduce((n, a) => n + a.keys, 0);
    const faceValue: Record<string, bigint> = {};
    for (const a of anchors) faceValue[a.currency] = (faceValue[a.currency] ?? 0n) + BigInt(a.keys) * a.faceValue;
    const revs = facts.revocations.filter((r) => r.supplier === s && inP(r.timestamp));
    const keysRevoked = revs.reduce((n, r) => n + r.keys, 0);
    const byReason: Record<string, number> = {};
    for (const r of revs)
      byReason[REVOCATION_REASONS[r.reason] ?? String(r.reason)] =
        (byReason[REVOCATION_REASONS[r.reason] ?? String(r.reason)] ?? 0) + r.keys;
    const reds = facts.redemptions.filter((r) => r.supplier === s && inP(r.timestamp) && r.keys > 0);
    const keysRedeemed = reds.reduce((n, r) => n + r.keys, 0);
    let median: number | null = null;
    if (keysRedeemed > 0) {
      const sorted = [...reds].sort((a, b) => a.secondsSinceAnchor - b.secondsSinceAnchor);
      let acc = 0;
      for (const r of sorted) {
        acc += r.keys;
        if (acc * 2 >= keysRedeemed) {
          median = round1(r.secondsSinceAnchor / 86400);
          break;
        }
      }
    }
    const hops = facts.hops.filter((h) => h.supplier === s && inP(h.timestamp));
    const keysMoved = hops.reduce((n, h) => n + h.keys, 0);
    const keysMovedUnauthorised = hops.filter((h) => !h.authorised).reduce((n, h) => n + h.keys, 0);
    const keysSold = facts.sales.filter((x) => x.supplier === s && inP(x.timestamp)).reduce((n, x) => n + x.keys, 0);
    const keysRefunded = facts.refunds.filter((x) => x.supplier === s && inP(x.timestamp)).length;
    const mine = findings.filter((f) => f.supplier === s && inP(f.timestamp));
    const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
    for (const f of mine) bySeverity[f.severity]++;
    const weighted = mine.reduce((n, f) => n + SEVERITY_WEIGHT[f.severity], 0);

    const revocationRate = keysAnchoredToDate > 0 ? keysRevoked / keysAnchoredToDate : 0;
    const redemptionRate = keysAnchoredToDate > 0 ? keysRedeemed / keysAnchoredToDate : 0;
    const share = keysMoved > 0 ? keysMovedUnauthorised / keysMoved : 0;
    const tenure = 100 * clamp01(ageDays / 365);
    const activity = 100 * (0.6 * clamp01(Math.log10(1 + keysAnchored) / 6) + 0.4 * clamp01(redemptionRate / 0.5));
    const integrity = 100 * clamp01(1 - 20 * revocationRate);
    const channel = 100 * (1 - share);
    const compliance = 100 * clamp01(1 - weighted / 10);
    const score = round1(0.15 * tenure + 0.15 * activity + 0.25 * integrity + 0.2 * channel + 0.25 * compliance);
    cards.push({
      supplier: s,
      ageDays: round1(ageDays),
      batchesAnchored: anchors.length,
      keysAnchored,
      keysAnchoredToDate,
      faceValueAnchored: Object.fromEntries(Object.entries(faceValue).map(([c, v]) => [c, v.toString()])),
      keysRevoked,
      revocationRate: round4(revocationRate),
      revocationsByReason: byReason,
      keysRedeemed,
      redemptionRate: round4(redemptionRate),
      medianDaysToRedemption: median,
      keysMoved,
      keysMovedUnauthorised,
      unauthorisedHopShare: round4(share),
      keysSold,
      keysRefunded,
      refundRate: round4(keysSold > 0 ? keysRefunded / keysSold : 0),
      anomalies: mine.length,
      anomaliesBySeverity: bySeverity,
      dimensions: {
        tenure: round1(tenure),
        activity: round1(activity),
        integrity: round1(integrity),
        channel: round1(channel),
        compliance: round1(compliance),
      },
      score,
      grade: score >= 85 ? "gold" : score >= 70 ? "silver" : score >= 50 ? "bronze" : "watch",
    });
  }
  return cards.sort((a, b) => b.score - a.score || (a.supplier < b.supplier ? -1 : 1));
}
