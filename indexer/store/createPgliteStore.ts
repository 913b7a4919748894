import { mkdirSync } from "node:fs";
import { PGlite, types } from "@electric-sql/pglite";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import type { Row, Sql, Store, StoreInfo } from "./types.js";

const parsers = {
  [types.INT8]: (v: string) => Number(v),
  [types.NUMERIC]: (v: string) => v,
};

/**
 * Opens PGlite (PostgreSQL in WebAssembly) at `dataDir` (in memory when null).
 *
 * @param parameters.dataDir - folder of the database files, created when missing; null = in memory.
 * @param parameters.reason - why PGlite was chosen (kept in `info`).
 * @returns a {@link Store}.
 * @example
 * const store = await createPgliteStore({ dataDir: ".keytrail/db", reason: "DATABASE_URL is not set" });
 */
export async function createPgliteStore(parameters: { dataDir: string | null; reason: string }): Promise<Store> {
  if (parameters.dataDir) mkdirSync(parameters.dataDir, { recursive: true });
  const db = await PGlite.create(parameters.dataDir ?? undefined, { extensions: { btree_gist }, parsers });
  const info: StoreInfo = { kind: "pglite", dataDir: parameters.dataDir, reason: parameters.reason };
  const wrap = (q: Pick<PGlite, "query" | "exec">): Sql => ({
    async query<T extends Row>(text: string, params?: readonly unknown[]) {
      const r = await q.query<T>(text, params ? [...params] : undefined);
      return r.rows;
    },
    async exec(text: string) {
      await q.exec(text);
    },
  });
  const base = wrap(db);
  return {
    ...base,
    info,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
  };
}
