/**
 * The read API keeps cheap routes ahead of heavy ones: statement lanes (a waiting cheap statement
 * enters the database before any waiting heavy one) and the cap on heavy requests (429 busy with
 * retry-after beyond it), on a real PGlite store.
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApiServer } from "../../indexer/api/createApiServer.js";
import { createQueryLanes } from "../../indexer/api/createQueryLanes.js";
import { getBatch } from "../../indexer/query/getBatch.js";
import type { Store } from "../../indexer/store/types.js";
import { openTestStore } from "./helpers/stores.js";

// Hold a heavy request on demand: the module's function, wrapped (it still reads the store).
vi.mock("../../indexer/query/getBatch.js", async (importOriginal) => {
  const real = await importOriginal<{ getBatch: typeof getBatch }>();
  return { getBatch: vi.fn(real.getBatch) };
});

let store: Store;
const servers: Server[] = [];
beforeAll(async () => {
  store = await openTestStore("pglite", null);
  await store.exec("CREATE SEQUENCE lane_order");
});
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  await store?.close();
});

describe("createQueryLanes", () => {
  it("a waiting cheap statement enters the database before every waiting heavy one", async () => {
    const lanes = createQueryLanes(store);
    const run = async (lane: "cheap" | "heavy", name: string) => {
      const [row] = await lanes[lane].query<{ n: number }>("SELECT nextval('lane_order')::int8 AS n");
      return { name, n: row!.n };
    };
    // h1 takes the only slot at once; c1 and c2 arrive after h2 and h3 but run before them.
    const done = await Promise.all([
      run("heavy", "h1"),
      run("heavy", "h2"),
      run("heavy", "h3"),
      run("cheap", "c1"),
      run("cheap", "c2"),
    ]);
    expect(done.sort((a, b) => a.n - b.n).map((d) => d.name)).toEqual(["h1", "c1", "c2", "h2", "h3"]);
    expect(lanes.waiting()).toEqual({ cheap: 0, heavy: 0 });
  });

  it("a failing statement rejects its caller only, and the lanes go on", async () => {
    const lanes = createQueryLanes(store);
    const bad = lanes.heavy.query("SELECT * FROM no_such_table");
    const good = lanes.cheap.query<{ x: number }>("SELECT 1::int8 AS x");
    await expect(bad).rejects.toThrow(/no_such_table/);
    expect(await good).toEqual([{ x: 1 }]);
    expect(await lanes.heavy.query<{ x: number }>("SELECT 2::int8 AS x")).toEqual([{ x: 2 }]);
  });

  it("refuses slot counts below 1, naming them", () => {
    expect(() => createQueryLanes(store, { maxInFlight: 0 })).toThrow(/maxInFlight \(0\)/);
    expect(() => createQueryLanes(store, { maxHeavyInFlight: 0 })).toThrow(/maxHeavyInFlight \(0\)/);
  });
});

describe("createApiServer: heavy requests capped", () => {
  const listen = async (options?: Parameters<typeof createApiServer>[1]) => {
    const server = createApiServer(store, options);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return async (path: string) => {
      const r = await fetch(`${base}${path}`);
      return { status: r.status, headers: r.headers, body: (await r.json()) as Record<string, unknown> };
    };
  };
  const batch = `0x${"ab".repeat(32)}`;
  const party = `0x${"cd".repeat(20)}`;

  it("beyond maxHeavy: 429 busy with retry-after; cheap routes still answer while the heavy one is held", async () => {
    const get = await listen({ maxHeavy: 1 });
    const real = vi.mocked(getBatch).getMockImplementation()!;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    vi.mocked(getBatch).mockImplementationOnce(async (...args) => (await gate, await real(...args)));
    const calls = vi.mocked(getBatch).mock.calls.length;
    const held = get(`/batches/${batch}`);
    await vi.waitFor(() => expect(vi.mocked(getBatch).mock.calls.length).toBe(calls + 1));
    for (const path of [`/batches/${batch}`, `/parties/${party}/holdings`, `/flows`, `/parties/${party}`]) {
      const r = await get(path);
      expect(r.status, path).toBe(429);
      expect(r.headers.get("retry-after"), path).toBe("1");
      expect(r.body.error, path).toMatchObject({ code: "busy" });
      expect(String((r.body.error as { message: string }).message)).toMatch(/at most 1/);
    }
    // Cheap routes are not capped.
    expect((await get("/status")).status).toBe(200);
    expect((await get(`/batches/${batch}/keys/0`)).status).toBe(404);
    expect((await get("/batches")).status).toBe(200);
    release();
    expect((await held).status).toBe(404);
    // The slot is free again; a bad parameter on a heavy route is still a 400 naming it.
    expect((await get(`/batches/${batch}`)).status).toBe(404);
    const bad = await get(`/batches/${batch}?limit=0`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("limit");
  });

  it("documents 429 on the heavy routes and refuses a cap below 1", async () => {
    const get = await listen();
    const doc = (await get("/openapi.json")).body as { paths: Record<string, { get: { responses: object } }> };
    expect(Object.keys(doc.paths["/batches/{id}"]!.get.responses)).toContain("429");
    expect(Object.keys(doc.paths["/status"]!.get.responses)).not.toContain("429");
    expect(() => createApiServer(store, { maxHeavy: 0 })).toThrow(/maxHeavy \(0\)/);
  });
});
