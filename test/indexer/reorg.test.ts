import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIndexer } from "../../indexer/createIndexer.js";
import type { IndexerEvent } from "../../indexer/createIndexer.js";
import { IndexerReorgTooDeepError } from "../../indexer/errors.js";
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

describe.each(STORE_KINDS)("reorgs on %s", (kind) => {
  it("rolls back to the common ancestor and re-applies the new branch (evm_snapshot / evm_revert, different transactions)", async () => {
    const chain = await deployLedgerChain();
    await runScenario(chain, { seed: 21, steps: 25, batchCount: 2, keysPerBatch: 4_000 });
    const rpc = await serveRpc({ forward: forwardToProvider(chain.provider) });
    const store = await openTestStore(kind, pg);
    const events: IndexerEvent[] = [];
    const indexer = () =>
      createIndexer({
        store,
        rpcUrls: [rpc.url],
        ledger: chain.ledger,
        startBlock: chain.deployBlock,
        finalityDepth: 200,
        onEvent: (e) => events.push(e),
      });
    try {
      await indexer().run();
      const snap = await chain.rpc<string>("evm_snapshot");
      const forkBase = Number(await chain.publicClient.getBlockNumber());
      await runScenario(chain, {
        seed: 22,
        steps: 25,
        setup: false,
        batchCount: 1,
        keysPerBatch: 2_000,
        labelPrefix: "old-branch",
      });
      const oldTip = await indexer().run();
      const oldDigest = (await getStateDigest(store))!.digest;
      expect(oldDigest).toBe((await replayDigest(chain)).digest);

      expect(await chain.rpc<boolean>("evm_revert", [snap])).toBe(true);
      await runScenario(chain, {
        seed: 23,
        steps: 30,
        setup: false,
        batchCount: 1,
        keysPerBatch: 3_000,
        labelPrefix: "new-branch",
      });
      await chain.rpc("hardhat_mine", ["0x3"]);
      const canonical = await replayDigest(chain);
      expect(canonical.digest).not.toBe(oldDigest);

      const cursor = await indexer().run();
      const reorg = events.find((e) => e.type === "reorg");
      expect(reorg).toBeDefined();
      if (reorg?.type === "reorg") {
        expect(reorg.oldCursor).toBe(oldTip.number);
        expect(reorg.ancestor).toBeLessThanOrEqual(forkBase);
      }
      expect(cursor.hash).toBe((await chain.publicClient.getBlock()).hash.toLowerCase());
      expect((await getStateDigest(store))!.digest).toBe(canonical.digest);
      // Nothing of the abandoned branch is left: no rows above the cursor, no old-branch batch.
      const stale = await store.query<{ n: number }>(
        "SELECT count(*)::int8 AS n FROM kt_batches WHERE label LIKE 'old-branch%'",
      );
      expect(stale[0]!.n).toBe(0);
    } finally {
      await store.close();
      await rpc.close();
    }
  });

  it("stops with a clear error on a reorg deeper than the finality depth, leaving the store as it was", async () => {
    const chain = await deployLedgerChain();
    await runScenario(chain, { seed: 31, steps: 5, batchCount: 1, keysPerBatch: 1_000 });
    const rpc = await serveRpc({ forward: forwardToProvider(chain.provider) });
    const store = await openTestStore(kind, pg);
    const indexer = () =>
      createIndexer({
        store,
        rpcUrls: [rpc.url],
        ledger: chain.ledger,
        startBlock: chain.deployBlock,
        finalityDepth: 3,
      });
    try {
      const snap = await chain.rpc<string>("evm_snapshot");
      await runScenario(chain, {
        seed: 32,
        steps: 12,
        setup: false,
        batchCount: 1,
        keysPerBatch: 1_000,
        labelPrefix: "doomed",
      });
      await indexer().run();
      const before = (await getStateDigest(store))!;
      await chain.rpc("evm_revert", [snap]);
      await runScenario(chain, {
        seed: 33,
        steps: 12,
        setup: false,
        batchCount: 1,
        keysPerBatch: 1_000,
        labelPrefix: "other",
      });
      const err = await indexer()
        .run()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IndexerReorgTooDeepError);
      expect((err as Error).message).toMatch(/deeper than the finality depth \(3\)/);
      expect((err as IndexerReorgTooDeepError).retryable).toBe(false);
      expect((await getStateDigest(store))!).toEqual(before);
    } finally {
      await store.close();
      await rpc.close();
    }
  });
});
