import { AUDIT_LATEST_SCHEMA, type AuditLatest, type AuditReport } from "../../lib/formats/auditReport.js";

const RANK = { critical: 0, high: 1, medium: 2, low: 3 } as const;

/**
 * The portal's view of a report: scalar summary fields first, flat scorecard rows, and at most
 * `maxFindings` findings (most severe first, then latest first).
 *
 * @param report The audit report.
 * @param maxFindings Cap (default 500).
 * @returns The `audit/latest.json` object.
 * @example
 * writeFileSync("export/audit/latest.json", JSON.stringify(toLatestJson(report), null, 2));
 */
export function toLatestJson(report: AuditReport, maxFindings = 500): AuditLatest {
  const findings = [...report.findings]
    .sort((a, b) => RANK[a.severity] - RANK[b.severity] || b.blockNumber - a.blockNumber)
    .slice(0, maxFindings);
  return {
    schema: AUDIT_LATEST_SCHEMA,
    reportSchema: report.schema,
    chainId: report.chain.chainId,
    ledger: report.chain.ledger,
    fromBlock: report.chain.fromBlock,
    toBlock: report.chain.toBlock,
    blockTimestamp: report.chain.blockTimestamp,
    digest: report.digest,
    indexerMatch: report.indexer ? report.indexer.match : null,
    indexerDivergence: report.indexer?.firstDivergence?.message ?? null,
    findingsTotal: report.summary.findings,
    ...report.summary.bySeverity,
    period: report.scorecards.period.label,
    scoreFormula: report.scorecards.formula,
    rules: report.rules.map((r) => ({ id: r.id, title: r.title, severity: r.severity, findings: r.findings })),
    findings,
    findingsTruncated: findings.length < report.findings.length,
    scorecards: report.scorecards.suppliers.map((c) => ({
      supplier: c.supplier,
      grade: c.grade,
      score: c.score,
      ...c.dimensions,
      keysAnchored: c.keysAnchored,
      revocationRate: c.revocationRate,
      redemptionRate: c.redemptionRate,
      medianDaysToRedemption: c.medianDaysToRedemption,
      unauthorisedHopShare: c.unauthorisedHopShare,
      anomalies: c.anomalies,
    })),
  };
}
