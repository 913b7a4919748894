import type { Address, Hex } from "viem";
import type { LedgerEvent, LedgerState } from "../lib/state/types.js";
import type { AuditFinding, AuditRuleId, Severity } from "../lib/formats/auditReport.js";

/** A finding as a rule reports it; the engine adds id, position and keys. */
export type FindingDraft = Omit<
  AuditFinding,
  "id" | "ruleId" | "severity" | "blockNumber" | "timestamp" | "txHash" | "keys"
> & {
  /** The event the finding is anchored at (defaults to the event being checked). */
  at?: LedgerEvent;
};

/** Thresholds of the configurable rules. */
export type AuditOptions = {
  /** large-transfer: keys moved from one party to another in one transaction above this (default 10,000). */
  largeTransferKeys?: number;
  /**
   * large-transfer: total face value moved in one transaction above this, per ISO 4217 currency,
   * in the minor unit (default { CNY: 500_000n } = 5,000.00 CNY).
   */
  largeTransferValue?: Record<string, bigint>;
  /** seller-refunds: report a seller whose refunded keys / sold keys reach this rate (default 0.1). */
  refundRate?: number;
  /** rapid-hops: this many custody transfers of the same keys... (default 4) */
  rapidHops?: number;
  /** ...within this many seconds (default 3,600). */
  rapidHopsWindowSeconds?: number;
};

/** {@link AuditOptions} with every default filled in. */
export type ResolvedAuditOptions = Required<AuditOptions>;

/** One custody hop of a key range (hop 0 is the anchoring). */
export type Hop = {
  from: Address | null;
  to: Address;
  timestamp: number;
  blockNumber: number;
  logIndex: number;
  txHash: Hex;
};

/** Keys sharing the same custody chain. */
export type ChainInterval = { start: number; end: number; hops: readonly Hop[] };

/** Per-batch custody chains of every key, as intervals (read-only view for rules). */
export type CustodyHistoryView = {
  /** Intervals of [start, end) of a batch with their chains (clamped to the batch). */
  chains(batchId: Hex, start: number, end: number): ChainInterval[];
};

/** What a rule sees when it checks one event: the state *before* the event. */
export type RuleInput = {
  event: LedgerEvent;
  state: LedgerState;
  history: CustodyHistoryView;
  options: ResolvedAuditOptions;
};

/** A rule instance for one audit run. */
export type RuleInstance = {
  check(input: RuleInput): FindingDraft[];
  /** Called once after the last event (aggregating rules report here). */
  finish?(state: LedgerState): FindingDraft[];
};

/** A named audit rule. */
export type AuditRule = {
  id: AuditRuleId;
  title: string;
  severity: Severity;
  /** What fires it, in one or two sentences. */
  description: string;
  /** Whether KeyLedger itself refuses what the rule looks for ("partly": some variants). */
  enforcedByContract: "yes" | "partly" | "no";
  create(options: ResolvedAuditOptions): RuleInstance;
};

/** Chain facts per event kind, gathered during the rules pass, from which scorecards are computed. */
export type AuditFacts = {
  registrations: { party: Address; kind: number; timestamp: number; blockNumber: number }[];
  anchors: {
    batchId: Hex;
    supplier: Address;
    keys: number;
    faceValue: bigint;
    currency: string;
    timestamp: number;
    blockNumber: number;
  }[];
  /** Every custody transfer, with whether the recipient was the supplier or validly authorised by it at the time. */
  hops: {
    batchId: Hex;
    supplier: Address;
    from: Address;
    to: Address;
    keys: number;
    authorised: boolean;
    timestamp: number;
    blockNumber: number;
    txHash: Hex;
  }[];
  revocations: {
    batchId: Hex;
    supplier: Address;
    by: Address;
    keys: number;
    reason: number;
    timestamp: number;
    blockNumber: number;
  }[];
  /** Sales (`KeysSold`, one per group), with the batch's supplier. */
  sales: {
    batchId: Hex;
    supplier: Address;
    seller: Address;
    saleNo: number;
    keys: number;
    timestamp: number;
    blockNumber: number;
  }[];
  /** Refunds (`SaleRefunded`, one key each), with the batch's supplier. */
  refunds: {
    batchId: Hex;
    supplier: Address;
    seller: Address;
    saleNo: number;
    index: number;
    timestamp: number;
    blockNumber: number;
  }[];
  /** Redemptions, with the seconds from anchoring to redemption. */
  redemptions: {
    batchId: Hex;
    supplier: Address;
    by: Address;
    keys: number;
    secondsSinceAnchor: number;
    timestamp: number;
    blockNumber: number;
  }[];
};
