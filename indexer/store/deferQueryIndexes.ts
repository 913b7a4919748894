import { queryIndexes } from "./migrations.js";
import type { Sql } from "./types.js";

const names = queryIndexes.map((q) => /IF NOT EXISTS (\w+)/.exec(q)![1]!);

/**
 * Drops the read-side indexes for a long first backfill and records that in kt_meta, so that a
 * restart after a crash keeps deferring and builds them when it reaches the head.
 *
 * @param sql - the store (a transaction).
 * @returns nothing.
 * @example
 * await store.transaction((tx) => deferQueryIndexes(tx));
 */
export async function deferQueryIndexes(sql: Sql): Promise<void> {
  for (const n of names) await sql.exec(`DROP INDEX IF EXISTS ${n}`);
  await sql.query(
    "INSERT INTO kt_meta (key, value) VALUES ('queryIndexes', 'deferred') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
  );
}
