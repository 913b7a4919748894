import type { Hex } from "viem";
import type { Sql } from "./types.js";

/** The indexer's position: the last block whose effects are in the store. */
export type Cursor = { number: number; hash: Hex; timestamp: number };

/**
 * Reads the cursor (null before the first commit).
 *
 * @param sql - the store.
 * @returns the cursor, or null.
 * @example
 * const cursor = await readCursor(store);
 */
export async function readCursor(sql: Sql): Promise<Cursor | null> {
  const rows = await sql.query<{ block_number: number; block_hash: Hex; updated_block_time: number }>(
    "SELECT block_number, block_hash, updated_block_time FROM kt_cursor WHERE id = 1",
  );
  const r = rows[0];
  return r ? { number: r.block_number, hash: r.block_hash, timestamp: r.updated_block_time } : null;
}
