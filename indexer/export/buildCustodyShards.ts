import type { Address, Hex } from "viem";
import type { ExportCustody, ExportCustodyShard, ExportSale } from "../../lib/formats/export.js";
import { IndexerConfigError } from "../errors.js";
import type { Sql } from "../store/types.js";

/** Above this many shards, shards whose keys never changed (anchoring hop only, no sale) are not written. */
export const MAX_DENSE_CUSTODY_SHARDS = 1024;

type SaleRangeRow = {
  seg_start: number;
  seg_end: number;
  sale_no: number;
  seller: Address;
  sold_at: number;
  tx: Hex;
  block: number;
  log_index: number;
};

/**
 * Splits a batch's custody (see `buildCustody`) into shards of `shardSize` keys, adding the sales
 * and refunds of each shard's keys (`ExportCustodyShard`): a verify page downloads only its key's
 * shard. Each shard keeps the intervals overlapping its keys (clipped), the hops they reference
 * (re-numbered, chain order kept) and runs of keys sharing one sale and refund state. When the
 * batch has more than {@link MAX_DENSE_CUSTODY_SHARDS} shards, a shard whose keys only have the
 * anchoring hop and no sale is left out (its keys never moved).
 *
 * @param sql - the store.
 * @param parameters.custody - the batch's custody.
 * @param parameters.shardSize - keys per shard (a positive integer).
 * @returns the shards to write, in order.
 * @throws IndexerConfigError when `shardSize` is not a positive integer.
 * @example
 * const shards = await buildCustodyShards(store, { custody, shardSize: 4096 });
 */
export async function buildCustodyShards(
  sql: Sql,
  parameters: { custody: ExportCustody; shardSize: number },
): Promise<ExportCustodyShard[]> {
  const { custody, shardSize } = parameters;
  if (!Number.isSafeInteger(shardSize) || shardSize < 1)
    throw new IndexerConfigError(`Invalid custody shard size ${shardSize}: expected a positive integer.`);
  const batchNo = (
    await sql.query<{ batch_no: number }>("SELECT batch_no FROM kt_batches WHERE batch_id = $1", [custody.batchId])
  )[0]?.batch_no;
  const ranges = await sql.query<SaleRangeRow>(
    `SELECT r.seg_start, r.seg_end, x.sale_no, x.seller, x.sold_at, x.tx, x.block, x.log_index
       FROM kt_sale_ranges r JOIN kt_sales x ON x.batch_no = r.batch_no AND x.sale_no = r.sale_no
      WHERE r.batch_no = $1 ORDER BY r.seg_start, x.block, x.log_index`,
    [batchNo ?? -1],
  );
  const refunds = await sql.query<{ sale_no: number; idx: number; tx: Hex; block: number; timestamp: number }>(
    "SELECT sale_no, idx, tx, block, timestamp FROM kt_refunds WHERE batch_no = $1 ORDER BY idx",
    [batchNo ?? -1],
  );
  const refundsOf = new Map<number, typeof refunds>();
  for (const f of refunds) (refundsOf.get(f.sale_no) ?? refundsOf.set(f.sale_no, []).get(f.sale_no)!).push(f);
  // Runs of keys sharing one sale and refund: a sale's range splits at its refunded keys.
  const saleRuns: ExportCustodyShard["sales"] = [];
  for (const r of ranges) {
    const base: Omit<ExportSale, "refunded"> = {
      saleNo: r.sale_no,
      seller: r.seller,
      soldAt: r.sold_at,
      tx: r.tx,
      block: r.block,
      logIndex: r.log_index,
    };
    let start = r.seg_start;
    for (const f of refundsOf.get(r.sale_no) ?? []) {
      if (f.idx < r.seg_start || f.idx >= r.seg_end) continue;
      if (f.idx > start) saleRuns.push({ start, end: f.idx, sale: { ...base, refunded: null } });
      const refunded = { tx: f.tx, block: f.block, timestamp: f.timestamp };
      saleRuns.push({ start: f.idx, end: f.idx + 1, sale: { ...base, refunded } });
      start = f.idx + 1;
    }
    if (start < r.seg_end) saleRuns.push({ start, end: r.seg_end, sale: { ...base, refunded: null } });
  }
  saleRuns.sort((a, b) => a.start - b.start || a.sale.block - b.sale.block || a.sale.logIndex - b.sale.logIndex);

  const total = Math.ceil(custody.count / shardSize);
  const dense = total <= MAX_DENSE_CUSTODY_SHARDS;
  const shards: ExportCustodyShard[] = [];
  let iv = 0;
  for (let k = 0; k < total; k++) {
    const start = k * shardSize;
    const end = Math.min(custody.count, start + shardSize);
    while (iv < custody.intervals.length && custody.intervals[iv]!.end <= start) iv++;
    const picked: ExportCustody["intervals"] = [];
    for (let j = iv; j < custody.intervals.length && custody.intervals[j]!.start < end; j++) {
      const x = custody.intervals[j]!;
      picked.push({ ...x, start: Math.max(x.start, start), end: Math.min(x.end, end) });
    }
    const sales = saleRuns
      .filter((s) => s.start < end && s.end > start)
      .map((s) => ({ ...s, start: Math.max(s.start, start), end: Math.min(s.end, end) }));
    const untouched = picked.length === 1 && picked[0]!.hops.length === 1 && !picked[0]!.frozen && !sales.length;
    if (!dense && untouched) continue;
    const used = [...new Set(picked.flatMap((x) => x.hops))].sort((a, b) => a - b);
    const renumber = new Map(used.map((h, i) => [h, i]));
    shards.push({
      batchId: custody.batchId,
      count: custody.count,
      shard: k,
      shardSize,
      start,
      end,
      events: used.map((h) => custody.events[h]!),
      intervals: picked.map((x) => ({ ...x, hops: x.hops.map((h) => renumber.get(h)!) })),
      sales,
    });
  }
  return shards;
}
