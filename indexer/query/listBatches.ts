import type { Address, Hex } from "viem";
import type { ExportBatchSummary } from "../../lib/formats/export.js";
import type { Sql } from "../store/types.js";
import { currencyCode } from "./names.js";
import type { BatchRow, EventRow } from "./rows.js";

type Raw = BatchRow &
  EventRow & {
    transfers: number;
    holders: number;
    frozen: number;
    redeemed: number;
    sold: number;
    sales: number;
    total: number;
  };

/**
 * The batch's supplier now: the current account of its party id (a re-key moves it), or the
 * anchoring account when the id is unknown.
 */
const SUPPLIER = `coalesce((SELECT p.address FROM kt_parties p
   WHERE b.supplier_id <> 0 AND p.party_id = b.supplier_id AND p.to_block IS NULL LIMIT 1), b.supplier)`;

/**
 * Batch summaries in anchoring order, optionally of one supplier (its current account) or one
 * batch, with key counts (frozen, redeemed, sold), number of transfers, sales and current holders.
 *
 * @param sql - the store.
 * @param parameters.supplier - only this supplier's batches.
 * @param parameters.batchId - only this batch.
 * @param parameters.limit - page size.
 * @param parameters.offset - rows to skip.
 * @returns one page and the total.
 * @example
 * const { items, total } = await listBatches(store, { limit: 100, offset: 0 });
 */
export async function listBatches(
  sql: Sql,
  parameters: { supplier?: Address | undefined; batchId?: Hex | undefined; limit: number; offset: number },
): Promise<{ items: ExportBatchSummary[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (parameters.supplier) {
    params.push(parameters.supplier.toLowerCase());
    where.push(`${SUPPLIER} = $${params.length}`);
  }
  if (parameters.batchId) {
    params.push(parameters.batchId.toLowerCase());
    where.push(`b.batch_id = $${params.length}`);
  }
  params.push(parameters.limit, parameters.offset);
  const rows = await sql.query<Raw>(
    `SELECT b.batch_id, ${SUPPLIER} AS supplier, b.label, b.root, b.count, b.product_id, b.face_value::text AS face_value, b.currency, b.expires_at::text AS expires_at,
            b.restricted, b.sale_required, b.manifest_hash, b.manifest_uri, b.block, b.log_index, b.tx, b.timestamp,
            (SELECT count(*) FROM kt_transfers t WHERE t.batch_no = b.batch_no)::int8 AS transfers,
            (SELECT count(DISTINCT s.holder) FROM kt_segments s WHERE s.batch_no = b.batch_no AND s.to_block IS NULL)::int8 AS holders,
            (SELECT coalesce(sum(s.seg_end - s.seg_start), 0) FROM kt_segments s WHERE s.batch_no = b.batch_no AND s.to_block IS NULL AND s.frozen > 0)::int8 AS frozen,
            (SELECT coalesce(sum(bit_count(decode(substr(w.mask, 3), 'hex'))), 0) FROM kt_redemption_words w WHERE w.batch_no = b.batch_no AND w.to_block IS NULL)::int8 AS redeemed,
            (SELECT coalesce(sum(s.seg_end - s.seg_start), 0) FROM kt_segments s
              WHERE s.batch_no = b.batch_no AND s.to_block IS NULL AND s.sale_no > 0 AND NOT s.refunded)::int8 AS sold,
            (SELECT count(*) FROM kt_sales x WHERE x.batch_no = b.batch_no)::int8 AS sales,
            count(*) OVER ()::int8 AS total
       FROM kt_batches b ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY b.block, b.log_index LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  let total = rows[0]?.total ?? 0;
  if (!rows.length && parameters.offset > 0) {
    const c = await sql.query<{ n: number }>(
      `SELECT count(*)::int8 AS n FROM kt_batches b ${where.length ? `WHERE ${where.join(" AND ")}` : ""}`,
      params.slice(0, -2),
    );
    total = c[0]?.n ?? 0;
  }
  return {
    total,
    items: rows.map((r) => ({
      batchId: r.batch_id,
      supplier: r.supplier,
      label: r.label,
      root: r.root,
      count: r.count,
      productId: r.product_id,
      faceValue: r.face_value,
      currency: currencyCode(r.currency),
      expiresAt: Number(r.expires_at),
      restricted: r.restricted,
      saleRequired: r.sale_required,
      manifestHash: r.manifest_hash,
      manifestURI: r.manifest_uri,
      anchored: { block: r.block, timestamp: r.timestamp, tx: r.tx },
      counts: { keys: r.count, frozen: r.frozen, redeemed: r.redeemed, sold: r.sold },
      transfers: r.transfers,
      holders: r.holders,
      sales: r.sales,
    })),
  };
}
