import type { Address, Hex } from "viem";
import { DEFAULT_CUSTODY_SHARD_SIZE } from "../../lib/formats/export.js";
import type { ExportBatchDetail, IndexRange } from "../../lib/formats/export.js";
import type { Sql } from "../store/types.js";
import { listBatches } from "./listBatches.js";
import { frozenReasonName } from "./names.js";

/**
 * One batch in full: summary, current holders with merged ranges, frozen ranges, non-zero
 * redemption words.
 *
 * @param sql - the store.
 * @param parameters.batchId - the batch.
 * @param parameters.custodyShardSize - keys per custody shard of the export (default 4,096).
 * @returns the batch, or null when unknown.
 * @example
 * const b = await getBatch(store, { batchId });
 */
export async function getBatch(
  sql: Sql,
  parameters: { batchId: Hex; custodyShardSize?: number | undefined },
): Promise<ExportBatchDetail | null> {
  const { items } = await listBatches(sql, { batchId: parameters.batchId, limit: 1, offset: 0 });
  const summary = items[0];
  if (!summary) return null;
  const segs = await sql.query<{ seg_start: number; seg_end: number; holder: Address; frozen: number }>(
    "SELECT seg_start, seg_end, holder, frozen FROM kt_segments WHERE batch_no = (SELECT batch_no FROM kt_batches WHERE batch_id = $1) AND to_block IS NULL ORDER BY seg_start",
    [summary.batchId],
  );
  const words = await sql.query<{ word: number; mask: Hex }>(
    "SELECT word, mask FROM kt_redemption_words WHERE batch_no = (SELECT batch_no FROM kt_batches WHERE batch_id = $1) AND to_block IS NULL ORDER BY word",
    [summary.batchId],
  );
  const byHolder = new Map<Address, { holder: Address; count: number; ranges: IndexRange[] }>();
  const frozen: ExportBatchDetail["frozen"] = [];
  for (const s of segs) {
    let h = byHolder.get(s.holder);
    if (!h) byHolder.set(s.holder, (h = { holder: s.holder, count: 0, ranges: [] }));
    h.count += s.seg_end - s.seg_start;
    const last = h.ranges[h.ranges.length - 1];
    if (last && last[1] === s.seg_start) last[1] = s.seg_end;
    else h.ranges.push([s.seg_start, s.seg_end]);
    const reason = frozenReasonName(s.frozen);
    if (reason) {
      const f = frozen[frozen.length - 1];
      if (f && f.end === s.seg_start && f.reason === reason) f.end = s.seg_end;
      else frozen.push({ start: s.seg_start, end: s.seg_end, reason });
    }
  }
  return {
    ...summary,
    custodyShardSize: parameters.custodyShardSize ?? DEFAULT_CUSTODY_SHARD_SIZE,
    holderRanges: [...byHolder.values()].sort((a, b) => b.count - a.count || (a.holder < b.holder ? -1 : 1)),
    frozen,
    redeemedWords: words.filter((w) => BigInt(w.mask) !== 0n).map((w) => ({ word: w.word, mask: w.mask })),
  };
}
