import { createPgliteStore } from "./createPgliteStore.js";
import { createPostgresStore } from "./createPostgresStore.js";
import { migrate } from "./migrate.js";
import type { Store } from "./types.js";

/** Where the store lives. */
export type OpenStoreParameters = {
  /** PostgreSQL connection string; when set, PostgreSQL is used. Defaults to nothing (callers pass `process.env.DATABASE_URL`). */
  databaseUrl?: string | undefined;
  /** PGlite folder (default `.keytrail/db`); null = in memory. */
  dataDir?: string | null | undefined;
  /** Called once with a line saying which store was chosen and why. */
  log?: ((line: string) => void) | undefined;
};

/**
 * Opens the indexer's store and brings its schema up to date: PostgreSQL when a database URL is
 * given, else PGlite. Logs which one and why.
 *
 * @param parameters - see {@link OpenStoreParameters}.
 * @returns the migrated {@link Store}.
 * @example
 * const store = await openStore({ databaseUrl: process.env.DATABASE_URL, log: console.error });
 */
export async function openStore(parameters: OpenStoreParameters = {}): Promise<Store> {
  const store = parameters.databaseUrl
    ? await createPostgresStore({ url: parameters.databaseUrl, reason: "DATABASE_URL is set" })
    : await createPgliteStore({
        dataDir: parameters.dataDir === undefined ? ".keytrail/db" : parameters.dataDir,
        reason: parameters.dataDir === null ? "in-memory store requested" : "DATABASE_URL is not set: embedded PGlite",
      });
  const i = store.info;
  parameters.log?.(
    i.kind === "postgres"
      ? `store: PostgreSQL at ${i.url} (${i.reason})`
      : `store: PGlite at ${i.dataDir ?? "(memory)"} (${i.reason})`,
  );
  await migrate(store);
  return store;
}
