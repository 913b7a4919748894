import type { Address, Hex } from "viem";
import type { SnapshotComparison } from "../replay/compareSnapshots.js";
import type { Scorecard } from "../scorecards/computeScorecards.js";
import type { Period } from "../scorecards/resolvePeriod.js";
import type { AuditFinding, AuditRuleId, Severity } from "../types.js";

/** Version tag of the audit report's JSON schema (docs/AUDIT.md, "Report schema"). */
export const AUDIT_REPORT_SCHEMA = "keytrail.audit/1";

/** The audit report: what `keytrail audit` writes as audit.json (and, capped, as latest.json). */
export type AuditReport = {
  schema: typeof AUDIT_REPORT_SCHEMA;
  chain: { chainId: number; ledger: Address; fromBlock: number; toBlock: number; blockHash: Hex | null; blockTimestamp: number | null };
  replay: { events: number; rpcCalls: number; seconds: number; eventsPerSecond: number };
  /** State digest after the last replayed block (docs/STATE-DIGEST.md). */
  digest: Hex;
  indexer: (SnapshotComparison & { source: string; block: number; snapshotAvailable: boolean }) | null;
  options: { largeTransferKeys: number; largeTransferValue: Record<string, string>; rapidHops: number; rapidHopsWindowSeconds: number };
  rules: { id: AuditRuleId; title: string; severity: Severity; description: string; enforcedByContract: "yes" | "partly" | "no"; findings: number }[];
  summary: {
    findings: number;
    bySeverity: Record<Severity, number>;
    parties: number;
    batches: number;
    keys: number;
    transfers: number;
    revocations: number;
    redemptions: number;
  };
  findings: AuditFinding[];
  /** Set in latest.json when findings were capped. */
  findingsTruncated?: { kept: number; total: number };
  scorecards: { formula: string; period: Period; suppliers: Scorecard[] };
  /** Custody flows between parties over the whole replay. */
  flows: { from: Address; to: Address; transfers: number; keys: number }[];
  /** Findings per UTC day. */
  timeline: { day: string; critical: number; high: number; medium: number; low: number }[];
};
