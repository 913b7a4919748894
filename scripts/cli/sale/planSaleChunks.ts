import type { SaleRow } from "./saleTypes.js";

/** One key to sell, with the row it comes from. */
export type SaleKey = { row: SaleRow; index: bigint };

/** One sell call: keys of rows sharing one sale context, at most N keys. */
export type SaleChunk = { index: number; keys: SaleKey[] };

/**
 * Splits sale orders, in file order, into sell calls of at most `size` keys. A call carries one
 * sale context, so a row whose context differs from the previous row's starts a new call. The
 * plan depends only on the rows and `size`, so a resumed run gets the same chunks.
 *
 * @param rows - the orders.
 * @param size - most keys per transaction.
 * @returns the chunks.
 * @example
 * planSaleChunks(rows, 100)
 */
export function planSaleChunks(rows: readonly SaleRow[], size: number): SaleChunk[] {
  const chunks: SaleChunk[] = [];
  let current: SaleKey[] = [];
  let context = "";
  const flush = () => {
    if (current.length > 0) chunks.push({ index: chunks.length, keys: current });
    current = [];
  };
  for (const row of rows) {
    const c = JSON.stringify(row.context, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    if (c !== context) flush();
    context = c;
    for (let i = row.start; i < row.end; i++) {
      if (current.length === size) flush();
      current.push({ row, index: i });
    }
  }
  flush();
  return chunks;
}
