import type { Address, Hex } from "viem";
import type { ExportHop, ExportSale } from "../../lib/formats/export.js";
import type { FrozenReasonName } from "../../lib/verify/revocationReasons.js";
import type { Sql } from "../store/types.js";
import { anchorHop } from "./anchorHop.js";
import { frozenReasonName } from "./names.js";
import type { EventRow } from "./rows.js";
import { transferHop } from "./transferHop.js";

/** The custody chain of one key. */
export type CustodyChain = {
  batchId: Hex;
  index: number;
  supplier: Address;
  holder: Address;
  frozen: FrozenReasonName | null;
  redeemed: boolean;
  /** The key has a live sale (sold and not refunded). */
  sold: boolean;
  /** Anchoring first, then every transfer whose range contains the key, in chain order. */
  hops: ExportHop[];
  /** Every sale of the key ("sold by seller at soldAt"), each with its refund if any, in chain order. */
  sales: ExportSale[];
};

/** Why {@link getCustodyChain} found no chain. */
export type CustodyChainMiss = { missing: "batch" } | { missing: "index"; count: number };

type Raw = EventRow & {
  supplier: Address;
  count: number;
  hops: [number, number, Hex, number, Address, Address, number, number, Hex, boolean][] | null;
  seg: [Address, number, number, boolean] | null;
  mask: string | null;
  sales: [number, Address, number, Hex, number, number, Hex | null, number | null, number | null][] | null;
};

/**
 * The custody chain of one key (supplier -> ... -> current holder), each hop with tx, block,
 * time and whether the recipient was authorised by the supplier at that time; the key's sales and
 * refunds; plus the key's current holder, frozen reason, sale state and redemption. One statement.
 *
 * @param sql - the store.
 * @param parameters.batchId - the batch (lower-case 0x hex).
 * @param parameters.index - the key's index.
 * @returns the chain, or why there is none.
 * @example
 * const chain = await getCustodyChain(store, { batchId, index: 1234 });
 */
export async function getCustodyChain(
  sql: Sql,
  parameters: { batchId: Hex; index: number },
): Promise<CustodyChain | CustodyChainMiss> {
  const batchId = parameters.batchId.toLowerCase() as Hex;
  const rows = await sql.query<Raw>(
    `SELECT b.supplier, b.count, b.block, b.log_index, b.tx, b.timestamp,
       (SELECT json_agg(json_build_array(t.block, t.log_index, t.tx, t.timestamp, t.from_addr, t.to_addr, t.seg_start, t.seg_end, t.memo, t.authorized)
                        ORDER BY t.block, t.log_index)
          FROM kt_transfers t WHERE t.batch_no = b.batch_no AND t.keys @> $2::int8) AS hops,
       (SELECT json_agg(json_build_array(x.sale_no, x.seller, x.sold_at, x.tx, x.block, x.log_index, f.tx, f.block, f.timestamp)
                        ORDER BY x.block, x.log_index)
          FROM kt_sale_ranges sr JOIN kt_sales x ON x.batch_no = sr.batch_no AND x.sale_no = sr.sale_no
          LEFT JOIN kt_refunds f ON f.batch_no = sr.batch_no AND f.sale_no = sr.sale_no AND f.idx = $2::int8
          WHERE sr.batch_no = b.batch_no AND sr.seg_start <= $2::int8 AND sr.seg_end > $2::int8) AS sales,
       (SELECT json_build_array(s.holder, s.frozen, s.sale_no, s.refunded) FROM kt_segments s
          WHERE s.batch_no = b.batch_no AND s.keys @> $2::int8 AND s.to_block IS NULL LIMIT 1) AS seg,
       (SELECT w.mask FROM kt_redemption_words w WHERE w.batch_no = b.batch_no AND w.word = $2::int8 / 256 AND w.to_block IS NULL LIMIT 1) AS mask
     FROM kt_batches b WHERE b.batch_id = $1`,
    [batchId, parameters.index],
  );
  const r = rows[0];
  if (!r) return { missing: "batch" };
  if (parameters.index < 0 || parameters.index >= r.count) return { missing: "index", count: r.count };
  const hops: ExportHop[] = [
    anchorHop(r),
    ...(r.hops ?? []).map(
      ([block, log_index, tx, timestamp, from_addr, to_addr, seg_start, seg_end, memo, authorized]) =>
        transferHop({ block, log_index, tx, timestamp, from_addr, to_addr, seg_start, seg_end, memo, authorized }),
    ),
  ];
  const bit = BigInt(parameters.index % 256);
  return {
    batchId,
    index: parameters.index,
    supplier: r.supplier,
    holder: r.seg?.[0] ?? r.supplier,
    frozen: frozenReasonName(r.seg?.[1] ?? 0),
    redeemed: r.mask ? ((BigInt(r.mask) >> bit) & 1n) === 1n : false,
    sold: !!r.seg && r.seg[2] > 0 && !r.seg[3],
    hops,
    sales: (r.sales ?? []).map(([saleNo, seller, soldAt, tx, block, logIndex, rTx, rBlock, rTime]) => ({
      saleNo,
      seller,
      soldAt,
      tx,
      block,
      logIndex,
      refunded: rTx === null ? null : { tx: rTx, block: rBlock ?? 0, timestamp: rTime ?? 0 },
    })),
  };
}
