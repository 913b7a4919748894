import type { Hex } from "viem";
import type { DecodedLedgerLog } from "../../lib/events/types.js";
import type { Sql } from "../store/types.js";
import { assertNever } from "../../lib/errors/assertNever.js";

/** A block the indexer has seen: linked to its parent by hash. */
export type BlockMeta = { number: number; hash: Hex; parentHash: Hex; timestamp: number };

/** A decoded ledger event with its position in the chain. */
export type IndexedEvent = { decoded: DecodedLedgerLog; block: number; logIndex: number; tx: Hex; timestamp: number };

const hexMask = (m: bigint): string => `0x${m.toString(16).padStart(64, "0")}`;

type Versioned = { fromBlock: number; toBlock: number | null; persisted: boolean; dropped: boolean };
type PartyRow = Versioned & {
  address: string;
  partyId: number;
  kind: number;
  profileHash: string;
  profileUri: string;
  accreditedUntil: string;
  suspended: boolean;
  suspendedByRegulator: boolean;
  registeredBlock: number;
  registeredLogIndex: number;
  registeredTx: string;
  registeredTime: number;
};
type AuthRow = Versioned & {
  supplier: string;
  distributor: string;
  tier: number;
  expiresAt: string;
  certificateHash: string;
};
type RedeemerRow = Versioned & { supplier: string; redeemer: string };
type ProposalRow = Versioned & { old: string; new: string; proposer: string };
/** Key state of a segment: holder, the two freeze layers and the sale pointer (saleNo 0 = never sold). */
type SegmentState = { holder: string; reg: number; sup: number; saleNo: number; refunded: boolean };
type SegmentRow = Versioned & SegmentState & { batchNo: number; start: number; end: number };
/** The effective frozen reason of a segment: the regulator layer's first, then the supplier's. */
const frozenOf = (s: SegmentState): number => s.reg || s.sup;
const sameState = (a: SegmentState, b: SegmentState): boolean =>
  a.holder === b.holder && a.reg === b.reg && a.sup === b.sup && a.saleNo === b.saleNo && a.refunded === b.refunded;
type WordRow = Versioned & { batchNo: number; word: number; mask: bigint };
type BatchInfo = {
  batchId: string;
  batchNo: number;
  supplierId: number;
  count: number;
  segments: SegmentRow[];
  words: Map<number, WordRow>;
  /** Sale numbers seen (a repeated number is ignored, as the replay does). */
  saleNos: Set<number>;
};

/** kt_batches: one row per anchored batch (the event's fields, numbered in anchoring order). */
type BatchRow = {
  batchId: string;
  batchNo: number;
  supplier: string;
  label: string;
  root: string;
  count: number;
  productId: string;
  faceValue: string;
  currency: string;
  expiresAt: string;
  restricted: boolean;
  saleRequired: boolean;
  supplierId: number;
  manifestHash: string;
  manifestUri: string;
  block: number;
  logIndex: number;
  tx: string;
  timestamp: number;
};
/** Where an event row sits in the chain. */
type EventPosition = { block: number; logIndex: number; tx: string; timestamp: number };
/** kt_transfers: one row per CustodyTransferred. */
type TransferRow = EventPosition & {
  batchNo: number;
  from: string;
  to: string;
  start: number;
  end: number;
  memo: string;
  authorized: boolean;
};
/** kt_revocations: one row per KeysRevoked (reason > 0) or KeysReinstated (reason 0). */
type RevocationRow = EventPosition & {
  batchNo: number;
  by: string;
  start: number;
  end: number;
  reason: number;
  byRegulator: boolean;
};
/** kt_rekeys: one row per PartyRekeyed. */
type RekeyRow = EventPosition & { partyId: number; old: string; new: string; proposer: string; confirmer: string };
/** kt_sales: one row per KeysSold (one sale of one batch). */
type SaleRow = EventPosition & {
  batchNo: number;
  saleNo: number;
  seller: string;
  sellerId: number;
  root: string;
  soldAt: number;
  store: string;
  terminal: string;
  amount: string;
  currency: string;
  keyCount: number;
};
/** kt_sale_ranges: the runs of consecutive indices of a sale. */
type SaleRangeRow = { block: number; logIndex: number; batchNo: number; saleNo: number; start: number; end: number };
/** kt_sale_items: one row per key of a sale (commitment and order-reference hash, public chain data). */
type SaleItemRow = {
  block: number;
  logIndex: number;
  pos: number;
  batchNo: number;
  saleNo: number;
  index: number;
  commitment: string;
  orderRef: string;
};
/** kt_refunds: one row per SaleRefunded. */
type RefundRow = EventPosition & { batchNo: number; saleNo: number; index: number; seller: string; orderRef: string };
/** kt_redemptions: one row per KeysRedeemed. */
type RedemptionRow = EventPosition & { batchNo: number; by: string; word: number; mask: string };

type Tables = {
  parties: PartyRow;
  authorizations: AuthRow;
  redeemers: RedeemerRow;
  segments: SegmentRow;
  words: WordRow;
  proposals: ProposalRow;
};

