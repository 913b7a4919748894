import type { Address, Hex } from "viem";
import { canonicalizeSegments } from "../../lib/state/canonicalizeSegments.js";
import type { LedgerSnapshot } from "../../lib/state/types.js";
import type { Sql } from "../store/types.js";
import type { AuthorizationRow, BatchRow } from "./rows.js";

/**
 * Builds the lib/state `LedgerSnapshot` (version 2) of the ledger at the end of `block` from the
 * store's versioned rows (a row is visible at B when from_block <= B < to_block). Accounts that
 * follow re-keys (a batch's supplier, a sale's seller) are the account of their party id at B.
 *
 * @param sql - the store.
 * @param parameters.block - the block (at most the cursor).
 * @returns the canonical snapshot, ready for `computeStateDigest`.
 * @example
 * const digest = computeStateDigest(await buildSnapshot(store, { block: cursor.number }));
 */
export async function buildSnapshot(sql: Sql, parameters: { block: number }): Promise<LedgerSnapshot> {
  const b = parameters.block;
  const at = "from_block <= $1 AND (to_block IS NULL OR to_block > $1)";
  /** The account of party id `col` at block $1, or `fallback` when the id has none. */
  const accountAt = (col: string, fallback: string) =>
    `coalesce((SELECT p.address FROM kt_parties p WHERE ${col} <> 0 AND p.party_id = ${col}
       AND p.from_block <= $1 AND (p.to_block IS NULL OR p.to_block > $1) LIMIT 1), ${fallback})`;
  const parties = await sql.query<{
    address: Address;
    party_id: number;
    kind: number;
    suspended: boolean;
    suspended_by_regulator: boolean;
    accredited_until: string;
    profile_hash: Hex;
    profile_uri: string;
  }>(
    `SELECT address, party_id, kind, suspended, suspended_by_regulator, accredited_until::text AS accredited_until,
            profile_hash, profile_uri FROM kt_parties WHERE ${at} ORDER BY address`,
    [b],
  );
  const proposals = await sql.query<{ old_addr: Address; new_addr: Address; proposer: Address }>(
    `SELECT old_addr, new_addr, proposer FROM kt_rekey_proposals WHERE ${at} ORDER BY old_addr`,
    [b],
  );
  const auths = await sql.query<AuthorizationRow>(
    `SELECT supplier, distributor, tier, expires_at::text AS expires_at, certificate_hash FROM kt_authorizations WHERE ${at} ORDER BY supplier, distributor`,
    [b],
  );
  const redeemers = await sql.query<{ supplier: Address; redeemer: Address }>(
    `SELECT supplier, redeemer FROM kt_redeemers WHERE ${at} ORDER BY supplier, redeemer`,
    [b],
  );
  const batches = await sql.query<BatchRow>(
    `SELECT b.batch_id, ${accountAt("b.supplier_id", "b.supplier")} AS supplier, b.label, b.root, b.count, b.product_id,
            b.face_value::text AS face_value, b.currency, b.expires_at::text AS expires_at, b.restricted, b.sale_required,
            b.manifest_hash, b.manifest_uri FROM kt_batches b WHERE b.block <= $1 ORDER BY b.batch_id`,
    [b],
  );
  const segs = await readSegmentsInChunks(sql, b);
  const words = await sql.query<{ batch_id: Hex; word: number; mask: string }>(
    `SELECT b.batch_id, w.word, w.mask FROM kt_redemption_words w JOIN kt_batches b USING (batch_no)
      WHERE w.from_block <= $1 AND (w.to_block IS NULL OR w.to_block > $1) ORDER BY b.batch_id, w.word`,
    [b],
  );
  const sales = await sql.query<{
    batch_id: Hex;
    sale_no: number;
    seller: Address;
    sold_at: string;
    root: Hex;
    store: Hex;
    terminal: Hex;
    amount: string;
    currency: Hex;
    key_count: number;
  }>(
    `SELECT b.batch_id, x.sale_no, ${accountAt("x.seller_id", "x.seller")} AS seller, x.sold_at::text AS sold_at,
            x.root, x.store, x.terminal, x.amount::text AS amount, x.currency, x.key_count
       FROM kt_sales x JOIN kt_batches b USING (batch_no) WHERE x.block <= $1 ORDER BY b.batch_id, x.sale_no`,
    [b],
  );
  const items = await sql.query<{ batch_id: Hex; sale_no: number; idx: number; commitment: Hex; order_ref: Hex }>(
    `SELECT b.batch_id, i.sale_no, i.idx, i.commitment, i.order_ref
       FROM kt_sale_items i JOIN kt_batches b USING (batch_no) WHERE i.block <= $1
      ORDER BY b.batch_id, i.sale_no, i.idx, i.pos`,
    [b],
  );
  return {
    version: 2,
    parties: parties.map((p) => ({
      address: p.address,
      id: p.party_id,
      kind: p.kind,
      suspended: p.suspended,
      suspendedByRegulator: p.suspended_by_regulator,
      accreditedUntil: BigInt(p.accredited_until),
      profileHash: p.profile_hash,
      profileURI: p.profile_uri,
    })),
    rekeyProposals: proposals.map((r) => ({ oldAccount: r.old_addr, newAccount: r.new_addr, proposer: r.proposer })),
    authorizations: auths.map((a) => ({
      supplier: a.supplier,
      distributor: a.distributor,
      tier: a.tier,
      expiresAt: BigInt(a.expires_at),
      certificateHash: a.certificate_hash,
    })),
    redeemers: redeemers.map((r) => ({ supplier: r.supplier, redeemer: r.redeemer })),
    batches: batches.map((x) => ({
      batchId: x.batch_id,
      supplier: x.supplier,
      label: x.label,
      root: x.root,
      count: BigInt(x.count),
      productId: x.product_id,
      faceValue: BigInt(x.face_value),
      currency: x.currency,
      expiresAt: BigInt(x.expires_at),
      restricted: x.restricted,
      saleRequired: x.sale_required,
      manifestHash: x.manifest_hash,
      manifestURI: x.manifest_uri,
    })),
    segments: canonicalizeSegments(
      segs.map((s) => ({
        batchId: s.batch_id,
        start: BigInt(s.seg_start),
        end: BigInt(s.seg_end),
        holder: s.holder,
        regulatorReason: s.reg_reason,
        supplierReason: s.sup_reason,
        saleNo: s.sale_no,
        refunded: s.refunded,
      })),
    ),
    redemptions: words
      .map((w) => ({ batchId: w.batch_id, wordIndex: BigInt(w.word), mask: BigInt(w.mask) }))
      .filter((w) => w.mask !== 0n),
    sales: sales.map((x) => ({
      batchId: x.batch_id,
      saleNo: x.sale_no,
      seller: x.seller,
      soldAt: BigInt(x.sold_at),
      root: x.root,
      store: x.store,
      terminal: x.terminal,
      amount: BigInt(x.amount),
      currency: x.currency,
      itemCount: x.key_count,
    })),
    saleItems: items.map((i) => ({
      batchId: i.batch_id,
      saleNo: i.sale_no,
      index: BigInt(i.idx),
      commitment: i.commitment,
      orderRef: i.order_ref,
    })),
  };
}

