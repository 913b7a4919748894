import { connectStore, type ConnectStoreParameters } from "./connectStore.js";
import { migrate } from "./migrate.js";
import type { Store } from "./types.js";

/** Where the store lives (default PGlite folder `.keytrail/db`). */
export type OpenStoreParameters = ConnectStoreParameters;

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
  const store = await connectStore(parameters, { dataDir: ".keytrail/db" });
  await migrate(store);
  return store;
}