/** A column of an insert: its name, its PostgreSQL array element type, and how a row gives its value. */
type Column<T> = { col: string; type: string; get: (r: T) => unknown };
const col = <T>(name: string, type: string, get: (r: T) => unknown): Column<T> => ({ col: name, type, get });
const versionColumns = <T extends Versioned>(): Column<T>[] => [
  col("from_block", "int8", (r) => r.fromBlock),
  col("to_block", "int8", (r) => r.toBlock),
];
const positionColumns = <T extends EventPosition>(): Column<T>[] => [
  col("block", "int8", (r) => r.block),
  col("log_index", "int4", (r) => r.logIndex),
  col("tx", "text", (r) => r.tx),
  col("timestamp", "int8", (r) => r.timestamp),
];

const BATCH_COLUMNS: Column<BatchRow>[] = [
  col("batch_id", "text", (r) => r.batchId),
  col("batch_no", "int4", (r) => r.batchNo),
  col("supplier", "text", (r) => r.supplier),
  col("label", "text", (r) => r.label),
  col("root", "text", (r) => r.root),
  col("count", "int8", (r) => r.count),
  col("product_id", "text", (r) => r.productId),
  col("face_value", "numeric", (r) => r.faceValue),
  col("currency", "text", (r) => r.currency),
  col("expires_at", "numeric", (r) => r.expiresAt),
  col("restricted", "boolean", (r) => r.restricted),
  col("sale_required", "boolean", (r) => r.saleRequired),
  col("supplier_id", "int4", (r) => r.supplierId),
  col("manifest_hash", "text", (r) => r.manifestHash),
  col("manifest_uri", "text", (r) => r.manifestUri),
  col("block", "int8", (r) => r.block),
  col("log_index", "int4", (r) => r.logIndex),
  col("tx", "text", (r) => r.tx),
  col("timestamp", "int8", (r) => r.timestamp),
];
const PARTY_COLUMNS: Column<PartyRow>[] = [
  col("address", "text", (r) => r.address),
  col("party_id", "int4", (r) => r.partyId),
  col("kind", "int2", (r) => r.kind),
  col("profile_hash", "text", (r) => r.profileHash),
  col("profile_uri", "text", (r) => r.profileUri),
  col("accredited_until", "numeric", (r) => r.accreditedUntil),
  col("suspended", "boolean", (r) => r.suspended),
  col("suspended_by_regulator", "boolean", (r) => r.suspendedByRegulator),
  col("registered_block", "int8", (r) => r.registeredBlock),
  col("registered_log_index", "int4", (r) => r.registeredLogIndex),
  col("registered_tx", "text", (r) => r.registeredTx),
  col("registered_time", "int8", (r) => r.registeredTime),
  ...versionColumns<PartyRow>(),
];
const AUTH_COLUMNS: Column<AuthRow>[] = [
  col("supplier", "text", (r) => r.supplier),
  col("distributor", "text", (r) => r.distributor),
  col("tier", "int2", (r) => r.tier),
  col("expires_at", "numeric", (r) => r.expiresAt),
  col("certificate_hash", "text", (r) => r.certificateHash),
  ...versionColumns<AuthRow>(),
];
const PROPOSAL_COLUMNS: Column<ProposalRow>[] = [
  col("old_addr", "text", (r) => r.old),
  col("new_addr", "text", (r) => r.new),
  col("proposer", "text", (r) => r.proposer),
  ...versionColumns<ProposalRow>(),
];
const REDEEMER_COLUMNS: Column<RedeemerRow>[] = [
  col("supplier", "text", (r) => r.supplier),
  col("redeemer", "text", (r) => r.redeemer),
  ...versionColumns<RedeemerRow>(),
];
const SEGMENT_COLUMNS: Column<SegmentRow>[] = [
  col("batch_no", "int4", (r) => r.batchNo),
  col("seg_start", "int8", (r) => r.start),
  col("seg_end", "int8", (r) => r.end),
  col("holder", "text", (r) => r.holder),
  col("frozen", "int2", (r) => frozenOf(r)),
  col("reg_reason", "int2", (r) => r.reg),
  col("sup_reason", "int2", (r) => r.sup),
  col("sale_no", "int4", (r) => r.saleNo),
  col("refunded", "boolean", (r) => r.refunded),
  ...versionColumns<SegmentRow>(),
];
const WORD_COLUMNS: Column<WordRow>[] = [
  col("batch_no", "int4", (r) => r.batchNo),
  col("word", "int8", (r) => r.word),
  col("mask", "text", (r) => hexMask(r.mask)),
  ...versionColumns<WordRow>(),
];
const TRANSFER_COLUMNS: Column<TransferRow>[] = [
  ...positionColumns<TransferRow>(),
  col("batch_no", "int4", (r) => r.batchNo),
  col("from_addr", "text", (r) => r.from),
  col("to_addr", "text", (r) => r.to),
  col("seg_start", "int8", (r) => r.start),
  col("seg_end", "int8", (r) => r.end),
  col("memo", "text", (r) => r.memo),
  col("authorized", "boolean", (r) => r.authorized),
];
const REVOCATION_COLUMNS: Column<RevocationRow>[] = [
  ...positionColumns<RevocationRow>(),
  col("batch_no", "int4", (r) => r.batchNo),
  col("by_addr", "text", (r) => r.by),
  col("seg_start", "int8", (r) => r.start),
  col("seg_end", "int8", (r) => r.end),
  col("reason", "int2", (r) => r.reason),
  col("by_regulator", "boolean", (r) => r.byRegulator),
];
const REKEY_COLUMNS: Column<RekeyRow>[] = [
  ...positionColumns<RekeyRow>(),
  col("party_id", "int4", (r) => r.partyId),
  col("old_addr", "text", (r) => r.old),
  col("new_addr", "text", (r) => r.new),
  col("proposer", "text", (r) => r.proposer),
  col("confirmer", "text", (r) => r.confirmer),
];
const SALE_COLUMNS: Column<SaleRow>[] = [
  ...positionColumns<SaleRow>(),
  col("batch_no", "int4", (r) => r.batchNo),
  col("sale_no", "int4", (r) => r.saleNo),
  col("seller", "text", (r) => r.seller),
  col("seller_id", "int4", (r) => r.sellerId),
  col("root", "text", (r) => r.root),
  col("sold_at", "int8", (r) => r.soldAt),
  col("store", "text", (r) => r.store),
  col("terminal", "text", (r) => r.terminal),
  col("amount", "numeric", (r) => r.amount),
  col("currency", "text", (r) => r.currency),
  col("key_count", "int8", (r) => r.keyCount),
];
const SALE_RANGE_COLUMNS: Column<SaleRangeRow>[] = [
  col("block", "int8", (r) => r.block),
  col("log_index", "int4", (r) => r.logIndex),
  col("batch_no", "int4", (r) => r.batchNo),
  col("sale_no", "int4", (r) => r.saleNo),
  col("seg_start", "int8", (r) => r.start),
  col("seg_end", "int8", (r) => r.end),
];
const SALE_ITEM_COLUMNS: Column<SaleItemRow>[] = [
  col("block", "int8", (r) => r.block),
  col("log_index", "int4", (r) => r.logIndex),
  col("pos", "int4", (r) => r.pos),
  col("batch_no", "int4", (r) => r.batchNo),
  col("sale_no", "int4", (r) => r.saleNo),
  col("idx", "int8", (r) => r.index),
  col("commitment", "text", (r) => r.commitment),
  col("order_ref", "text", (r) => r.orderRef),
];
const REFUND_COLUMNS: Column<RefundRow>[] = [
  ...positionColumns<RefundRow>(),
  col("batch_no", "int4", (r) => r.batchNo),
  col("sale_no", "int4", (r) => r.saleNo),
  col("idx", "int8", (r) => r.index),
  col("seller", "text", (r) => r.seller),
  col("order_ref", "text", (r) => r.orderRef),
];
const REDEMPTION_COLUMNS: Column<RedemptionRow>[] = [
  ...positionColumns<RedemptionRow>(),
  col("batch_no", "int4", (r) => r.batchNo),
  col("by_addr", "text", (r) => r.by),
  col("word", "int8", (r) => r.word),
  col("mask", "text", (r) => r.mask),
];

