import type { OrderRow } from "./readOrders.js";

/** One transferMany call: consecutive rows with the same memo. */
export type Chunk = { index: number; rows: OrderRow[]; memo: string };

/**
 * Groups order rows, in file order, into chunks of at most `size` ranges; a chunk never mixes
 * memos (transferMany takes one memo per call). The plan depends only on the rows and `size`, so
 * a resumed run gets the same chunks.
 *
 * @param rows - the orders.
 * @param size - most ranges per transaction.
 * @returns the chunks.
 * @example
 * planChunks(rows, 50)
 */
export function planChunks(rows: readonly OrderRow[], size: number): Chunk[] {
  const chunks: Chunk[] = [];
  let cur: Chunk | undefined;
  for (const r of rows) {
    if (!cur || cur.rows.length >= size || cur.memo !== r.memo) {
      cur = { index: chunks.length, rows: [], memo: r.memo };
      chunks.push(cur);
    }
    cur.rows.push(r);
  }
  return chunks;
}
