import type { Sql } from "./types.js";

/** What chain and ledger the store indexes. */
export type StoreMeta = { chainId: number; ledger: string; startBlock: number };

/**
 * Reads the chain id, ledger address and start block the store was created for (null when new).
 *
 * @param sql - the store.
 * @returns the meta, or null.
 * @example
 * const meta = await readMeta(store);
 */
export async function readMeta(sql: Sql): Promise<StoreMeta | null> {
  const rows = await sql.query<{ key: string; value: string }>("SELECT key, value FROM kt_meta");
  const m = new Map(rows.map((r) => [r.key, r.value]));
  const chainId = m.get("chainId");
  const ledger = m.get("ledger");
  const startBlock = m.get("startBlock");
  if (chainId === undefined || ledger === undefined || startBlock === undefined) return null;
  return { chainId: Number(chainId), ledger, startBlock: Number(startBlock) };
}
