import { createPgliteStore } from "./createPgliteStore.js";
import { createPgliteWorkerStore } from "./createPgliteWorkerStore.js";
import { createPostgresStore } from "./createPostgresStore.js";
import type { Store } from "./types.js";

/** Where a store lives (the indexer's and the gateway's alike). */
export type ConnectStoreParameters = {
  /** PostgreSQL connection string (DATABASE_URL); when set, PostgreSQL is used. */
  databaseUrl?: string | undefined;
  /** PGlite folder (default: the caller's); null = in memory. */
  dataDir?: string | null | undefined;
  /** Called once with a line saying which store was chosen and why (no password). */
  log?: ((line: string) => void) | undefined;
  /**
   * PGlite on a worker thread of its own (createPgliteWorkerStore), so its statements never hold up
   * this thread's event loop: for long-running services answering HTTP (`serve`, `gateway`). Default
   * false: a short command saves the thread's start-up. No effect on PostgreSQL.
   */
  worker?: boolean | undefined;
};

/**
 * Connects to a store without touching its schema: PostgreSQL when a database URL is given, else
 * PGlite in a folder (or in memory). Logs which one and why. The indexer (`openStore`) and the
 * gateway (`openGatewayStore`) each add their own schema step.
 *
 * @param parameters - see {@link ConnectStoreParameters}.
 * @param defaults - the PGlite folder when none is given, and the PostgreSQL pool size.
 * @returns the connected store.
 * @example
 * const store = await connectStore({ databaseUrl: process.env.DATABASE_URL }, { dataDir: ".keytrail/db" });
 */
export async function connectStore(
  parameters: ConnectStoreParameters,
  defaults: { dataDir: string; max?: number },
): Promise<Store> {
  const store = parameters.databaseUrl
    ? await createPostgresStore({
        url: parameters.databaseUrl,
        reason: "DATABASE_URL is set",
        ...(defaults.max === undefined ? {} : { max: defaults.max }),
      })
    : await (parameters.worker ? createPgliteWorkerStore : createPgliteStore)({
        dataDir: parameters.dataDir === undefined ? defaults.dataDir : parameters.dataDir,
        reason: parameters.dataDir === null ? "in-memory store requested" : "DATABASE_URL is not set: embedded PGlite",
      });
  const i = store.info;
  parameters.log?.(
    i.kind === "postgres"
      ? `store: PostgreSQL at ${i.url} (${i.reason})`
      : `store: PGlite at ${i.dataDir ?? "(memory)"}${parameters.worker ? " on a worker thread" : ""} (${i.reason})`,
  );
  return store;
}
