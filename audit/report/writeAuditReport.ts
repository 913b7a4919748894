import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderAuditHtml, type AuditHtmlParty } from "./renderAuditHtml.js";
import { toCsv } from "./toCsv.js";
import { toLatestJson } from "./toLatestJson.js";
import type { AuditReport } from "../../lib/formats/auditReport.js";

/** What {@link writeAuditReport} wrote. */
export type WriteAuditReportReturnType = { files: string[] };

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x), 2) + "\n";

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text, "utf8");
  await rename(tmp, path);
}

/**
 * Writes the audit outputs: `<out>/audit.json` (the full report), `<out>/csv/<ruleId>.csv` (one
 * per rule, header even when empty), `<out>/csv/scorecards.csv`, `<out>/report.html`
 * (self-contained, inline SVG), and with `exportDir` also `<exportDir>/audit/latest.json` for the
 * portal. Each file is written to a temporary name and renamed, so readers never see half a file.
 *
 * @param report The audit report.
 * @param parameters `outDir`, and optionally `exportDir` (the indexer's static export folder) and `parties`
 *   (registered parties, named and checked for look-alikes in report.html).
 * @returns The paths written.
 * @example
 * await writeAuditReport(report, { outDir: "out/audit", exportDir: "out/export" });
 */
export async function writeAuditReport(
  report: AuditReport,
  parameters: { outDir: string; exportDir?: string | undefined; parties?: Iterable<AuditHtmlParty> | undefined },
): Promise<WriteAuditReportReturnType> {
  const files: string[] = [];
  const put = async (path: string, text: string) => {
    await writeAtomic(path, text);
    files.push(path);
  };
  await mkdir(join(parameters.outDir, "csv"), { recursive: true });
  await put(join(parameters.outDir, "audit.json"), json(report));
  const header = [
    "id",
    "rule",
    "severity",
    "block",
    "timestamp",
    "tx",
    "batch",
    "supplier",
    "parties",
    "ranges",
    "keys",
    "message",
  ];
  for (const r of report.rules) {
    const rows = report.findings
      .filter((f) => f.ruleId === r.id)
      .map((f) => [
        f.id,
        f.ruleId,
        f.severity,
        f.blockNumber,
        f.timestamp,
        f.txHash,
        f.batchId,
        f.supplier,
        f.parties,
        f.ranges.map((x) => `${x.start}-${x.end}`),
        f.keys,
        f.message,
      ]);
    await put(join(parameters.outDir, "csv", `${r.id}.csv`), toCsv(header, rows));
  }
  const cards = report.scorecards.suppliers.map((c) => [
    report.scorecards.period.label,
    c.supplier,
    c.grade,
    c.score,
    c.dimensions.tenure,
    c.dimensions.activity,
    c.dimensions.integrity,
    c.dimensions.channel,
    c.dimensions.compliance,
    c.ageDays,
    c.batchesAnchored,
    c.keysAnchored,
    c.keysRevoked,
    c.revocationRate,
    c.keysRedeemed,
    c.redemptionRate,
    c.medianDaysToRedemption,
    c.keysMoved,
    c.keysMovedUnauthorised,
    c.unauthorisedHopShare,
    c.anomalies,
  ]);
  await put(
    join(parameters.outDir, "csv", "scorecards.csv"),
    toCsv(
      [
        "period",
        "supplier",
        "grade",
        "score",
        "tenure",
        "activity",
        "integrity",
        "channel",
        "compliance",
        "age_days",
        "batches_anchored",
        "keys_anchored",
        "keys_revoked",
        "revocation_rate",
        "keys_redeemed",
        "redemption_rate",
        "median_days_to_redemption",
        "keys_moved",
        "keys_moved_unauthorised",
        "unauthorised_hop_share",
        "anomalies",
      ],
      cards,
    ),
  );
  await put(
    join(parameters.outDir, "report.html"),
    renderAuditHtml(report, parameters.parties ? { parties: parameters.parties } : {}),
  );
  if (parameters.exportDir) {
    await mkdir(join(parameters.exportDir, "audit"), { recursive: true });
    await put(join(parameters.exportDir, "audit", "latest.json"), json(toLatestJson(report)));
  }
  return { files };
}
