import type { Address, Hex } from "viem";
import type { ExportPartySummary } from "../../lib/formats/export.js";
import type { Sql } from "../store/types.js";
import { countRedeemed } from "./countRedeemed.js";
import { partyKindName } from "./names.js";

type Raw = {
  address: Address;
  kind: number;
  profile_hash: Hex;
  profile_uri: string;
  accredited_until: string;
  suspended: boolean;
  registered_block: number;
  registered_time: number;
  registered_tx: Hex;
  anchored: number;
  h_batches: number;
  h_keys: number;
  h_frozen: number;
  h_sold: number;
  party_id: number;
  suspended_by_regulator: boolean;
  total: number;
};

/**
 * Party summaries in registration order, optionally of one kind or one address, with holdings
 * totals (batches, keys, frozen, redeemed, sold) and batches anchored (by the party's id, so a
 * re-keyed supplier keeps its batches).
 *
 * @param sql - the store.
 * @param parameters.kind - 1 supplier, 2 distributor, 3 retailer.
 * @param parameters.address - only this party.
 * @param parameters.limit - page size.
 * @param parameters.offset - rows to skip.
 * @returns one page and the total.
 * @example
 * const { items } = await listParties(store, { limit: 100, offset: 0 });
 */
export async function listParties(
  sql: Sql,
  parameters: { kind?: number | undefined; address?: Address | undefined; limit: number; offset: number },
): Promise<{ items: ExportPartySummary[]; total: number }> {
  const where = ["p.to_block IS NULL"];
  const params: unknown[] = [];
  if (parameters.kind !== undefined) {
    params.push(parameters.kind);
    where.push(`p.kind = $${params.length}`);
  }
  if (parameters.address) {
    params.push(parameters.address.toLowerCase());
    where.push(`p.address = $${params.length}`);
  }
  params.push(parameters.limit, parameters.offset);
  const rows = await sql.query<Raw>(
    `SELECT p.address, p.party_id, p.suspended_by_regulator, p.kind, p.profile_hash, p.profile_uri, p.accredited_until::text AS accredited_until, p.suspended, p.registered_block,
            p.registered_time, p.registered_tx,
            (SELECT count(*) FROM kt_batches b
              WHERE (p.party_id <> 0 AND b.supplier_id = p.party_id) OR (p.party_id = 0 AND b.supplier = p.address))::int8 AS anchored,
            h.batches AS h_batches, h.keys AS h_keys, h.frozen AS h_frozen, h.sold AS h_sold,
            count(*) OVER ()::int8 AS total
       FROM kt_parties p
       LEFT JOIN LATERAL (SELECT count(DISTINCT s.batch_no)::int8 AS batches, coalesce(sum(s.seg_end - s.seg_start), 0)::int8 AS keys,
                                 coalesce(sum(CASE WHEN s.frozen > 0 THEN s.seg_end - s.seg_start ELSE 0 END), 0)::int8 AS frozen,
                                 coalesce(sum(CASE WHEN s.sale_no > 0 AND NOT s.refunded THEN s.seg_end - s.seg_start ELSE 0 END), 0)::int8 AS sold
                            FROM kt_segments s WHERE s.holder = p.address AND s.to_block IS NULL) h ON true
      WHERE ${where.join(" AND ")}
      ORDER BY p.registered_block, p.registered_log_index LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  const redeemed = new Map<string, number>();
  if (rows.length) {
    const hits = await sql.query<{ holder: Address; seg_start: number; seg_end: number; word: number; mask: string }>(
      `SELECT s.holder, s.seg_start, s.seg_end, w.word, w.mask FROM kt_segments s
         JOIN kt_redemption_words w ON w.batch_no = s.batch_no AND w.to_block IS NULL AND w.word BETWEEN s.seg_start / 256 AND (s.seg_end - 1) / 256
        WHERE s.holder = ANY($1::text[]) AND s.to_block IS NULL`,
      [rows.map((r) => r.address)],
    );
    for (const h of hits) {
      const n = countRedeemed(new Map([[h.word, BigInt(h.mask)]]), h.seg_start, h.seg_end);
      redeemed.set(h.holder, (redeemed.get(h.holder) ?? 0) + n);
    }
  }
  return {
    total: rows[0]?.total ?? 0,
    items: rows.map((r) => ({
      address: r.address,
      id: r.party_id,
      kind: partyKindName(r.kind),
      profileHash: r.profile_hash,
      profileURI: r.profile_uri,
      accreditedUntil: Number(r.accredited_until),
      suspended: r.suspended,
      suspendedByRegulator: r.suspended_by_regulator,
      registered: { block: r.registered_block, timestamp: r.registered_time, tx: r.registered_tx },
      batchesAnchored: r.anchored,
      holdings: {
        batches: r.h_batches,
        keys: r.h_keys,
        frozen: r.h_frozen,
        redeemed: redeemed.get(r.address) ?? 0,
        sold: r.h_sold,
      },
    })),
  };
}
