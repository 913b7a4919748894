import pg from "pg";
import type { Row, Sql, Store, StoreInfo } from "./types.js";

const INT8 = 20;
const NUMERIC = 1700;

/** `postgres://user:secret@host/db` -> `postgres://user:***@host/db` (never log a password). */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://(unparsable URL)";
  }
}

/**
 * Connects to PostgreSQL (a pool of `max` connections).
 *
 * @param parameters.url - a `postgres://` connection string (DATABASE_URL).
 * @param parameters.reason - why PostgreSQL was chosen (kept in `info`).
 * @param parameters.max - pool size (default 4).
 * @returns a {@link Store}.
 * @example
 * const store = await createPostgresStore({ url: process.env.DATABASE_URL!, reason: "DATABASE_URL is set" });
 */
export async function createPostgresStore(parameters: { url: string; reason: string; max?: number }): Promise<Store> {
  const typeParsers = {
    getTypeParser(oid: number, format?: "text" | "binary") {
      if (oid === INT8) return (v: string) => Number(v);
      if (oid === NUMERIC) return (v: string) => v;
      return pg.types.getTypeParser(oid, format);
    },
  };
  const pool = new pg.Pool({
    connectionString: parameters.url,
    max: parameters.max ?? 4,
    types: typeParsers as pg.CustomTypesConfig,
  });
  pool.on("error", () => undefined); // idle-client errors surface on the next query
  const info: StoreInfo = { kind: "postgres", url: redact(parameters.url), reason: parameters.reason };
  const wrap = (q: pg.Pool | pg.PoolClient): Sql => ({
    async query<T extends Row>(text: string, params?: readonly unknown[]) {
      const r = await q.query(text, params ? [...params] : undefined);
      return r.rows as T[];
    },
    async exec(text: string) {
      await q.query(text);
    },
  });
  await pool.query("SELECT 1");
  return {
    ...wrap(pool),
    info,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const out = await fn(wrap(client));
        await client.query("COMMIT");
        return out;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
