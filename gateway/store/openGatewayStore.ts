import { connectStore, type ConnectStoreParameters } from "../../indexer/store/connectStore.js";
import type { Store } from "../../indexer/store/types.js";
import { GATEWAY_SCHEMA } from "./schema.js";

/** Where the gateway's store lives (default PGlite folder `.keytrail/gateway`). */
export type OpenGatewayStoreParameters = ConnectStoreParameters;

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
  const store = await connectStore(parameters, { dataDir: ".keytrail/gateway", max: 8 });
  // The outbox cannot be rebuilt from the chain (orders answered, not yet sent): say what PGlite keeps.
  if (store.info.kind === "pglite" && store.info.dataDir)
    parameters.log?.(
      "store: PGlite runs with fsync off: its commits survive a killed process (the OS keeps them), not a power " +
        "loss or an OS crash; set DATABASE_URL (PostgreSQL) where accepted orders must survive those",
    );
  // replicas starting together on one PostgreSQL: one creates the tables, the others wait for it
  // (a multi-statement query runs as one transaction, so the lock is held to its end)
  await store.exec(
    store.info.kind === "postgres"
      ? `SELECT pg_advisory_xact_lock(hashtext('keytrail-gateway-schema'));\n${GATEWAY_SCHEMA}`
      : GATEWAY_SCHEMA,
  );
  return store;
}
