import type { Address, Hex } from "viem";
import type { ExportFlow } from "../../lib/formats/export.js";
import type { Sql } from "../store/types.js";

/** Filters of {@link getFlows}; all optional. Times are Unix seconds, inclusive. */
export type FlowFilter = {
  from?: Address;
  to?: Address;
  party?: Address;
  batchId?: Hex;
  since?: number;
  until?: number;
  limit: number;
  /** Edges to skip (in the answer's order); default 0. */
  offset?: number | undefined;
};

/**
 * Custody flows between parties in a time window, aggregated per (from, to): number of transfer
 * events, keys moved, distinct batches, first and last block. Sorted by keys moved, descending.
 *
 * @param sql - the store.
 * @param filter - see {@link FlowFilter}.
 * @returns the edges of the flow graph.
 * @example
 * const flows = await getFlows(store, { party, since: 1790000000, limit: 100 });
 */
export async function getFlows(sql: Sql, filter: FlowFilter): Promise<ExportFlow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (cond: string, v: unknown) => {
    params.push(v);
    where.push(cond.replace("?", `$${params.length}`));
  };
  if (filter.from) add("from_addr = ?", filter.from.toLowerCase());
  if (filter.to) add("to_addr = ?", filter.to.toLowerCase());
  if (filter.party) {
    params.push(filter.party.toLowerCase());
    where.push(`(from_addr = $${params.length} OR to_addr = $${params.length})`);
  }
  if (filter.batchId)
    add("batch_no = (SELECT batch_no FROM kt_batches WHERE batch_id = ?)", filter.batchId.toLowerCase());
  if (filter.since !== undefined) add("timestamp >= ?", filter.since);
  if (filter.until !== undefined) add("timestamp <= ?", filter.until);
  params.push(filter.limit, filter.offset ?? 0);
  const rows = await sql.query<{
    from_addr: Address;
    to_addr: Address;
    transfers: number;
    keys: number;
    batches: number;
    first_block: number;
    last_block: number;
  }>(
    `SELECT from_addr, to_addr, count(*)::int8 AS transfers, sum(seg_end - seg_start)::int8 AS keys, count(DISTINCT batch_no)::int8 AS batches,
            min(block) AS first_block, max(block) AS last_block
       FROM kt_transfers ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      GROUP BY from_addr, to_addr ORDER BY keys DESC, from_addr, to_addr
      LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return rows.map((r) => ({
    from: r.from_addr,
    to: r.to_addr,
    transfers: r.transfers,
    keys: r.keys,
    batches: r.batches,
    firstBlock: r.first_block,
    lastBlock: r.last_block,
  }));
}