/** Rows of the current-state loader queries, as PostgreSQL and PGlite return them. */
type PartyDbRow = {
  address: string;
  party_id: number;
  kind: number;
  profile_hash: string;
  profile_uri: string;
  accredited_until: string;
  suspended: boolean;
  suspended_by_regulator: boolean;
  registered_block: number;
  registered_log_index: number;
  registered_tx: string;
  registered_time: number;
  from_block: number;
};
type AuthDbRow = {
  supplier: string;
  distributor: string;
  tier: number;
  expires_at: string;
  certificate_hash: string;
  from_block: number;
};
type RedeemerDbRow = { supplier: string; redeemer: string; from_block: number };
type TableName = keyof Tables;

/** Counters of one flush, for logs and benchmarks. */
export type FlushStats = { events: number; rowsInserted: number; rowsClosed: number };

/**
 * The indexer's in-memory mirror of the ledger's current state, and the buffer of row changes not
 * yet written. Applying events mutates the mirror and records row versions; {@link LedgerMirror.flush}
 * writes them with the cursor in the caller's transaction. After a failed transaction or a
 * rollback, call {@link LedgerMirror.reset}: the mirror reloads from the database.
 */
export type LedgerMirror = {
  /** Loads what `events` touch (batches, their segments and redemption words) from the database. */
  prepare(sql: Sql, events: readonly IndexedEvent[]): Promise<void>;
  /** Applies events (in chain order) to the mirror and the pending changes. */
  apply(events: readonly IndexedEvent[]): void;
  /** Writes pending changes, the given blocks and the cursor; call inside a transaction. */
  flush(sql: Sql, parameters: { blocks: readonly BlockMeta[]; cursor: BlockMeta }): Promise<FlushStats>;
  /** Drops the mirror and pending changes; the next prepare reloads from the database. */
  reset(): void;
  /** Number of events applied and not yet flushed. */
  readonly pendingEvents: number;
};

/**
 * Creates an empty {@link LedgerMirror}. The mirror follows the same lenient semantics as the
 * lib/state reducer (events about unknown batches are ignored), so the indexer's state and a
 * replay of the same logs agree.
 *
 * @returns a mirror; call `prepare` before each `apply`.
 * @example
 * const mirror = createLedgerMirror();
 * await mirror.prepare(db, events); mirror.apply(events);
 * await db.transaction((tx) => mirror.flush(tx, { blocks, cursor }));
 */
