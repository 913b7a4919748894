import type { StoreMeta } from "./readMeta.js";
import type { Sql } from "./types.js";

/**
 * Records the chain id, ledger address and start block the store indexes.
 *
 * @param sql - the store (a transaction).
 * @param meta - what to record.
 * @returns nothing.
 * @example
 * await writeMeta(tx, { chainId: 31337, ledger, startBlock: 1 });
 */
export async function writeMeta(sql: Sql, meta: StoreMeta): Promise<void> {
  await sql.query(
    "INSERT INTO kt_meta (key, value) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
    [
      ["chainId", "ledger", "startBlock"],
      [String(meta.chainId), meta.ledger.toLowerCase(), String(meta.startBlock)],
    ],
  );
}
