import { mkdirSync } from "node:fs";
import { Worker } from "node:worker_threads";
import type { Row, Sql, Store, StoreInfo } from "./types.js";

/**
 * The worker's program, plain JavaScript run with `eval` (so the CLI's bundle needs no second entry
 * file): it opens PGlite with the same extensions and parsers as {@link createPgliteStore} and runs
 * the statements it is sent, one message per statement. A transaction stays open across messages:
 * `begin` enters PGlite's `transaction` and waits there for `end`, while its statements arrive tagged
 * with its id. The packages are imported by the URLs the main thread resolved.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const { PGlite, types } = await import(workerData.pgliteUrl);
  const { btree_gist } = await import(workerData.btreeGistUrl);
  const parsers = { [types.INT8]: (v) => Number(v), [types.NUMERIC]: (v) => v };
  let db;
  try {
    db = await PGlite.create(workerData.dataDir ?? undefined, { extensions: { btree_gist }, parsers });
  } catch (e) {
    parentPort.postMessage({ id: 0, error: toPlain(e) });
    return;
  }
  parentPort.postMessage({ id: 0, ok: true });
  const open = new Map();
  function toPlain(e) {
    const o = { message: String(e && e.message !== undefined ? e.message : e), name: e && e.name };
    if (e && typeof e === "object")
      for (const k of Object.keys(e)) {
        const v = e[k];
        if (v === null || ["string", "number", "boolean"].includes(typeof v)) o[k] = v;
      }
    return o;
  }
  parentPort.on("message", async (m) => {
    try {
      if (m.op === "begin") {
        const entry = { tx: null, end: null, pending: null, begun: false };
        const ended = new Promise((resolve) => (entry.end = resolve));
        open.set(m.tx, entry);
        entry.pending = db
          .transaction(async (tx) => {
            entry.tx = tx;
            entry.begun = true;
            parentPort.postMessage({ id: m.id, ok: true });
            if (!(await ended)) throw new Error("rolled back");
          })
          .finally(() => open.delete(m.tx));
        entry.pending.catch((e) => {
          if (!entry.begun) parentPort.postMessage({ id: m.id, error: toPlain(e) });
        });
        return;
      }
      if (m.op === "end") {
        const t = open.get(m.tx);
        const done = t.pending;
        t.end(m.commit);
        try {
          await done;
        } catch (e) {
          if (m.commit) throw e;
        }
        parentPort.postMessage({ id: m.id, ok: true });
        return;
      }
      if (m.op === "close") {
        await db.close();
        parentPort.postMessage({ id: m.id, ok: true });
        parentPort.close();
        return;
      }
      const q = m.tx === undefined ? db : open.get(m.tx).tx;
      if (m.op === "exec") {
        await q.exec(m.text);
        parentPort.postMessage({ id: m.id, ok: true });
      } else {
        const r = await q.query(m.text, m.params);
        parentPort.postMessage({ id: m.id, ok: true, rows: r.rows });
      }
    } catch (e) {
      parentPort.postMessage({ id: m.id, error: toPlain(e) });
    }
  });
})();
`;

/** An error from the worker, with the database error's own fields (`code`, `constraint`, …) kept. */
function fromPlain(plain: Record<string, unknown>): Error {
  const e = new Error(String(plain.message));
  Object.assign(e, plain);
  return e;
}

/**
 * Opens PGlite (PostgreSQL in WebAssembly) at `dataDir` on a worker thread of its own, so that its
 * statements (PGlite runs each one synchronously on the thread that owns it) never hold up the
 * caller's event loop: a long-running service (`keytrail gateway`, `keytrail serve`) keeps answering
 * HTTP while the database works, and the two use both cores. Same {@link Store} as
 * {@link createPgliteStore}: the same extensions, parsers and error fields (`code`, `constraint`);
 * rows cross the thread by structured clone. Statements still run one at a time, as on PGlite; a
 * transaction holds the database across messages until it ends, as PGlite's own does. The worker
 * keeps the process alive only while a statement is pending.
 *
 * @param parameters.dataDir - folder of the database files, created when missing; null = in memory.
 * @param parameters.reason - why PGlite was chosen (kept in `info`).
 * @returns a {@link Store}; `close()` closes the database and ends the worker.
 * @example
 * const store = await createPgliteWorkerStore({ dataDir: ".keytrail/gateway", reason: "DATABASE_URL is not set" });
 */
export async function createPgliteWorkerStore(parameters: { dataDir: string | null; reason: string }): Promise<Store> {
  if (parameters.dataDir) mkdirSync(parameters.dataDir, { recursive: true });
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      dataDir: parameters.dataDir,
      pgliteUrl: import.meta.resolve("@electric-sql/pglite"),
      btreeGistUrl: import.meta.resolve("@electric-sql/pglite/contrib/btree_gist"),
    },
  });
  type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let nextTx = 1;
  let failure: Error | null = null;
  const where = parameters.dataDir ?? "(memory)";

  const settleAll = (e: Error) => {
    failure = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on("message", (m: { id: number; ok?: true; rows?: Row[]; error?: Record<string, unknown> }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (pending.size === 0) worker.unref();
    if (m.error) p.reject(fromPlain(m.error));
    else p.resolve(m.rows);
  });
  worker.on("error", (e) => settleAll(new Error(`PGlite worker (${where}) failed: ${e.message}`, { cause: e })));
  worker.on("exit", (code) => settleAll(new Error(`PGlite worker (${where}) has stopped (exit code ${code}).`)));

  const call = <T>(message: Record<string, unknown>): Promise<T> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    worker.ref();
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...message, id });
    });
  };

  // message 0 is the worker's own: PGlite opened, or why not
  worker.ref();
  await new Promise((resolve, reject) => pending.set(0, { resolve, reject })).catch((e: unknown) => {
    void worker.terminate();
    throw e;
  });

  const sql = (tx: number | undefined): Sql => ({
    async query<T extends Row = Row>(text: string, params?: readonly unknown[]) {
      return await call<T[]>({ op: "query", text, params: params ? [...params] : undefined, tx });
    },
    async exec(text: string) {
      await call({ op: "exec", text, tx });
    },
  });
  const info: StoreInfo = { kind: "pglite", dataDir: parameters.dataDir, reason: parameters.reason };
  return {
    ...sql(undefined),
    info,
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      const tx = nextTx++;
      await call({ op: "begin", tx });
      let result: T;
      try {
        result = await fn(sql(tx));
      } catch (e) {
        await call({ op: "end", tx, commit: false }).catch(() => undefined);
        throw e;
      }
      await call({ op: "end", tx, commit: true });
      return result;
    },
    async close() {
      if (failure) return;
      await call({ op: "close" });
      await worker.terminate();
    },
  };
}
