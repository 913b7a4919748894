import { keccak256, toHex, zeroHash, type Hex } from "viem";
import { memoHash } from "../parse/memoHash.js";
import type { OrderRow } from "./readOrders.js";

/** One transferMany call: up to N consecutive rows, and the one memo hash the call carries. */
export type Chunk = { index: number; rows: OrderRow[]; memo: Hex };

/**
 * Groups order rows, in file order, into chunks of at most `size` ranges (one transferMany each).
 * transferMany carries one bytes32 memo per call: when a chunk's rows share a memo text it is
 * keccak256 of that text (as for a single transfer); when they differ it is keccak256 of the rows'
 * memo texts joined by "\n" in file order, so each row's memo can still be proven from the file.
 * The plan depends only on the rows and `size`, so a resumed run gets the same chunks.
 *
 * @param rows - the orders.
 * @param size - most ranges per transaction.
 * @returns the chunks.
 * @example
 * planChunks(rows, 50)
 */
export function planChunks(rows: readonly OrderRow[], size: number): Chunk[] {
  const chunks: Chunk[] = [];
  for (let i = 0; i < rows.length; i += size) {
    const part = rows.slice(i, i + size);
    const texts = part.map((r) => r.memo);
    const memo = texts.every((t) => t === texts[0])
      ? memoHash(texts[0])
      : texts.every((t) => t === "")
        ? zeroHash
        : keccak256(toHex(texts.join("\n")));
    chunks.push({ index: chunks.length, rows: part, memo });
  }
  return chunks;
}
