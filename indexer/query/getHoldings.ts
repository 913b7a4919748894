import type { Address, Hex } from "viem";
import type { ExportHolding, IndexRange, KeyCounts } from "../export/types.js";
import type { Sql } from "../store/types.js";
import { countRedeemed } from "./countRedeemed.js";

/** A party's holdings: totals over all batches and one page of per-batch detail. */
export type Holdings = { party: Address; totals: Omit<KeyCounts, "redeemed"> & { batches: number }; items: ExportHolding[]; limit: number; offset: number; total: number };

/**
 * What a party holds now, per batch: merged ranges, key count, frozen and redeemed counts.
 * Paged by batch (in anchoring order).
 *
 * @param sql - the store.
 * @param parameters.party - the holder's address.
 * @param parameters.limit - batches per page.
 * @param parameters.offset - batches to skip.
 * @returns totals and one page.
 * @example
 * const h = await getHoldings(store, { party, limit: 100, offset: 0 });
 */
export async function getHoldings(sql: Sql, parameters: { party: Address; limit: number; offset: number }): Promise<Holdings> {
  const party = parameters.party.toLowerCase() as Address;
  const rows = await sql.query<{ batch_id: Hex; batch_no: number; seg_start: number; seg_end: number; frozen: number; total_batches: number; total_keys: number; total_frozen: number }>(
    `WITH mine AS (SELECT batch_no, seg_start, seg_end, frozen FROM kt_segments WHERE holder = $1 AND to_block IS NULL),
          totals AS (SELECT count(DISTINCT batch_no)::int8 AS total_batches, coalesce(sum(seg_end - seg_start), 0)::int8 AS total_keys,
                            coalesce(sum(CASE WHEN frozen > 0 THEN seg_end - seg_start ELSE 0 END), 0)::int8 AS total_frozen FROM mine),
          page AS (SELECT DISTINCT batch_no FROM mine ORDER BY batch_no LIMIT $2 OFFSET $3)
     SELECT b.batch_id, m.batch_no, m.seg_start, m.seg_end, m.frozen, t.total_batches, t.total_keys, t.total_frozen
       FROM totals t LEFT JOIN (mine m JOIN page p USING (batch_no) JOIN kt_batches b USING (batch_no)) ON true
      ORDER BY m.batch_no, m.seg_start`,
    [party, parameters.limit, parameters.offset],
  );
  const first = rows[0];
  const totals = { batches: first?.total_batches ?? 0, keys: first?.total_keys ?? 0, frozen: first?.total_frozen ?? 0 };
  const segs = rows.filter((r) => r.batch_id !== null);
  // Only the redemption words that overlap the page's segments.
  const words = new Map<number, Map<number, bigint>>();
  if (segs.length) {
    const w = await sql.query<{ batch_no: number; word: number; mask: string }>(
      `SELECT DISTINCT w.batch_no, w.word, w.mask FROM kt_redemption_words w
         JOIN unnest($1::int4[], $2::int8[], $3::int8[]) AS s(batch_no, seg_start, seg_end)
           ON w.batch_no = s.batch_no AND w.word BETWEEN s.seg_start / 256 AND (s.seg_end - 1) / 256
        WHERE w.to_block IS NULL`,
      [segs.map((s) => s.batch_no), segs.map((s) => s.seg_start), segs.map((s) => s.seg_end)],
    );
    for (const r of w) {
      let m = words.get(r.batch_no);
      if (!m) words.set(r.batch_no, (m = new Map()));
      m.set(r.word, BigInt(r.mask));
    }
  }
  const items: ExportHolding[] = [];
  let cur: ExportHolding | null = null;
  for (const s of segs) {
    if (!cur || cur.batchId !== s.batch_id) {
      cur = { batchId: s.batch_id, ranges: [], keys: 0, frozen: 0, redeemed: 0 };
      items.push(cur);
    }
    const n = s.seg_end - s.seg_start;
    cur.keys += n;
    if (s.frozen) cur.frozen += n;
    cur.redeemed += countRedeemed(words.get(s.batch_no) ?? new Map(), s.seg_start, s.seg_end);
    const last: IndexRange | undefined = cur.ranges[cur.ranges.length - 1];
    if (last && last[1] === s.seg_start) last[1] = s.seg_end;
    else cur.ranges.push([s.seg_start, s.seg_end]);
  }
  return { party, totals, items, limit: parameters.limit, offset: parameters.offset, total: totals.batches };
}
