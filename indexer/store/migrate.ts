import { IndexerStoreMismatchError } from "../errors.js";
import { migrations } from "./migrations.js";
import type { Store } from "./types.js";

/**
 * Brings the schema up to date: creates `kt_schema_migrations` and applies every migration not
 * yet applied, each in its own transaction. Refuses a database newer than this code.
 *
 * @param store - the database.
 * @returns the schema version now in place.
 * @example
 * await migrate(store);
 */
export async function migrate(store: Store): Promise<number> {
  await store.exec(
    "CREATE TABLE IF NOT EXISTS kt_schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
  );
  const rows = await store.query<{ version: number }>("SELECT version FROM kt_schema_migrations ORDER BY version");
  const applied = new Set(rows.map((r) => r.version));
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  const newest = rows.length ? Math.max(...rows.map((r) => r.version)) : 0;
  if (newest > latest) {
    throw new IndexerStoreMismatchError(`Database schema version ${newest} is newer than this indexer's (${latest}).`, {
      details: "Upgrade KeyTrail, or point the indexer at another database.",
    });
  }
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    await store.transaction(async (tx) => {
      await tx.exec(m.sql);
      await tx.query("INSERT INTO kt_schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
    });
  }
  return latest;
}
