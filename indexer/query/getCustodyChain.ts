import type { Address, Hex } from "viem";
import type { ExportHop } from "../../lib/formats/export.js";
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
  /** Anchoring first, then every transfer whose range contains the key, in chain order. */
  hops: ExportHop[];
};

/** Why {@link getCustodyChain} found no chain. */
export type CustodyChainMiss = { missing: "batch" } | { missing: "index"; count: number };

type Raw = EventRow & {
  supplier: Address;
  count: number;
  hops: [number, number, Hex, number, Address, Address, number, number, Hex, boolean][] | null;
  seg: [Address, number] | null;
  mask: string | null;
};

/**
 * The custody chain of one key (supplier -> ... -> current holder), each hop with tx, block,
 * time and whether the recipient was authorised by the supplier at that time; plus the key's
 * current holder, frozen reason and redemption. One statement (GiST lookups on the key's index).
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
       (SELECT json_build_array(s.holder, s.frozen) FROM kt_segments s
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
    hops,
  };
}
