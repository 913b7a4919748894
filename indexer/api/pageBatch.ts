import type { ExportBatchDetail } from "../../lib/formats/export.js";

/** `/batches/:id` as answered: the batch with its three lists paged, and their totals. */
export type PagedBatchDetail = Omit<ExportBatchDetail, "holderRanges"> & {
  holderRanges: (ExportBatchDetail["holderRanges"][number] & { rangeCount: number })[];
  limit: number;
  offset: number;
  totals: { holderRanges: number; frozen: number; redeemedWords: number };
};

/**
 * Pages a batch's lists for the API: `holderRanges` (holders by key count, descending), `frozen`
 * and `redeemedWords` each answer entries offset..offset+limit; every holder's `ranges` keeps at
 * most `limit` ranges (its first ones) and says how many it has in `rangeCount`. `totals` gives
 * each list's full length, so a client knows when to ask for the next page.
 *
 * @param batch - the batch in full (getBatch).
 * @param page.limit - entries per list (1..MAX_PAGE).
 * @param page.offset - entries to skip in each list.
 * @returns the paged batch.
 * @example
 * return pageBatch(await getBatch(store, { batchId }), { limit: 100, offset: 0 });
 */
export function pageBatch(batch: ExportBatchDetail, page: { limit: number; offset: number }): PagedBatchDetail {
  const { limit, offset } = page;
  const slice = <T>(xs: T[]) => xs.slice(offset, offset + limit);
  return {
    ...batch,
    holderRanges: slice(batch.holderRanges).map((h) => ({
      ...h,
      ranges: h.ranges.slice(0, limit),
      rangeCount: h.ranges.length,
    })),
    frozen: slice(batch.frozen),
    redeemedWords: slice(batch.redeemedWords),
    limit,
    offset,
    totals: {
      holderRanges: batch.holderRanges.length,
      frozen: batch.frozen.length,
      redeemedWords: batch.redeemedWords.length,
    },
  };
}
