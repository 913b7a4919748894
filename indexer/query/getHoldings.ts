import type { Address, Hex } from "viem";
import type { ExportHolding, IndexRange, KeyCounts } from "../../lib/formats/export.js";
import type { Sql } from "../store/types.js";
import { countRedeemed } from "./countRedeemed.js";

/** A party's holdings: totals over all batches and one page of per-batch detail. */
export type Holdings = {
  party: Address;
  totals: Omit<KeyCounts, "redeemed"> & { batches: number };
  items: ExportHolding[];
  limit: number;
  offset: number;
  total: number;
};

/**
 * What a party holds now, per batch: merged ranges, key count, frozen, redeemed and sold counts
 * (sold = a live sale; the rest is in stock).
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
export async function getHoldings(
  sql: Sql,
  parameters: { party: Address; limit: number; offset: number },
): Promise<Holdings> {
  const party = parameters.party.toLowerCase() as Address;
  // Aggregated in SQL (covering index, index-only): a party may hold thousands of segments, and
  // turning rows into JS objects costs far more than the scan.
  const t = await sql.query<{ batches: number; keys: number; frozen: number; sold: number }>(
    `SELECT count(DISTINCT batch_no)::int8 AS batches, coalesce(sum(seg_end - seg_start), 0)::int8 AS keys,
            coalesce(sum(seg_end - seg_start) FILTER (WHERE frozen > 0), 0)::int8 AS frozen,
            coalesce(sum(seg_end - seg_start) FILTER (WHERE sale_no > 0 AND NOT refunded), 0)::int8 AS sold
       FROM kt_segments WHERE holder = $1 AND to_block IS NULL`,
    [party],
  );
  const totals = {
    batches: t[0]?.batches ?? 0,
    keys: t[0]?.keys ?? 0,
    frozen: t[0]?.frozen ?? 0,
    sold: t[0]?.sold ?? 0,
  };
  const page = await sql.query<{ batch_id: Hex; batch_no: number; segs: string }>(
    `WITH page AS (
       SELECT batch_no, string_agg(seg_start || ':' || seg_end || ':' || frozen || ':' || (sale_no > 0 AND NOT refunded)::int, ','
                          ORDER BY seg_start) AS segs
         FROM kt_segments WHERE holder = $1 AND to_block IS NULL
        GROUP BY batch_no ORDER BY batch_no LIMIT $2 OFFSET $3)
     SELECT b.batch_id, p.batch_no, p.segs FROM page p JOIN kt_batches b USING (batch_no) ORDER BY p.batch_no`,
    [party, parameters.limit, parameters.offset],
  );
  const segs: { batch_id: Hex; batch_no: number; seg_start: number; seg_end: number; frozen: number; sold: boolean }[] =
    [];
  for (const r of page) {
    for (const part of r.segs.split(",")) {
      const [a, z, f, sold] = part.split(":");
      segs.push({
        batch_id: r.batch_id,
        batch_no: r.batch_no,
        seg_start: Number(a),
        seg_end: Number(z),
        frozen: Number(f),
        sold: sold === "1",
      });
    }
  }
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
      cur = { batchId: s.batch_id, ranges: [], keys: 0, frozen: 0, redeemed: 0, sold: 0 };
      items.push(cur);
    }
    const n = s.seg_end - s.seg_start;
    cur.keys += n;
    if (s.frozen) cur.frozen += n;
    if (s.sold) cur.sold += n;
    cur.redeemed += countRedeemed(words.get(s.batch_no) ?? new Map(), s.seg_start, s.seg_end);
    const last: IndexRange | undefined = cur.ranges[cur.ranges.length - 1];
    if (last && last[1] === s.seg_start) last[1] = s.seg_end;
    else cur.ranges.push([s.seg_start, s.seg_end]);
  }
  return { party, totals, items, limit: parameters.limit, offset: parameters.offset, total: totals.batches };
}