/** Rows of `kt_segments` read per statement by {@link buildSnapshot}. */
export const SEGMENT_CHUNK = 500;

type SegmentRow = {
  seg_start: number;
  seg_end: number;
  holder: Address;
  reg_reason: number;
  sup_reason: number;
  sale_no: number;
  refunded: boolean;
  batch_no: number;
  from_block: number;
};

/**
 * The segments visible at block `b`, read in primary-key order `SEGMENT_CHUNK` rows per statement
 * (keyset on the whole key): the largest table of a snapshot, read in short statements, so that a
 * server's other reads can run between them (createQueryLanes). The order does not matter:
 * `canonicalizeSegments` sorts.
 */
async function readSegmentsInChunks(sql: Sql, b: number): Promise<(SegmentRow & { batch_id: Hex })[]> {
  const ids = new Map(
    (await sql.query<{ batch_no: number; batch_id: Hex }>("SELECT batch_no, batch_id FROM kt_batches")).map((r) => [
      r.batch_no,
      r.batch_id,
    ]),
  );
  const out: (SegmentRow & { batch_id: Hex })[] = [];
  let after: [number, number, number] = [-1, -1, -1];
  for (;;) {
    const rows = await sql.query<SegmentRow>(
      `SELECT batch_no, seg_start, seg_end, holder, reg_reason, sup_reason, sale_no, refunded, from_block
         FROM kt_segments
        WHERE (batch_no, seg_start, from_block) > ($2, $3, $4)
          AND from_block <= $1 AND (to_block IS NULL OR to_block > $1)
        ORDER BY batch_no, seg_start, from_block LIMIT ${SEGMENT_CHUNK}`,
      [b, ...after],
    );
    for (const r of rows) {
      const batchId = ids.get(r.batch_no);
      if (batchId !== undefined) out.push({ ...r, batch_id: batchId });
    }
    if (rows.length < SEGMENT_CHUNK) return out;
    const last = rows[rows.length - 1]!;
    after = [last.batch_no, last.seg_start, last.from_block];
  }
}
