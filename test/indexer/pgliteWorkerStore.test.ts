import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPgliteStore } from "../../indexer/store/createPgliteStore.js";
import { createPgliteWorkerStore } from "../../indexer/store/createPgliteWorkerStore.js";
import type { Store } from "../../indexer/store/types.js";
import { tempDirs } from "../helpers/tempDirs.js";

const temp = tempDirs("kt-pglite-worker-");
afterAll(temp.removeAll);
const tempDir = temp.make;

/** Timer ticks this thread saw while `work` ran (a store that blocks the thread lets none through). */
async function ticksDuring(work: () => Promise<unknown>): Promise<number> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return ticks;
}

/** A statement that keeps PGlite busy for a while (a few hundred ms on this machine). */
const HEAVY = "SELECT sum(i * i % 7) AS s FROM generate_series(1::int8, 1500000::int8) AS i";

describe("createPgliteWorkerStore: PGlite on a worker thread, same Store as in-process PGlite", () => {
  it("answers like createPgliteStore: int8 as numbers, numeric as strings, bytea as bytes, parameters, exec", async () => {
    const a = await createPgliteStore({ dataDir: null, reason: "test" });
    const b = await createPgliteWorkerStore({ dataDir: null, reason: "test" });
    try {
      const text =
        "SELECT $1::int8 AS big, $2::numeric AS n, $3::bytea AS b, $4::text AS t, ARRAY[1,2]::int4[] AS arr, NULL AS z";
      const params = [9_007_199_254_740_991n, "12345678901234567890.5", new Uint8Array([1, 2, 255]), "键"];
      const [ra, rb] = [await a.query(text, params), await b.query(text, params)];
      expect(rb).toEqual(ra);
      expect(rb[0]!.big).toBe(9_007_199_254_740_991);
      expect(rb[0]!.n).toBe("12345678901234567890.5");
      expect(rb[0]!.b).toEqual(new Uint8Array([1, 2, 255]));
      await b.exec("CREATE TABLE t (k int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'one');");
      expect(await b.query("SELECT v FROM t WHERE k = $1", [1])).toEqual([{ v: "one" }]);
      expect(b.info).toEqual({ kind: "pglite", dataDir: null, reason: "test" });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("keeps the database error's fields (code, constraint) that callers branch on", async () => {
    const s = await createPgliteWorkerStore({ dataDir: null, reason: "test" });
    try {
      await s.exec("CREATE TABLE u (k int CONSTRAINT u_pkey PRIMARY KEY)");
      await s.query("INSERT INTO u VALUES (1)");
      const e = (await s.query("INSERT INTO u VALUES (1)").catch((x: unknown) => x)) as Error & {
        code?: string;
        constraint?: string;
      };
      expect(e).toBeInstanceOf(Error);
      expect(e.message).toMatch(/duplicate key/);
      expect(e.code).toBe("23505");
      expect(e.constraint).toBe("u_pkey");
      await expect(s.query("SELECT * FROM no_such_table")).rejects.toThrow(/no_such_table/);
      // the store is still usable after errors
      expect(await s.query("SELECT count(*)::int8 AS c FROM u")).toEqual([{ c: 1 }]);
    } finally {
      await s.close();
    }
  });

  it("commits a transaction as one, rolls back on a throw (the caller's error comes back), and serialises other statements behind it", async () => {
    const s = await createPgliteWorkerStore({ dataDir: null, reason: "test" });
    try {
      await s.exec("CREATE TABLE a (k int PRIMARY KEY)");
      const order: string[] = [];
      const out = await s.transaction(async (tx) => {
        await tx.query("INSERT INTO a VALUES (1)");
        // a statement outside the transaction waits for it to end (as PGlite's own transaction does)
        const outside = s.query("SELECT count(*)::int8 AS c FROM a").then((r) => {
          order.push(`outside saw ${String(r[0]!.c)}`);
        });
        await tx.query("INSERT INTO a VALUES (2)");
        order.push("tx done");
        return { outside }; // not awaited here: it waits for this transaction to end
      });
      await out.outside;
      expect(order).toEqual(["tx done", "outside saw 2"]);

      const boom = new Error("caller's own failure");
      await expect(
        s.transaction(async (tx) => {
          await tx.query("INSERT INTO a VALUES (3)");
          throw boom;
        }),
      ).rejects.toBe(boom);
      await expect(
        s.transaction(async (tx) => {
          await tx.query("INSERT INTO a VALUES (4)");
          await tx.query("INSERT INTO a VALUES (1)"); // duplicate: the statement fails, all is rolled back
        }),
      ).rejects.toMatchObject({ code: "23505" });
      expect((await s.query("SELECT k FROM a ORDER BY k")).map((r) => r.k)).toEqual([1, 2]);
    } finally {
      await s.close();
    }
  });

  it("keeps the caller's event loop running while a long statement runs (in-process PGlite holds it)", async () => {
    const inProcess = await createPgliteStore({ dataDir: null, reason: "test" });
    const worker = await createPgliteWorkerStore({ dataDir: null, reason: "test" });
    try {
      const blocked = await ticksDuring(() => inProcess.query(HEAVY));
      const free = await ticksDuring(() => worker.query(HEAVY));
      expect(blocked).toBeLessThanOrEqual(1);
      expect(free).toBeGreaterThanOrEqual(5);
    } finally {
      await inProcess.close();
      await worker.close();
    }
  });

  it("persists in a folder: what one worker store wrote, the next one (and in-process PGlite) reads", async () => {
    const dir = join(tempDir(), "db");
    const w1 = await createPgliteWorkerStore({ dataDir: dir, reason: "test" });
    await w1.exec("CREATE TABLE p (k int); INSERT INTO p VALUES (7);");
    await w1.close();
    const w2 = await createPgliteWorkerStore({ dataDir: dir, reason: "test" });
    expect(await w2.query("SELECT k FROM p")).toEqual([{ k: 7 }]);
    await w2.close();
    const p = await createPgliteStore({ dataDir: dir, reason: "test" });
    expect(await p.query("SELECT k FROM p")).toEqual([{ k: 7 }]);
    await p.close();
  });

  it("a folder PGlite cannot open is an error naming the cause; a closed store refuses statements", async () => {
    const file = join(tempDir(), "not-a-folder");
    writeFileSync(file, "x");
    await expect(createPgliteWorkerStore({ dataDir: join(file, "db"), reason: "test" })).rejects.toThrow(
      /not-a-folder|ENOTDIR|EEXIST/,
    );
    const s: Store = await createPgliteWorkerStore({ dataDir: null, reason: "test" });
    await s.close();
    await expect(s.query("SELECT 1")).rejects.toThrow(/PGlite worker \(\(memory\)\) has stopped/);
  });
});
