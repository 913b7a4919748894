import type { Address, Hex } from "viem";
import type {
  DecodedLedgerLog as LedgerLog,
  LedgerEventArgs,
  LedgerEventName as LedgerLogName,
} from "../../events/v1/types.js";

/** Party kinds of the ledger (`IKeyLedger.PartyKind`). */
export const PartyKind = { None: 0, Supplier: 1, Distributor: 2, Retailer: 3 } as const;
/** A `PartyKind` value. */
export type PartyKindValue = (typeof PartyKind)[keyof typeof PartyKind];

/** Revocation reasons of the ledger (`IKeyLedger.RevocationReason`); 0 = not frozen. */
export const RevocationReason = {
  None: 0,
  Stolen: 1,
  Chargeback: 2,
  UnauthorisedChannel: 3,
  IssuerError: 4,
  Other: 5,
} as const;
/** A `RevocationReason` value. */
export type RevocationReasonValue = (typeof RevocationReason)[keyof typeof RevocationReason];

/** Where and when a log was emitted: the fields added to viem's `decodeEventLog` output. */
export type LedgerEventMeta = {
  blockNumber: bigint;
  blockHash: Hex;
  logIndex: number;
  txHash: Hex;
  /** Block timestamp, Unix seconds. */
  timestamp: bigint;
};

/**
 * A decoded ledger log (`eventName` and `args`), derived from the ABI: see lib/events/types.ts.
 * AccessControl's role events are included because regulators act by role.
 */
export type DecodedLedgerLog = LedgerLog;

/** A decoded ledger log with its position and block time: the reducer's input. */
export type LedgerEvent = DecodedLedgerLog & LedgerEventMeta;

/** Names of the ledger's events (derived from the ABI). */
export type LedgerEventName = LedgerLogName;

/** A registered party. Addresses in state and snapshots are lowercase. */
export type PartyRecord = {
  address: Address;
  kind: number;
  suspended: boolean;
  accreditedUntil: bigint;
  profileHash: Hex;
  profileURI: string;
};

/** A supplier's authorisation of a distributor (deleted on `DistributorDeauthorized`). */
export type AuthorizationRecord = {
  supplier: Address;
  distributor: Address;
  tier: number;
  expiresAt: bigint;
  certificateHash: Hex;
};

/** A redeemer a supplier delegated (deleted when disallowed). */
export type RedeemerRecord = { supplier: Address; redeemer: Address };

/**
 * A batch's anchored record: everything `BatchAnchored` carries (its ABI arguments). `currency` is
 * the ISO 4217 code as bytes3 hex, e.g. `0x434e59` for CNY.
 */
export type BatchRecord = LedgerEventArgs<"BatchAnchored">;

/** A custody segment `[start, end)` of one batch. `frozenReason` 0 = not frozen. */
export type SegmentRecord = {
  start: bigint;
  end: bigint;
  holder: Address;
  frozenReason: number;
};

/** A batch inside the replay state: its record, its segments (as the contract stores them: split, never merged) and its redemption bitmap. */
export type BatchState = {
  record: BatchRecord;
  /** Sorted by start, contiguous, covering [0, count). */
  segments: SegmentRecord[];
  /** wordIndex -> 256-bit mask of redeemed keys. */
  redeemed: Map<bigint, bigint>;
};

/**
 * The ledger's state rebuilt from its events. Treat as immutable: {@link applyLedgerEvent}
 * returns a new state and leaves its input untouched.
 */
export type LedgerState = {
  parties: ReadonlyMap<Address, PartyRecord>;
  /** Key `${supplier}:${distributor}`. */
  authorizations: ReadonlyMap<string, AuthorizationRecord>;
  /** Key `${supplier}:${redeemer}`. */
  redeemers: ReadonlyMap<string, RedeemerRecord>;
  batches: ReadonlyMap<Hex, BatchState>;
  /** role (bytes32) -> accounts holding it (AccessControl), lowercase. */
  roles: ReadonlyMap<Hex, ReadonlySet<Address>>;
  /** Events applied so far. */
  eventCount: number;
  /** Position of the last event applied, or null. */
  last: { blockNumber: bigint; logIndex: number; blockHash: Hex; timestamp: bigint } | null;
};

/** A batch in a snapshot. */
export type SnapshotBatch = BatchRecord;

/** A canonical custody segment of a snapshot. */
export type SnapshotSegment = SegmentRecord & { batchId: Hex };

/** A nonzero redemption word of a snapshot. */
export type SnapshotRedemptionWord = { batchId: Hex; wordIndex: bigint; mask: bigint };

/**
 * The ledger's state in canonical form: every list sorted, segments merged where adjacent ones
 * have the same holder and frozen reason, only nonzero redemption words, addresses lowercase.
 * The replay (audit) and the indexer both build one and hash it with `computeStateDigest`.
 */
export type LedgerSnapshot = {
  /** Snapshot format version (the digest's domain tag carries it too). */
  version: 1;
  /** Sorted by address. */
  parties: PartyRecord[];
  /** Sorted by (supplier, distributor). */
  authorizations: AuthorizationRecord[];
  /** Sorted by (supplier, redeemer). */
  redeemers: RedeemerRecord[];
  /** Sorted by batchId. */
  batches: SnapshotBatch[];
  /** Sorted by (batchId, start); canonical (merged). */
  segments: SnapshotSegment[];
  /** Sorted by (batchId, wordIndex); mask != 0. */
  redemptions: SnapshotRedemptionWord[];
};
