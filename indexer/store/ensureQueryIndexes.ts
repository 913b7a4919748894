import { queryIndexes } from "./migrations.js";
import type { Sql } from "./types.js";

/**
 * Builds the read-side indexes if a backfill deferred them (no-op otherwise), refreshes planner
 * statistics (PGlite runs no autovacuum) and clears the flag.
 *
 * @param sql - the store (a transaction).
 * @returns whether indexes were built.
 * @example
 * await store.transaction((tx) => ensureQueryIndexes(tx));
 */
export async function ensureQueryIndexes(sql: Sql): Promise<boolean> {
  const r = await sql.query<{ value: string }>("SELECT value FROM kt_meta WHERE key = 'queryIndexes'");
  if (r[0]?.value !== "deferred") return false;
  await sql.exec("SET LOCAL maintenance_work_mem = '256MB'");
  for (const q of queryIndexes) await sql.exec(q);
  await sql.exec("ANALYZE kt_segments, kt_transfers, kt_batches, kt_redemption_words, kt_parties");
  await sql.query("UPDATE kt_meta SET value = 'present' WHERE key = 'queryIndexes'");
  return true;
}
