import { createPgliteStore } from "../../indexer/store/createPgliteStore.js";
import { createPostgresStore } from "../../indexer/store/createPostgresStore.js";
import type { Store } from "../../indexer/store/types.js";
import { GATEWAY_SCHEMA } from "./schema.js";

/** Where the gateway's store lives. */
export type OpenGatewayStoreParameters = {
  /** PostgreSQL connection string (DATABASE_URL); when set, PostgreSQL is used. */
  databaseUrl?: string | undefined;
  /** PGlite folder (default `.keytrail/gateway`); null = in memory. */
  dataDir?: string | null | undefined;
  /** Called once with a line saying which store was chosen and why (no password). */
  log?: ((line: string) => void) | undefined;
};

/**
 * Opens the gateway's store (PostgreSQL when a database URL is given, else PGlite in a folder) and
 * creates its tables when missing.
 *
 * @param parameters - see {@link OpenGatewayStoreParameters}.
 * @returns the store.
 * @example
 * const store = await openGatewayStore({ databaseUrl: process.env.DATABASE_URL, dataDir: ".keytrail/gateway" });
 */
export async function openGatewayStore(parameters: OpenGatewayStoreParameters = {}): Promise<Store> {
  const store = parameters.databaseUrl
    ? await createPostgresStore({ url: parameters.databaseUrl, reason: "DATABASE_URL is set", max: 8 })
    : await createPgliteStore({
        dataDir: parameters.dataDir === undefined ? ".keytrail/gateway" : parameters.dataDir,
        reason: parameters.dataDir === null ? "in-memory store requested" : "DATABASE_URL is not set: embedded PGlite",
      });
  const i = store.info;
  parameters.log?.(
    i.kind === "postgres"
      ? `store: PostgreSQL at ${i.url} (${i.reason})`
      : `store: PGlite at ${i.dataDir ?? "(memory)"} (${i.reason})`,
  );
  // replicas starting together on one PostgreSQL: one creates the tables, the others wait for it
  // (a multi-statement query runs as one transaction, so the lock is held to its end)
  await store.exec(
    i.kind === "postgres"
      ? `SELECT pg_advisory_xact_lock(hashtext('keytrail-gateway-schema'));\n${GATEWAY_SCHEMA}`
      : GATEWAY_SCHEMA,
  );
  return store;
}
