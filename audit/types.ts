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
  /** This finding's severity when it differs from the rule's (graded rules). */
  severity?: Severity;
};

/** A rolling window of the volume rule: totals over `seconds` may reach `factor` times the limit. */
export type VolumeWindow = { seconds: number; factor: number };

/** A hop-speed grade: `hops` transfers of the same keys within `seconds` have this severity. */
export type HopSpeedGrade = { seconds: number; severity: Severity };

/** A per-product limit (productId, lowercase bytes32 hex): face value in the batch's minor unit, or keys. */
export type ProductLimit = { value?: bigint; keys?: number };

/**
 * Who paid an account's gas: the first transaction with value > 0 to it (audit/funding). Read from
 * blocks, not logs: plain value transfers leave no log.
 */
export type GasFunding = {
  account: Address;
  funder: Address;
  txHash: Hex;
  blockNumber: number;
  timestamp: number;
  /** Wei. */
  value: bigint;
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
  /**
   * Audit v2 volume rules (volume-window, structuring): the limit one hour of transfers may reach,
   * in face value per ISO 4217 currency, minor units (default { CNY: 1_000_000_000n } =
   * 10,000,000.00 CNY, USD/EUR 1,500,000.00). Each transfer counts as its share of the limit.
   */
  volumeLimitValue?: Record<string, bigint>;
  /** ...in keys, for batches whose value is unknown (face value 0 or a currency without a limit; default 200,000). */
  volumeLimitKeys?: number;
  /** ...per product, overriding both (default none). */
  productLimits?: Record<string, ProductLimit>;
  /** volume-window: rolling windows and their multiples of the limit (default 1 h x1, 1 day x3, 7 days x10). */
  volumeWindows?: VolumeWindow[];
  /** structuring: a transfer counts when its share of the limit is in [band, 1) (default 0.8)... */
  structuringBand?: number;
  /** ...and this many such transfers by one sender (default 3)... */
  structuringCount?: number;
  /** ...within this many seconds (default 7 days). */
  structuringWindowSeconds?: number;
  /** hop-speed: grades, fastest first (default 1 h high, 1 day medium, 7 days low), for rapidHops transfers. */
  hopSpeedGrades?: HopSpeedGrade[];
  /** parked-before-redemption: the retailer received the keys at most this long before (default 7 days). */
  parkingWindowSeconds?: number;
  /** refund-farming: a seller's refunds within this many seconds (default 30 days)... */
  refundWindowSeconds?: number;
  /** ...at least this many (default 5) and at least refundRate of its sales in the window. */
  refundMinimum?: number;
  /**
   * linked-circular-flow: display names by account (lowercase), besides the names the parties'
   * profile URIs carry (docs/FORMATS.md section 13); confusable names link identities.
   */
  partyNames?: Record<string, string>;
  /**
   * linked-circular-flow, shared-funder: the gas funding of party accounts (account, lowercase ->
   * its first funding; `createGasFunding`). Parties funded by the same funder are linked while that
   * funder has funded at most `funderMaxParties` parties. Default null: no funding links.
   */
  gasFunding?: ReadonlyMap<Address, GasFunding> | null;
  /** Funders never used as a link (exchanges' hot wallets, faucets, the operator's gas station). */
  ignoreFunders?: readonly Address[];
  /** A funder of more parties than this links none of them and is reported once (default 5). */
  funderMaxParties?: number;
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
