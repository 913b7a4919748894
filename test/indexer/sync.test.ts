import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIndexer } from "../../indexer/createIndexer.js";
import type { IndexerEvent } from "../../indexer/createIndexer.js";
import { getStateDigest } from "../../indexer/query/getStateDigest.js";
import { deployLedgerChain, replayDigest, runScenario } from "./helpers/ledgerChain.js";
import { forwardToProvider, serveRpc } from "./helpers/serveRpc.js";
import { STORE_KINDS, openTestStore, startPostgres } from "./helpers/stores.js";
import type { TestPostgres } from "./helpers/stores.js";

let pg: TestPostgres | null = null;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

describe.each(STORE_KINDS)("sync on %s", (kind) => {
  it("backfills in adaptive chunks, then indexes new blocks incrementally; digest equals a replay of the chain", async () => {
    const chain = await deployLedgerChain();
    await runScenario(chain, { seed: 11, steps: 60, itemsPerTx: 10, batchCount: 3, keysPerBatch: 5_000 });
    const rpc = await serveRpc({ forward: forwardToProvider(chain.provider) });
    const store = await openTestStore(kind, pg);
    const events: IndexerEvent[] = [];
    try {
      const indexer = createIndexer({
        store,
        rpcUrls: [rpc.url],
        ledger: chain.ledger,
        startBlock: chain.deployBlock,
        chunk: { initialBlocks: 4, targetLogs: 40 },
        onEvent: (e) => events.push(e),
      });
      const c1 = await indexer.run();
      const r1 = await replayDigest(chain, c1.number);
      expect(r1.events).toBeGreaterThan(100);
      expect((await getStateDigest(store))!.digest).toBe(r1.digest);
      // Several ranges, and the chunk size moved both ways.
      expect(events.filter((e) => e.type === "range").length).toBeGreaterThan(3);
      expect(events.some((e) => e.type === "chunk" && e.reason === "cheap")).toBe(true);
      expect(events.some((e) => e.type === "chunk" && e.reason === "busy")).toBe(true);

      await runScenario(chain, { seed: 12, steps: 30, setup: false, batchCount: 1, keysPerBatch: 3_000 });
      const c2 = await createIndexer({
        store,
        rpcUrls: [rpc.url],
        ledger: chain.ledger,
        startBlock: chain.deployBlock,
      }).run();
      expect(c2.number).toBeGreaterThan(c1.number);
      const r2 = await replayDigest(chain, c2.number);
      expect((await getStateDigest(store))!.digest).toBe(r2.digest);
      // The digest at an earlier block still answers from the versioned rows.
      expect((await getStateDigest(store, { block: c1.number }))!.digest).toBe(r1.digest);
    } finally {
      await store.close();
      await rpc.close();
    }
  });

  it("two indexers on one store: the second writer stops with a clear error, the state stays right", async () => {
    const chain = await deployLedgerChain();
    await runScenario(chain, { seed: 13, steps: 30, batchCount: 1, keysPerBatch: 2_000 });
    const rpc = await serveRpc({ forward: forwardToProvider(chain.provider) });
    const store = await openTestStore(kind, pg);
    try {
      const make = () =>
        createIndexer({
          store,
          rpcUrls: [rpc.url],
          ledger: chain.ledger,
          startBlock: chain.deployBlock,
          chunk: { initialBlocks: 1, maxBlocks: 1 },
          deferIndexesMinBlocks: 0,
        });
      await make().run({ untilBlock: chain.deployBlock + 1 });
      const results = await Promise.allSettled([make().run(), make().run()]);
      const failed = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
      expect(failed.length).toBe(1);
      expect(String(failed[0]!.reason)).toMatch(/another indexer writes to this store/);
      const head = Number(await chain.publicClient.getBlockNumber());
      expect((await getStateDigest(store))!).toEqual({ block: head, digest: (await replayDigest(chain, head)).digest });
    } finally {
      await store.close();
      await rpc.close();
    }
  });

  it("refuses a store that indexes another ledger", async () => {
    const chain = await deployLedgerChain();
    const rpc = await serveRpc({ forward: forwardToProvider(chain.provider) });
    const store = await openTestStore(kind, pg);
    try {
      await createIndexer({ store, rpcUrls: [rpc.url], ledger: chain.ledger, startBlock: chain.deployBlock }).run();
      const other = `0x${"12".repeat(20)}` as const;
      await expect(
        createIndexer({ store, rpcUrls: [rpc.url], ledger: other, startBlock: chain.deployBlock }).run(),
      ).rejects.toThrow(/The store indexes ledger/);
    } finally {
      await store.close();
      await rpc.close();
    }
  });
});
