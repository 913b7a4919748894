/**
 * The audit's output formats (docs/AUDIT.md, "Report schema" and "Portal file"): audit.json
 * (`AuditReport`, written by `keytrail audit`) and audit/latest.json (`AuditLatest`, read by the
 * portal), with the finding, scorecard and indexer-comparison types they are made of.
 */
import type { Address, Hex } from "viem";
import type { SnapshotDifference } from "../state/diffSnapshots.js";
import type { LedgerEvent } from "../state/types.js";

/** How serious a finding is. */
export type Severity = "critical" | "high" | "medium" | "low";

/** Identifiers of the audit rules (docs/AUDIT.md lists them with their definitions). */
export type AuditRuleId =
  | "custody-partition"
  | "frozen-key-moved"
  | "frozen-key-redeemed"
  | "double-redemption"
  | "unauthorised-actor"
  | "unauthorised-hop"
  | "suspended-party-action"
  | "expired-accreditation-action"
  | "expired-authorisation-use"
  | "anchored-past-accreditation"
  | "batch-outlives-accreditation"
  | "large-transfer"
  | "rapid-hops"
  | "circular-flow"
  | "redeemed-upstream"
  | "party-rekeyed"
  | "seller-refunds"
  | "redeemed-without-sale"
  | "sold-after-expiry"
  // Audit v2 (audit/rules/auditRulesV2.ts).
  | "volume-window"
  | "structuring"
  | "hop-speed"
  | "linked-circular-flow"
  | "parked-before-redemption"
  | "freeze-lifted-by-other"
  | "inactive-supplier-act"
  | "refund-farming"
  | "shared-funder";

/** One chain fact a finding rests on. */
export type Evidence = {
  txHash: Hex;
  blockNumber: number;
  logIndex: number;
  /** Block time, Unix seconds. */
  timestamp: number;
  /** The ledger event, or "ValueTransfer": a plain transaction paying gas money (logIndex -1, no log). */
  event: LedgerEvent["eventName"] | "ValueTransfer";
};

/** A half-open range of key indices. */
export type KeyRange = { start: number; end: number };

/** One anomaly: which rule, where, who, which keys, and the chain facts behind it. */
export type AuditFinding = {
  /** Stable id: `<ruleId>@<block>.<logIndex>[.<n>]`. */
  id: string;
  ruleId: AuditRuleId;
  severity: Severity;
  /** One sentence a person can read. */
  message: string;
  batchId: Hex | null;
  /** The batch's supplier (or the acting supplier), for scorecards. */
  supplier: Address | null;
  parties: Address[];
  ranges: KeyRange[];
  /** Number of keys concerned (sum of ranges), 0 when not about keys. */
  keys: number;
  blockNumber: number;
  timestamp: number;
  txHash: Hex;
  evidence: Evidence[];
  /** Rule-specific values (strings for big integers). */
  details: Record<string, string | number | boolean | null | string[]>;
};

/** The first place two states disagree, in words and values (JSON-safe). */
export type Divergence = {
  kind: SnapshotDifference["kind"];
  batchId: Hex | null;
  party: Hex | null;
  /** First key index whose custody differs (custody), the redemption word (redemption), or the sale number (sale). */
  index: number | null;
  message: string;
  replay: unknown;
  indexer: unknown;
};

/** Result of comparing the replay's state with an indexer's. */
export type SnapshotComparison = {
  match: boolean;
  replayDigest: Hex;
  indexerDigest: Hex;
  firstDivergence: Divergence | null;
  /** Differences found (capped at 100). */
  differences: number;
};

/** One supplier's scorecard over a period, computed from chain facts only. */
export type Scorecard = {
  supplier: Address;
  /** Days from registration to the end of the period (or to the last event when earlier). */
  ageDays: number;
  batchesAnchored: number;
  keysAnchored: number;
  /** Keys anchored by the end of the period (all batches so far). */
  keysAnchoredToDate: number;
  faceValueAnchored: Record<string, string>;
  keysRevoked: number;
  revocationRate: number;
  revocationsByReason: Record<string, number>;
  keysRedeemed: number;
  redemptionRate: number;
  /** Weighted by keys; null without redemptions. */
  medianDaysToRedemption: number | null;
  keysMoved: number;
  keysMovedUnauthorised: number;
  unauthorisedHopShare: number;
  /** Keys of the supplier's batches sold in the period (KeysSold, any seller). */
  keysSold: number;
  /** Keys of the supplier's batches refunded in the period (SaleRefunded). */
  keysRefunded: number;
  /** keysRefunded / keysSold of the period; 0 without sales. */
  refundRate: number;
  anomalies: number;
  anomaliesBySeverity: Record<Severity, number>;
  dimensions: { tenure: number; activity: number; integrity: number; channel: number; compliance: number };
  score: number;
  grade: "gold" | "silver" | "bronze" | "watch";
};

