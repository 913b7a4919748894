/**
 * Types of the static export (`keytrail export <dir>`): the JSON files the portal builds from.
 * The layout is documented in docs/INDEXER.md ("Static export"). Every file is deterministic for a
 * given chain state: the same block gives byte-identical files.
 */
import type { Address, Hex } from "viem";
import type { PartyKindName } from "../parties/partyKinds.js";
import type { FrozenReasonName } from "../verify/revocationReasons.js";

/** Party kinds as words (lib/parties/partyKinds.ts). */
export type { PartyKindName } from "../parties/partyKinds.js";

/** A half-open index range `[start, end)`. */
export type IndexRange = [start: number, end: number];

/** A point in chain history. */
export type ExportBlockRef = { block: number; timestamp: number; tx: Hex };

/** `index.json`: what the export is, and where it stands. */
export type ExportIndex = {
  formatVersion: 1;
  chainId: number;
  ledger: Address;
  /** The block the export reflects (the indexer's cursor when the export was written). */
  block: { number: number; hash: Hex; timestamp: number };
  /** State digest at `block.number` (docs/STATE-DIGEST.md); recomputable by anyone from the chain. */
  digest: Hex;
  counts: { batches: number; parties: number; transfers: number };
};

/**
 * Key counts of a batch or a holding. `keys` = all keys of the range(s); frozen, redeemed and sold
 * are subsets. `sold` counts keys with a live sale (sold and not refunded); `keys - sold` is in stock.
 */
export type KeyCounts = { keys: number; frozen: number; redeemed: number; sold: number };

/** One entry of `batches.json`. */
export type ExportBatchSummary = {
  batchId: Hex;
  supplier: Address;
  label: string;
  root: Hex;
  count: number;
  productId: Hex;
  /** Face value in the currency's minor unit, as a decimal string (uint128). */
  faceValue: string;
  /** ISO 4217 code, e.g. "CNY". */
  currency: string;
  /** Unix seconds; 0 = never. */
  expiresAt: number;
  restricted: boolean;
  /** KeyLedger v2: only sold keys (sold and not refunded) can be redeemed. */
  saleRequired: boolean;
  manifestHash: Hex;
  manifestURI: string;
  anchored: ExportBlockRef;
  counts: KeyCounts;
  /** Number of custody transfer events touching the batch. */
  transfers: number;
  /** Number of distinct current holders. */
  holders: number;
  /** Number of sales (`KeysSold` events) of the batch. */
  sales: number;
};

/** `batches.json`. */
export type ExportBatches = { batches: ExportBatchSummary[] };

/** Keys per custody shard (`batches/<batchId>/custody/<shard>.json`) unless the export says otherwise. */
export const DEFAULT_CUSTODY_SHARD_SIZE = 4096;

/** `batches/<batchId>.json`: one batch in full. */
export type ExportBatchDetail = ExportBatchSummary & {
  /**
   * Keys per custody shard: key i's custody is in `batches/<batchId>/custody/<floor(i / size)>.json`
   * (see {@link ExportCustodyShard}).
   */
  custodyShardSize: number;
  /** Current holders, by address, each with its (canonical, merged) ranges. */
  holderRanges: { holder: Address; count: number; ranges: IndexRange[] }[];
  /** Currently frozen ranges. */
  frozen: { start: number; end: number; reason: FrozenReasonName }[];
  /** Redemption bitmap words that are not zero: word w covers [w*256, w*256+256), bit i = index w*256+i. */
  redeemedWords: { word: number; mask: Hex }[];
};

/** One hop of a key's custody chain. Hop 0 is always the anchoring (from = null, to = supplier). */
export type ExportHop = {
  kind: "anchor" | "transfer";
  from: Address | null;
  to: Address;
  /** The range the event moved (the key is inside it). */
  start: number;
  end: number;
  tx: Hex;
  block: number;
  logIndex: number;
  /** (block, logIndex) fixed-width: string order is chain order. */
  checkpoint: string;
  timestamp: number;
  /**
   * Whether the recipient was authorised by the batch's supplier at the hop's block time
   * (the supplier itself counts as authorised; null for the anchoring hop).
   */
  authorized: boolean | null;
  memo: Hex | null;
};

/**
 * `batches/<batchId>/custody.json`: every key's custody chain, compactly. `intervals` partition
 * [0, count) into maximal runs of keys that share the same chain; `hops` lists indices into `events`.
 * To find key i: binary-search `intervals` for start <= i < end.
 */