export function createLedgerMirror(): LedgerMirror {
  let loaded = false;
  let parties = new Map<string, PartyRow>();
  /** party id -> its current account. */
  let partyById = new Map<number, string>();
  let auths = new Map<string, AuthRow>();
  let redeemers = new Map<string, RedeemerRow>();
  let proposals = new Map<string, ProposalRow>();
  let batches = new Map<string, BatchInfo | null>();
  let lastBatchNo = 0;
  let pending = emptyPending();
  let pendingEvents = 0;

  function emptyPending() {
    return {
      inserts: { parties: [], authorizations: [], redeemers: [], segments: [], words: [], proposals: [] } as {
        [K in TableName]: Tables[K][];
      },
      closes: { parties: [], authorizations: [], redeemers: [], segments: [], words: [], proposals: [] } as {
        [K in TableName]: Tables[K][];
      },
      batches: [] as BatchRow[],
      transfers: [] as TransferRow[],
      revocations: [] as RevocationRow[],
      redemptions: [] as RedemptionRow[],
      rekeys: [] as RekeyRow[],
      sales: [] as SaleRow[],
      saleRanges: [] as SaleRangeRow[],
      saleItems: [] as SaleItemRow[],
      refunds: [] as RefundRow[],
    };
  }

  const v = (block: number): Versioned => ({ fromBlock: block, toBlock: null, persisted: false, dropped: false });

  function close<K extends TableName>(table: K, row: Tables[K], block: number): void {
    if (row.persisted) {
      row.toBlock = block;
      pending.closes[table].push(row);
    } else if (row.fromBlock === block) {
      row.dropped = true;
    } else {
      row.toBlock = block;
    }
  }
  function add<K extends TableName>(table: K, row: Tables[K]): Tables[K] {
    pending.inserts[table].push(row);
    return row;
  }

  async function load(sql: Sql): Promise<void> {
    parties = new Map();
    partyById = new Map();
    auths = new Map();
    redeemers = new Map();
    batches = new Map();
    const p = await sql.query<PartyDbRow>(
      `SELECT address, party_id, kind, profile_hash, profile_uri, accredited_until::text AS accredited_until, suspended,
              suspended_by_regulator, registered_block,
              registered_log_index, registered_tx, registered_time, from_block FROM kt_parties WHERE to_block IS NULL`,
    );
    for (const r of p) {
      parties.set(r.address, {
        ...v(r.from_block),
        persisted: true,
        address: r.address,
        partyId: r.party_id,
        kind: r.kind,
        profileHash: r.profile_hash,
        profileUri: r.profile_uri,
        accreditedUntil: r.accredited_until,
        suspended: r.suspended,
        suspendedByRegulator: r.suspended_by_regulator,
        registeredBlock: r.registered_block,
        registeredLogIndex: r.registered_log_index,
        registeredTx: r.registered_tx,
        registeredTime: r.registered_time,
      });
      partyById.set(r.party_id, r.address);
    }
    const a = await sql.query<AuthDbRow>(
      "SELECT supplier, distributor, tier, expires_at::text AS expires_at, certificate_hash, from_block FROM kt_authorizations WHERE to_block IS NULL",
    );
    for (const r of a) {
      auths.set(`${r.supplier}:${r.distributor}`, {
        ...v(r.from_block),
        persisted: true,
        supplier: r.supplier,
        distributor: r.distributor,
        tier: r.tier,
        expiresAt: r.expires_at,
        certificateHash: r.certificate_hash,
      });
    }
    const rd = await sql.query<RedeemerDbRow>(
      "SELECT supplier, redeemer, from_block FROM kt_redeemers WHERE to_block IS NULL",
    );
    for (const r of rd)
      redeemers.set(`${r.supplier}:${r.redeemer}`, {
        ...v(r.from_block),
        persisted: true,
        supplier: r.supplier,
        redeemer: r.redeemer,
      });
    const pr = await sql.query<{ old_addr: string; new_addr: string; proposer: string; from_block: number }>(
      "SELECT old_addr, new_addr, proposer, from_block FROM kt_rekey_proposals WHERE to_block IS NULL",
    );
    proposals = new Map();
    for (const r of pr)
      proposals.set(r.old_addr, {
        ...v(r.from_block),
        persisted: true,
        old: r.old_addr,
        new: r.new_addr,
        proposer: r.proposer,
      });
    const mx = await sql.query<{ n: number }>("SELECT coalesce(max(batch_no), 0) AS n FROM kt_batches");
    lastBatchNo = mx[0]?.n ?? 0;
    loaded = true;
  }

  async function prepare(sql: Sql, events: readonly IndexedEvent[]): Promise<void> {
    if (!loaded) await load(sql);
    const want = new Set<string>();
    const rekeyed: string[] = [];
    for (const e of events) {
      const args = e.decoded.args as { batchId?: string };
      if (args.batchId && !batches.has(args.batchId)) want.add(args.batchId);
      if (e.decoded.eventName === "PartyRekeyed") rekeyed.push(e.decoded.args.oldAccount);
    }
    if (rekeyed.length) {
      // A re-key moves the old account's custody in every batch: load the batches it holds keys of.
      const held = await sql.query<{ batch_id: string }>(
        `SELECT DISTINCT b.batch_id FROM kt_segments s JOIN kt_batches b USING (batch_no)
          WHERE s.to_block IS NULL AND s.holder = ANY($1::text[])`,
        [rekeyed],
      );
      for (const r of held) if (!batches.has(r.batch_id)) want.add(r.batch_id);
    }
    if (!want.size) return;
    const ids = [...want];
    for (const id of ids) batches.set(id, null);
    const rows = await sql.query<{ batch_id: string; batch_no: number; supplier_id: number; count: number }>(
      "SELECT batch_id, batch_no, supplier_id, count FROM kt_batches WHERE batch_id = ANY($1::text[])",
      [ids],
    );
    if (!rows.length) return;
    const byNo = new Map<number, BatchInfo>();
    for (const r of rows) {
      const info: BatchInfo = {
        batchId: r.batch_id,
        batchNo: r.batch_no,
        supplierId: r.supplier_id,
        count: r.count,
        segments: [],
        words: new Map(),
        saleNos: new Set(),
      };
      batches.set(r.batch_id, info);
      byNo.set(r.batch_no, info);
    }
    const found = rows.map((r) => r.batch_no);
    const segs = await sql.query<{
      batch_no: number;
      seg_start: number;
      seg_end: number;
      holder: string;
      reg_reason: number;
      sup_reason: number;
      sale_no: number;
      refunded: boolean;
      from_block: number;
    }>(
      `SELECT batch_no, seg_start, seg_end, holder, reg_reason, sup_reason, sale_no, refunded, from_block FROM kt_segments
        WHERE to_block IS NULL AND batch_no = ANY($1::int4[]) ORDER BY batch_no, seg_start`,
      [found],
    );
    for (const s of segs) {
      byNo.get(s.batch_no)?.segments.push({
        ...v(s.from_block),
        persisted: true,
        batchNo: s.batch_no,
        start: s.seg_start,
        end: s.seg_end,
        holder: s.holder,
        reg: s.reg_reason,
        sup: s.sup_reason,
        saleNo: s.sale_no,
        refunded: s.refunded,
      });
    }
    const words = await sql.query<{ batch_no: number; word: number; mask: string; from_block: number }>(
      "SELECT batch_no, word, mask, from_block FROM kt_redemption_words WHERE to_block IS NULL AND batch_no = ANY($1::int4[])",
      [found],
    );
    const saleNos = await sql.query<{ batch_no: number; sale_no: number }>(
      "SELECT batch_no, sale_no FROM kt_sales WHERE batch_no = ANY($1::int4[])",
      [found],
    );
    for (const x of saleNos) byNo.get(x.batch_no)?.saleNos.add(x.sale_no);
    for (const w of words) {
      byNo.get(w.batch_no)?.words.set(w.word, {
        ...v(w.from_block),
        persisted: true,
        batchNo: w.batch_no,
        word: w.word,
        mask: BigInt(w.mask),
      });
    }
  }

  /** Changes the key state of [start, end) of a batch by `patch`, splitting segments at the edges. */
  function assign(
    b: BatchInfo,
    start: number,
    end: number,
    block: number,
    patch: (s: SegmentState) => SegmentState,
  ): void {
    const s0 = Math.max(0, start);
    const e0 = Math.min(b.count, end);
    if (s0 >= e0) return;
    const segs = b.segments;
    let lo = 0;
    let hi = segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (segs[mid]!.end <= s0) lo = mid + 1;
      else hi = mid;
    }
    const out: SegmentRow[] = [];
    let j = lo;
    let changed = false;
    while (j < segs.length && segs[j]!.start < e0) {
      const s = segs[j]!;
      const n = patch(s);
      if (sameState(n, s)) {
        out.push(s);
      } else {
        changed = true;
        close("segments", s, block);
        const mk = (a: number, z: number, st: SegmentState) =>
          add("segments", {
            ...v(block),
            batchNo: b.batchNo,
            start: a,
            end: z,
            holder: st.holder,
            reg: st.reg,
            sup: st.sup,
            saleNo: st.saleNo,
            refunded: st.refunded,
          });
        if (s.start < s0) out.push(mk(s.start, s0, s));
        out.push(mk(Math.max(s.start, s0), Math.min(s.end, e0), n));
        if (s.end > e0) out.push(mk(e0, s.end, s));
      }
      j++;
    }
    if (changed) segs.splice(lo, j - lo, ...out);
  }

  function apply(events: readonly IndexedEvent[]): void {
    for (const e of events) {
      applyOne(e);
      pendingEvents++;
    }
  }

  const at = (e: IndexedEvent): EventPosition => ({
    block: e.block,
    logIndex: e.logIndex,
    tx: e.tx,
    timestamp: e.timestamp,
  });
  /** The current account of a batch's supplier (its id survives re-keys). */
  const supplierOf = (b: BatchInfo): string => partyById.get(b.supplierId) ?? "";

  /** Moves everything the old account of a re-keyed party had to the new account. */
  function rekey(oldAccount: string, newAccount: string, block: number): void {
    const proposal = proposals.get(oldAccount);
    if (proposal) {
      close("proposals", proposal, block);
      proposals.delete(oldAccount);
    }
    const old = parties.get(oldAccount);
    if (!old) return; // nothing to move (the replay ignores it too)
    close("parties", old, block);
    parties.delete(oldAccount);
    parties.set(newAccount, add("parties", { ...old, ...v(block), address: newAccount }));
    partyById.set(old.partyId, newAccount);
    for (const [key, au] of [...auths]) {
      if (au.supplier !== oldAccount && au.distributor !== oldAccount) continue;
      close("authorizations", au, block);
      auths.delete(key);
      const supplier = au.supplier === oldAccount ? newAccount : au.supplier;
      const distributor = au.distributor === oldAccount ? newAccount : au.distributor;
      auths.set(`${supplier}:${distributor}`, add("authorizations", { ...au, ...v(block), supplier, distributor }));
    }
    for (const [key, r] of [...redeemers]) {
      if (r.supplier !== oldAccount) continue;
      close("redeemers", r, block);
      redeemers.delete(key);
      redeemers.set(`${newAccount}:${r.redeemer}`, add("redeemers", { ...r, ...v(block), supplier: newAccount }));
    }
    for (const b of batches.values()) {
      if (!b) continue;
      for (const s of [...b.segments]) {
        if (s.holder === oldAccount) assign(b, s.start, s.end, block, (x) => ({ ...x, holder: newAccount }));
      }
    }
  }

  function applyOne(e: IndexedEvent): void {
    const d = e.decoded;
    const block = e.block;
    switch (d.eventName) {
      case "PartyRegistered": {
        const a = d.args;
        const old = parties.get(a.party);
        if (old) close("parties", old, block);
        parties.set(
          a.party,
          add("parties", {
            ...v(block),
            address: a.party,
            partyId: Number(a.id),
            kind: Number(a.kind),
            profileHash: a.profileHash,
            profileUri: a.profileURI,
            accreditedUntil: a.accreditedUntil.toString(),
            suspended: false,
            suspendedByRegulator: false,
            registeredBlock: block,
            registeredLogIndex: e.logIndex,
            registeredTx: e.tx,
            registeredTime: e.timestamp,
          }),
        );
        partyById.set(Number(a.id), a.party);
        break;
      }
      case "PartyUpdated":
      case "PartySuspended":
      case "PartyReinstated": {
        const a = d.args;
        const old = parties.get(a.party);
        if (!old) break;
        const next: PartyRow = { ...old, ...v(block) };
        if (d.eventName === "PartyUpdated") {
          next.profileHash = d.args.profileHash;
          next.profileUri = d.args.profileURI;
          next.accreditedUntil = d.args.accreditedUntil.toString();
        } else if (d.eventName === "PartySuspended") {
          next.suspended = true;
          next.suspendedByRegulator = d.args.byRegulator;
        } else {
          next.suspended = false;
          next.suspendedByRegulator = false;
        }
        close("parties", old, block);
        parties.set(a.party, add("parties", next));
        break;
      }
      case "PartyRekeyed": {
        const a = d.args;
        pending.rekeys.push({
          ...at(e),
          partyId: Number(a.id),
          old: a.oldAccount,
          new: a.newAccount,
          proposer: a.proposer.toLowerCase(),
          confirmer: a.confirmer,
        });
        rekey(a.oldAccount, a.newAccount, block);
        break;
      }
      case "RekeyProposed": {
        const a = d.args;
        const old = proposals.get(a.oldAccount);
        if (old) close("proposals", old, block);
        proposals.set(
          a.oldAccount,
          add("proposals", { ...v(block), old: a.oldAccount, new: a.newAccount, proposer: a.proposer }),
        );
        break;
      }
      case "DistributorAuthorized": {
        const a = d.args;
        const key = `${a.supplier}:${a.distributor}`;
        const old = auths.get(key);
        if (old) close("authorizations", old, block);
        auths.set(
          key,
          add("authorizations", {
            ...v(block),
            supplier: a.supplier,
            distributor: a.distributor,
            tier: Number(a.tier),
            expiresAt: a.expiresAt.toString(),
            certificateHash: a.certificateHash,
          }),
        );
        break;
      }
      case "DistributorDeauthorized": {
        const key = `${d.args.supplier}:${d.args.distributor}`;
        const old = auths.get(key);
        if (old) {
          close("authorizations", old, block);
          auths.delete(key);
        }
        break;
      }
      case "RedeemerSet": {
        const key = `${d.args.supplier}:${d.args.redeemer}`;
        const old = redeemers.get(key);
        if (d.args.allowed && !old) {
          redeemers.set(key, add("redeemers", { ...v(block), supplier: d.args.supplier, redeemer: d.args.redeemer }));
        } else if (!d.args.allowed && old) {
          close("redeemers", old, block);
          redeemers.delete(key);
        }
        break;
      }
      case "BatchAnchored": {
        const a = d.args;
        if (batches.get(a.batchId)) break; // a second anchor is impossible on chain; the replay ignores it too
        const count = Number(a.count);
        const supplierId = parties.get(a.supplier)?.partyId ?? 0;
        const b: BatchInfo = {
          batchId: a.batchId,
          batchNo: ++lastBatchNo,
          supplierId,
          count,
          segments: [],
          words: new Map(),
          saleNos: new Set(),
        };
        if (count > 0)
          b.segments.push(
            add("segments", {
              ...v(block),
              batchNo: b.batchNo,
              start: 0,
              end: count,
              holder: a.supplier,
              reg: 0,
              sup: 0,
              saleNo: 0,
              refunded: false,
            }),
          );
        batches.set(a.batchId, b);
        pending.batches.push({
          batchId: a.batchId,
          batchNo: b.batchNo,
          supplier: a.supplier,
          label: a.label,
          root: a.root,
          count,
          productId: a.productId,
          faceValue: a.faceValue.toString(),
          currency: a.currency,
          expiresAt: a.expiresAt.toString(),
          restricted: a.restricted,
          saleRequired: a.saleRequired,
          supplierId,
          manifestHash: a.manifestHash,
          manifestUri: a.manifestURI,
          block,
          logIndex: e.logIndex,
          tx: e.tx,
          timestamp: e.timestamp,
        });
        break;
      }
      case "CustodyTransferred": {
        const a = d.args;
        const b = batches.get(a.batchId);
        if (!b) break;
        const supplier = supplierOf(b);
        let authorized = a.to === supplier;
        if (!authorized) {
          const au = auths.get(`${supplier}:${a.to}`);
          authorized = !!au && au.tier !== 0 && (au.expiresAt === "0" || BigInt(e.timestamp) <= BigInt(au.expiresAt));
        }
        pending.transfers.push({
          ...at(e),
          batchNo: b.batchNo,
          from: a.from,
          to: a.to,
          start: Number(a.start),
          end: Number(a.end),
          memo: a.memo,
          authorized,
        });
        assign(b, Number(a.start), Number(a.end), block, (x) => ({ ...x, holder: a.to }));
        break;
      }
      case "KeysRevoked":
      case "KeysReinstated": {
        const a = d.args;
        const b = batches.get(a.batchId);
        if (!b) break;
        const reason = d.eventName === "KeysRevoked" ? Number(d.args.reason) : 0;
        pending.revocations.push({
          ...at(e),
          batchNo: b.batchNo,
          by: a.by,
          start: Number(a.start),
          end: Number(a.end),
          reason,
          byRegulator: a.byRegulator,
        });
        const patch =
          d.eventName === "KeysRevoked"
            ? a.byRegulator
              ? (x: SegmentState) => ({ ...x, reg: reason })
              : (x: SegmentState) => ({ ...x, sup: reason })
            : a.byRegulator
              ? (x: SegmentState) => ({ ...x, reg: 0, sup: 0 })
              : (x: SegmentState) => ({ ...x, sup: 0 });
        assign(b, Number(a.start), Number(a.end), block, patch);
        break;
      }
      case "KeysSold": {
        const a = d.args;
        const b = batches.get(a.batchId);
        if (!b) break;
        const saleNo = Number(a.saleNo);
        if (b.saleNos.has(saleNo)) break; // sale numbers are unique per batch; the replay ignores a repeat
        b.saleNos.add(saleNo);
        a.indices.forEach((index, pos) =>
          pending.saleItems.push({
            block,
            logIndex: e.logIndex,
            pos,
            batchNo: b.batchNo,
            saleNo,
            index: Number(index),
            commitment: a.commitments[pos] ?? "0x",
            orderRef: a.orderRefs[pos] ?? "0x",
          }),
        );
        pending.sales.push({
          ...at(e),
          batchNo: b.batchNo,
          saleNo,
          seller: a.seller,
          sellerId: parties.get(a.seller)?.partyId ?? 0,
          root: a.root,
          soldAt: Number(a.soldAt),
          store: a.context.store,
          terminal: a.context.terminal,
          amount: a.context.amount.toString(),
          currency: a.context.currency,
          keyCount: a.indices.length,
        });
        const sold = (x: SegmentState) => ({ ...x, saleNo, refunded: false });
        for (let i = 0; i < a.indices.length;) {
          const start = Number(a.indices[i]);
          let end = start + 1;
          i++;
          while (i < a.indices.length && Number(a.indices[i]) === end) {
            end++;
            i++;
          }
          pending.saleRanges.push({ block, logIndex: e.logIndex, batchNo: b.batchNo, saleNo, start, end });
          assign(b, start, end, block, sold);
        }
        break;
      }
      case "SaleRefunded": {
        const a = d.args;
        const b = batches.get(a.batchId);
        if (!b) break;
        const index = Number(a.index);
        pending.refunds.push({
          ...at(e),
          batchNo: b.batchNo,
          saleNo: Number(a.saleNo),
          index,
          seller: a.seller,
          orderRef: a.orderRef,
        });
        assign(b, index, index + 1, block, (x) => ({ ...x, refunded: true }));
        break;
      }
      case "KeysRedeemed": {
        const a = d.args;
        const b = batches.get(a.batchId);
        if (!b) break;
        const word = Number(a.wordIndex);
        pending.redemptions.push({ ...at(e), batchNo: b.batchNo, by: a.by, word, mask: hexMask(a.mask) });
        const old = b.words.get(word);
        const mask = (old?.mask ?? 0n) | a.mask;
        if (old && old.mask === mask) break;
        if (old) close("words", old, block);
        b.words.set(word, add("words", { ...v(block), batchNo: b.batchNo, word, mask }));
        break;
      }
      case "RoleAdminChanged":
      case "RoleGranted":
      case "RoleRevoked":
      case "DefaultAdminDelayChangeCanceled":
      case "DefaultAdminDelayChangeScheduled":
      case "DefaultAdminTransferCanceled":
      case "DefaultAdminTransferScheduled":
        break; // proposals and role/admin events: not part of the provenance graph
      default:
        assertNever(d, "ledger event");
    }
  }

  async function flush(sql: Sql, parameters: { blocks: readonly BlockMeta[]; cursor: BlockMeta }): Promise<FlushStats> {
    const p = pending;
    let rowsInserted = 0;
    let rowsClosed = 0;
    const cols = <T>(rows: readonly T[], fns: ((r: T) => unknown)[]) => fns.map((f) => rows.map(f));
    const closeSql = async <K extends TableName>(table: string, k: K, pk: Column<Tables[K]>[]) => {
      const rows = p.closes[k];
      if (!rows.length) return;
      rowsClosed += rows.length;
      const params = [
        ...cols(
          rows,
          pk.map((c) => c.get),
        ),
        rows.map((r) => r.fromBlock),
        rows.map((r) => r.toBlock),
      ];
      const n = pk.length;
      const unnest = [...pk.map((c, i) => `$${i + 1}::${c.type}[]`), `$${n + 1}::int8[]`, `$${n + 2}::int8[]`].join(
        ", ",
      );
      const names = [...pk.map((c) => c.col), "from_block", "to_block"].join(", ");
      const where = [...pk.map((c) => `t.${c.col} = v.${c.col}`), "t.from_block = v.from_block"].join(" AND ");
      await sql.query(
        `UPDATE ${table} t SET to_block = v.to_block FROM unnest(${unnest}) AS v(${names}) WHERE ${where}`,
        params,
      );
    };
    const insertSql = async <T>(table: string, columns: readonly Column<T>[], rows: readonly T[]) => {
      if (!rows.length) return;
      rowsInserted += rows.length;
      const unnest = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(", ");
      await sql.query(
        `INSERT INTO ${table} (${columns.map((c) => c.col).join(", ")}) SELECT * FROM unnest(${unnest})`,
        cols(
          rows,
          columns.map((c) => c.get),
        ),
      );
    };
    const live = <K extends TableName>(k: K) => p.inserts[k].filter((r) => !r.dropped && r.toBlock !== r.fromBlock);

    await closeSql("kt_parties", "parties", [{ col: "address", type: "text", get: (r) => r.address }]);
    await closeSql("kt_authorizations", "authorizations", [
      { col: "supplier", type: "text", get: (r) => r.supplier },
      { col: "distributor", type: "text", get: (r) => r.distributor },
    ]);
    await closeSql("kt_redeemers", "redeemers", [
      { col: "supplier", type: "text", get: (r) => r.supplier },
      { col: "redeemer", type: "text", get: (r) => r.redeemer },
    ]);
    await closeSql("kt_rekey_proposals", "proposals", [{ col: "old_addr", type: "text", get: (r) => r.old }]);
    await closeSql("kt_segments", "segments", [
      { col: "batch_no", type: "int4", get: (r) => r.batchNo },
      { col: "seg_start", type: "int8", get: (r) => r.start },
    ]);
    await closeSql("kt_redemption_words", "words", [
      { col: "batch_no", type: "int4", get: (r) => r.batchNo },
      { col: "word", type: "int8", get: (r) => r.word },
    ]);

    await insertSql("kt_batches", BATCH_COLUMNS, p.batches);
    await insertSql("kt_parties", PARTY_COLUMNS, live("parties"));
    await insertSql("kt_authorizations", AUTH_COLUMNS, live("authorizations"));
    await insertSql("kt_redeemers", REDEEMER_COLUMNS, live("redeemers"));
    await insertSql("kt_segments", SEGMENT_COLUMNS, live("segments"));
    await insertSql("kt_redemption_words", WORD_COLUMNS, live("words"));
    await insertSql("kt_transfers", TRANSFER_COLUMNS, p.transfers);
    await insertSql("kt_revocations", REVOCATION_COLUMNS, p.revocations);
    await insertSql("kt_redemptions", REDEMPTION_COLUMNS, p.redemptions);
    await insertSql("kt_rekeys", REKEY_COLUMNS, p.rekeys);
    await insertSql("kt_sales", SALE_COLUMNS, p.sales);
    await insertSql("kt_sale_ranges", SALE_RANGE_COLUMNS, p.saleRanges);
    await insertSql("kt_sale_items", SALE_ITEM_COLUMNS, p.saleItems);
    await insertSql("kt_rekey_proposals", PROPOSAL_COLUMNS, live("proposals"));
    await insertSql("kt_refunds", REFUND_COLUMNS, p.refunds);
    const blocks = [...new Map([...parameters.blocks, parameters.cursor].map((b) => [b.number, b])).values()];
    if (blocks.length) {
      await sql.query(
        `INSERT INTO kt_blocks (number, hash, parent_hash, timestamp) SELECT * FROM unnest($1::int8[], $2::text[], $3::text[], $4::int8[])
         ON CONFLICT (number) DO UPDATE SET hash = EXCLUDED.hash, parent_hash = EXCLUDED.parent_hash, timestamp = EXCLUDED.timestamp`,
        [
          blocks.map((b) => b.number),
          blocks.map((b) => b.hash),
          blocks.map((b) => b.parentHash),
          blocks.map((b) => b.timestamp),
        ],
      );
    }
    const c = parameters.cursor;
    await sql.query(
      `INSERT INTO kt_cursor (id, block_number, block_hash, updated_block_time) VALUES (1, $1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET block_number = EXCLUDED.block_number, block_hash = EXCLUDED.block_hash, updated_block_time = EXCLUDED.updated_block_time`,
      [c.number, c.hash, c.timestamp],
    );
    // Rows now live in the database: later closes must update them there.
    for (const k of Object.keys(p.inserts) as TableName[]) for (const r of p.inserts[k]) r.persisted = true;
    const events = pendingEvents;
    pending = emptyPending();
    pendingEvents = 0;
    return { events, rowsInserted, rowsClosed };
  }

  return {
    prepare,
    apply,
    flush,
    reset() {
      loaded = false;
      lastBatchNo = 0;
      parties = new Map();
      partyById = new Map();
      auths = new Map();
      redeemers = new Map();
      proposals = new Map();
      batches = new Map();
      pending = emptyPending();
      pendingEvents = 0;
    },
    get pendingEvents() {
      return pendingEvents;
    },
  };
}