/** A reporting period: [from, to) in Unix seconds, with a label like "2026-Q4". */
export type Period = { label: string; from: number; to: number };

/** Every supplier's score over recent periods (oldest first); null where it was not yet a supplier. */
export type ScorecardHistory = {
  periods: Period[];
  suppliers: {
    supplier: Address;
    scores: ({ score: number; grade: Scorecard["grade"]; keysAnchored: number; anomalies: number } | null)[];
  }[];
};

/** One custody hop of a transaction a finding cites as evidence. */
export type EvidenceHop = { txHash: Hex; blockNumber: number; from: Address; to: Address; keys: number };

/** Version tag of the audit report's JSON schema (docs/AUDIT.md, "Report schema"). */
export const AUDIT_REPORT_SCHEMA = "keytrail.audit/1";

/** The audit report: what `keytrail audit` writes as audit.json (and, capped, as latest.json). */
export type AuditReport = {
  schema: typeof AUDIT_REPORT_SCHEMA;
  chain: {
    chainId: number;
    ledger: Address;
    fromBlock: number;
    toBlock: number;
    blockHash: Hex | null;
    blockTimestamp: number | null;
  };
  replay: { events: number; rpcCalls: number; seconds: number; eventsPerSecond: number };
  /** State digest after the last replayed block (docs/STATE-DIGEST.md). */
  digest: Hex;
  indexer: (SnapshotComparison & { source: string; block: number; snapshotAvailable: boolean }) | null;
  options: {
    largeTransferKeys: number;
    largeTransferValue: Record<string, string>;
    rapidHops: number;
    rapidHopsWindowSeconds: number;
    refundRate: number;
    /** Thresholds of the Audit v2 rules (present when run with them; docs/AUDIT.md, "Audit v2"). */
    v2?: {
      volumeLimitValue: Record<string, string>;
      volumeLimitKeys: number;
      productLimits: Record<string, { value?: string; keys?: number }>;
      volumeWindows: { seconds: number; factor: number }[];
      structuringBand: number;
      structuringCount: number;
      structuringWindowSeconds: number;
      hopSpeedGrades: { seconds: number; severity: Severity }[];
      parkingWindowSeconds: number;
      refundWindowSeconds: number;
      refundMinimum: number;
    };
  };
  rules: {
    id: AuditRuleId;
    title: string;
    severity: Severity;
    description: string;
    enforcedByContract: "yes" | "partly" | "no";
    findings: number;
  }[];
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
  /**
   * Findings a regulator acknowledged (`keytrail audit --ack FILE`): hidden from `findings`, the
   * summary, the rule counts, the timeline and the scorecards, and counted here. Absent without --ack.
   */
  acknowledged?: { count: number; ids: string[] };
  /** Rule set the findings come from: "landed" (the first rules) or "v2". Absent = "landed". */
  ruleSet?: "landed" | "v2";
  /** Set in latest.json when findings were capped. */
  findingsTruncated?: { kept: number; total: number };
  scorecards: { formula: string; period: Period; suppliers: Scorecard[] };
  /** Custody flows between parties over the whole replay. */
  flows: { from: Address; to: Address; transfers: number; keys: number }[];
  /** Findings per UTC day. */
  timeline: { day: string; critical: number; high: number; medium: number; low: number }[];
  /** Scores of every supplier over the last six calendar months (UTC) up to the last event. */
  scorecardHistory?: ScorecardHistory;
  /** The custody hops of the transactions findings cite as evidence (the report's per-party flow graphs). */
  evidenceHops?: EvidenceHop[];
};

/** Version tag of `audit/latest.json` (docs/AUDIT.md, "Portal file"). */
export const AUDIT_LATEST_SCHEMA = "keytrail.audit-latest/1";

/** `audit/latest.json`: the portal's audit section. Scalars at the top, findings capped. */
export type AuditLatest = {
  schema: typeof AUDIT_LATEST_SCHEMA;
  reportSchema: string;
  chainId: number;
  ledger: string;
  fromBlock: number;
  toBlock: number;
  blockTimestamp: number | null;
  digest: string;
  indexerMatch: boolean | null;
  indexerDivergence: string | null;
  findingsTotal: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
  period: string;
  scoreFormula: string;
  rules: { id: string; title: string; severity: string; findings: number }[];
  findings: AuditReport["findings"];
  findingsTruncated: boolean;
  scorecards: {
    supplier: string;
    grade: string;
    score: number;
    tenure: number;
    activity: number;
    integrity: number;
    channel: number;
    compliance: number;
    keysAnchored: number;
    revocationRate: number;
    redemptionRate: number;
    medianDaysToRedemption: number | null;
    unauthorisedHopShare: number;
    anomalies: number;
  }[];
};