export type ExportCustody = {
  batchId: Hex;
  count: number;
  events: ExportHop[];
  intervals: { start: number; end: number; hops: number[]; holder: Address; frozen: FrozenReasonName | null }[];
};

/**
 * A sale of keys of a batch (`KeysSold`), as the custody views show it: "sold by `seller` at
 * `soldAt`". Receipt commitments and order references are not exported.
 */
export type ExportSale = {
  saleNo: number;
  /** The selling account at the time of the sale. */
  seller: Address;
  /** Unix seconds (the ledger's `soldAt`). */
  soldAt: number;
  tx: Hex;
  block: number;
  logIndex: number;
  /** The refund of this sale's key, when the key was refunded (a shard lists it per key). */
  refunded: ExportRefund | null;
};

/** A refund of one key's sale (`SaleRefunded`). */
export type ExportRefund = { tx: Hex; block: number; timestamp: number };

/**
 * `batches/<batchId>/custody/<shard>.json`: the custody of keys [shard * size, (shard + 1) * size)
 * (size = the batch's `custodyShardSize`), so that a verify page downloads only its key's part.
 * `intervals` are those of {@link ExportCustody} that overlap the shard's keys (clipped to it),
 * `events` only the hops they reference (re-numbered), `sales` the sales of the shard's keys with
 * their refunds, as `[start, end)` runs of keys sharing one sale and refund.
 */
export type ExportCustodyShard = {
  batchId: Hex;
  count: number;
  shard: number;
  shardSize: number;
  start: number;
  end: number;
  events: ExportHop[];
  intervals: ExportCustody["intervals"];
  sales: { start: number; end: number; sale: ExportSale }[];
};

/** A re-key of a party's account (`PartyRekeyed`): custody, batches and authorisations moved to `to`. */
export type ExportRekey = { from: Address; to: Address; block: number; timestamp: number; tx: Hex };

/** One entry of `parties.json`. */
export type ExportPartySummary = {
  address: Address;
  /** The ledger's numeric party id (v2); it survives re-keys. */
  id: number;
  kind: PartyKindName;
  profileHash: Hex;
  profileURI: string;
  accreditedUntil: number;
  suspended: boolean;
  /** Suspended by a regulator (only a regulator lifts it). */
  suspendedByRegulator: boolean;
  registered: ExportBlockRef;
  /** Batches anchored by this party (suppliers). */
  batchesAnchored: number;
  holdings: KeyCounts & { batches: number };
};

/** `parties.json`. */
export type ExportParties = { parties: ExportPartySummary[] };

/** A party's holding in one batch. */
export type ExportHolding = { batchId: Hex; ranges: IndexRange[] } & KeyCounts;

/** An authorisation (supplier -> distributor) as it stands at the export block. */
export type ExportAuthorization = {
  supplier: Address;
  distributor: Address;
  tier: number;
  expiresAt: number;
  certificateHash: Hex;
  /** Not withdrawn and not expired at the export block's time. */
  valid: boolean;
};

/** Aggregated custody flow between two parties. */
export type ExportFlow = {
  from: Address;
  to: Address;
  transfers: number;
  keys: number;
  batches: number;
  firstBlock: number;
  lastBlock: number;
};

/** `parties/<address>.json`: one party in full. */
export type ExportPartyDetail = ExportPartySummary & {
  holdingsByBatch: ExportHolding[];
  authorizationsGiven: ExportAuthorization[];
  authorizationsReceived: ExportAuthorization[];
  redeemers: Address[];
  /** Re-keys of this party (its earlier and later accounts), oldest first. */
  rekeys: ExportRekey[];
  flowsIn: ExportFlow[];
  flowsOut: ExportFlow[];
};

/** `flows.json`: all custody flows between parties, all time. */
export type ExportFlows = { flows: ExportFlow[] };

/**
 * `proofs/index.json`: where each batch's proof shards are. `path` is set when the shards were
 * copied into this export (`proofs/<batchId>/<s>.bin`); otherwise the portal derives the location
 * from `manifestURI` (its folder + `shards/<s>.bin`), or offers full-form payloads only.
 */
export type ExportProofIndex = {
  shards: {
    batchId: Hex;
    root: Hex;
    count: number;
    shardSize: number | null;
    shardCount: number | null;
    path: string | null;
    manifestURI: string;
  }[];
};
