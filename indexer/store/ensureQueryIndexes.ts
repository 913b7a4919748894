import { queryIndexes } from "./migrations.js";
import type { Sql } from "./types.js";

/**
 * Builds the read-side indexes if a backfill deferred them (no-op otherwise) and clears the flag.
 *
 * @param sql - the store (a transaction).
 * @returns whether indexes were built.
 * @example
 * await store.transaction((tx) => ensureQueryIndexes(tx));
 */
export async function ensureQueryIndexes(sql: Sql): Promise<boolean> {
  const r = await sql.query<{ value: string }>("SELECT value FROM kt_meta WHERE key = 'queryIndexes'");
  if (r[0]?.value !== "deferred") return false;
  for (const q of queryIndexes) await sql.exec(q);
  await sql.query("UPDATE kt_meta SET value = 'present' WHERE key = 'queryIndexes'");
  await sql.exec("ANALYZE");
  return true;
}
