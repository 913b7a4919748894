import type { Address, Hex } from "viem";
import type {
  DecodedLedgerLog as LedgerLog,
  LedgerEventArgs,
  LedgerEventName as LedgerLogName,
} from "../events/types.js";

/** Party kinds of the ledger (`IKeyLedgerV2.PartyKind`). */
export const PartyKind = { None: 0, Supplier: 1, Distributor: 2, Retailer: 3 } as const;
/** A `PartyKind` value. */
export type PartyKindValue = (typeof PartyKind)[keyof typeof PartyKind];

/**
 * Revocation reasons of the ledger (`IKeyLedgerV2.RevocationReason`); 0 = not frozen. `Refunded`
 * is set on the supplier layer by a sale refund only.
 */
export const RevocationReason = {
  None: 0,
  Stolen: 1,
  Chargeback: 2,
  UnauthorisedChannel: 3,
  IssuerError: 4,
  Other: 5,
  Refunded: 6,
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
 * A decoded ledger log (`eventName` and `args`) of KeyLedger v2, derived from its ABI: see
 * lib/events/types.ts. Version 1 ledgers: ./v1/types.ts.
 */
export type DecodedLedgerLog = LedgerLog;

/** A decoded ledger log with its position and block time: the reducer's input. */
export type LedgerEvent = DecodedLedgerLog & LedgerEventMeta;

/** Names of the ledger's events (derived from the ABI). */
export type LedgerEventName = LedgerLogName;

/**
 * A registered party. Addresses in state and snapshots are lowercase. `id` is the ledger's party
 * id (1, 2, ... in registration order); after a re-key the record lives under the new account
 * with the same id. `suspendedByRegulator`: only a regulator may lift the suspension.
 */
export type PartyRecord = {
  address: Address;
  id: number;
  kind: number;
  suspended: boolean;
  suspendedByRegulator: boolean;
  accreditedUntil: bigint;
  profileHash: Hex;
  profileURI: string;
};

/** A pending re-key proposal of `oldAccount` (replaced by a later proposal, deleted on confirmation). */
export type RekeyProposalRecord = { oldAccount: Address; newAccount: Address; proposer: Address };

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
 * A batch's anchored record: everything `BatchAnchored` carries (its ABI arguments), `supplier`
 * being the supplier's current account (it follows re-keys). `currency` is the ISO 4217 code as
 * bytes3 hex, e.g. `0x434e59` for CNY.
 */
export type BatchRecord = LedgerEventArgs<"BatchAnchored">;

/**
 * A range `[start, end)` of one batch where every per-key value is the same: the holder, the
 * freeze reason of each layer (0 = none), and the key's live sale pointer (`saleNo` 0 = never
 * sold; `refunded` true once that sale was refunded).
 */
export type SegmentRecord = {
  start: bigint;
  end: bigint;
  holder: Address;
  /** Reason on the regulator layer (only a regulator sets or lifts it). */
  regulatorReason: number;
  /** Reason on the supplier layer (the supplier or a regulator lifts it; 6 = Refunded). */
  supplierReason: number;
  saleNo: number;
  refunded: boolean;
};

/** One key of a sale: what `KeysSold` lists for it (commitment and order-reference hash, both public hashes). */
export type SaleItemRecord = { index: bigint; commitment: Hex; orderRef: Hex };

/**
 * One sale (one `KeysSold` group): number `saleNo` of its batch. `seller` is the seller's current
 * account (it follows re-keys, as the contract's `saleOf` does).
 */
export type SaleRecord = {
  saleNo: number;
  seller: Address;
  soldAt: bigint;
  root: Hex;
  store: Hex;
  terminal: Hex;
  amount: bigint;
  currency: Hex;
  /** Sorted by index (the contract requires strictly increasing indices). */
  items: SaleItemRecord[];
};

/** A batch inside the replay state: its record, its segments (split, never merged) and redemption bitmap, its sales. */
export type BatchState = {
  record: BatchRecord;
  /** Sorted by start, contiguous, covering [0, count). */
  segments: SegmentRecord[];
  /** wordIndex -> 256-bit mask of redeemed keys. */
  redeemed: Map<bigint, bigint>;
  /** saleNo -> sale. */
  sales: Map<number, SaleRecord>;
};

/**
 * The ledger's state rebuilt from its events. Treat as immutable: {@link applyLedgerEvent}
 * returns a new state and leaves its input untouched.
 */
export type LedgerState = {
  parties: ReadonlyMap<Address, PartyRecord>;
  /** Keyed by old account. */
  rekeyProposals: ReadonlyMap<Address, RekeyProposalRecord>;
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

/** A canonical segment of a snapshot. */
export type SnapshotSegment = SegmentRecord & { batchId: Hex };

/** A nonzero redemption word of a snapshot. */
export type SnapshotRedemptionWord = { batchId: Hex; wordIndex: bigint; mask: bigint };

/** A sale of a snapshot (its items are in `saleItems`). */
export type SnapshotSale = Omit<SaleRecord, "items"> & { batchId: Hex; itemCount: number };

/** One key of one sale in a snapshot. */
export type SnapshotSaleItem = SaleItemRecord & { batchId: Hex; saleNo: number };

/**
 * The ledger's state in canonical form (version 2): every list sorted, segments merged where
 * adjacent ones have the same holder, freeze reasons and sale pointer, only nonzero redemption
 * words, addresses lowercase. The replay (audit) and the indexer both build one and hash it
 * with `computeStateDigest` (docs/STATE-DIGEST.md, version 2).
 */
export type LedgerSnapshot = {
  /** Snapshot format version (the digest's domain tag carries it too). */
  version: 2;
  /** Sorted by address. */
  parties: PartyRecord[];
  /** Sorted by old account. */
  rekeyProposals: RekeyProposalRecord[];
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
  /** Sorted by (batchId, saleNo). */
  sales: SnapshotSale[];
  /** Sorted by (batchId, saleNo, index). */
  saleItems: SnapshotSaleItem[];
};
