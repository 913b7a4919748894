import type { Sql } from "./types.js";

const VERSIONED = [
  "kt_parties",
  "kt_authorizations",
  "kt_redeemers",
  "kt_segments",
  "kt_redemption_words",
  "kt_rekey_proposals",
];
const HISTORY = [
  "kt_batches",
  "kt_transfers",
  "kt_revocations",
  "kt_redemptions",
  "kt_rekeys",
  "kt_sales",
  "kt_sale_ranges",
  "kt_sale_items",
  "kt_refunds",
];

/**
 * Rolls the store back to the end of block `ancestor`: row versions born later are deleted,
 * versions closed later become current again, history rows and blocks after it are deleted, and
 * the cursor moves to the ancestor. Call inside a transaction.
 *
 * @param sql - a transaction.
 * @param ancestor - the last block to keep (its row must be in kt_blocks).
 * @returns nothing.
 * @example
 * await store.transaction((tx) => rollbackStore(tx, { ancestor: { number: 120, hash, timestamp } }));
 */
export async function rollbackStore(
  sql: Sql,
  parameters: { ancestor: { number: number; hash: string; timestamp: number } },
): Promise<void> {
  const a = parameters.ancestor.number;
  for (const t of VERSIONED) {
    await sql.query(`DELETE FROM ${t} WHERE from_block > $1`, [a]);
    await sql.query(`UPDATE ${t} SET to_block = NULL WHERE to_block > $1`, [a]);
  }
  for (const t of HISTORY) await sql.query(`DELETE FROM ${t} WHERE block > $1`, [a]);
  await sql.query("DELETE FROM kt_blocks WHERE number > $1", [a]);
  await sql.query(
    `INSERT INTO kt_cursor (id, block_number, block_hash, updated_block_time) VALUES (1, $1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET block_number = EXCLUDED.block_number, block_hash = EXCLUDED.block_hash, updated_block_time = EXCLUDED.updated_block_time`,
    [a, parameters.ancestor.hash, parameters.ancestor.timestamp],
  );
}
