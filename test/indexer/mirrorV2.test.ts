import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "viem";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { createIndexer } from "../../indexer/createIndexer.js";
import { deployLedgerChain, runScenario } from "./helpers/ledgerChain.js";
import { STORE_KINDS, openTestStore, startPostgres } from "./helpers/stores.js";
import type { TestPostgres } from "./helpers/stores.js";
import { forwardToProvider, serveRpc } from "./helpers/serveRpc.js";

let pg: TestPostgres | null = null;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

type SegRow = {
  seg_start: number;
  seg_end: number;
  holder: string;
  frozen: number;
  reg_reason: number;
  sup_reason: number;
  sale_no: number;
  refunded: boolean;
};

describe.each(STORE_KINDS)("KeyLedger v2 mirror on %s", (kind) => {
  it("every key's holder, freeze layers and sale state equal the ledger's keyStatus; re-keyed party moved", async () => {
    const chain = await deployLedgerChain();
    const run = await runScenario(chain, {
      seed: 21,
      steps: 160,
      itemsPerTx: 6,
      batchCount: 3,
      keysPerBatch: 600,
      rekeyAtStep: 70,
    });
    expect(run.ok).toBeGreaterThan(120);
    const rpc = await serveRpc({ forward: forwardToProvider(chain.provider) });
    const store = await openTestStore(kind, pg);
    try {
      await createIndexer({
        store,
        rpcUrls: [rpc.url],
        ledger: chain.ledger,
        startBlock: chain.deployBlock,
        chunk: { initialBlocks: 8, targetLogs: 40 },
      }).run();
      const read = <T>(functionName: string, args: readonly unknown[]) =>
        chain.publicClient.readContract({
          address: chain.ledger,
          abi: keyLedgerV2Abi,
          functionName: functionName as never,
          args: args as never,
        }) as Promise<T>;
      const seen = { sold: 0, refunded: 0, regulator: 0, supplier: 0 };
      for (const batchId of run.batches) {
        const segs = await store.query<SegRow>(
          `SELECT s.seg_start, s.seg_end, s.holder, s.frozen, s.reg_reason, s.sup_reason, s.sale_no, s.refunded
             FROM kt_segments s JOIN kt_batches b USING (batch_no)
            WHERE b.batch_id = $1 AND s.to_block IS NULL ORDER BY s.seg_start`,
          [batchId],
        );
        for (let i = 0, k = 0; i < 600; i++) {
          while (segs[k]!.seg_end <= i) k++;
          const s = segs[k]!;
          const st = await read<{
            holder: Address;
            frozenReason: number;
            frozenByRegulator: boolean;
            supplierReason: number;
            saleNo: number;
            sold: boolean;
            refunded: boolean;
          }>("keyStatus", [batchId, BigInt(i)]);
          const want = {
            holder: st.holder.toLowerCase(),
            frozen: st.frozenReason,
            byRegulator: st.frozenByRegulator,
            sup: st.supplierReason,
            saleNo: st.saleNo,
            refunded: st.refunded,
          };
          const got = {
            holder: s.holder,
            frozen: s.frozen,
            byRegulator: s.reg_reason !== 0,
            sup: s.sup_reason,
            saleNo: s.sale_no,
            refunded: s.refunded,
          };
          expect(got, `batch ${batchId} key ${i}`).toEqual(want);
          if (st.sold) seen.sold++;
          if (st.refunded) seen.refunded++;
          if (st.frozenByRegulator) seen.regulator++;
          if (st.supplierReason) seen.supplier++;
        }
      }
      // The scenario exercised what the mirror must follow.
      expect(seen.sold).toBeGreaterThan(0);
      expect(seen.refunded).toBeGreaterThan(0);
      expect(seen.regulator).toBeGreaterThan(0);
      expect(seen.supplier).toBeGreaterThan(0);

      // The re-key: the old account's party row is closed, the new one carries the same id.
      const { distributors, spare } = chain.parties;
      const rekeys = await store.query<{ old_addr: string; new_addr: string; party_id: number }>(
        "SELECT old_addr, new_addr, party_id FROM kt_rekeys",
      );
      expect(rekeys).toEqual([{ old_addr: distributors[2], new_addr: spare, party_id: expect.any(Number) }]);
      const [, id] = await read<[number, number]>("partyOf", [spare]);
      expect(rekeys[0]!.party_id).toBe(id);
      const current = await store.query<{ address: string; party_id: number }>(
        "SELECT address, party_id FROM kt_parties WHERE to_block IS NULL AND address = ANY($1::text[])",
        [[distributors[2], spare]],
      );
      expect(current).toEqual([{ address: spare, party_id: id }]);
      const oldHeld = await store.query<{ n: number }>(
        "SELECT count(*)::int4 AS n FROM kt_segments WHERE to_block IS NULL AND holder = $1",
        [distributors[2]],
      );
      expect(oldHeld[0]!.n).toBe(0);
      const auth = await store.query<{ supplier: string; distributor: string }>(
        "SELECT supplier, distributor FROM kt_authorizations WHERE to_block IS NULL AND distributor = ANY($1::text[])",
        [[distributors[2], spare]],
      );
      expect(auth).toEqual([{ supplier: chain.parties.suppliers[1], distributor: spare }]);
      const sales = await store.query<{ n: number }>("SELECT count(*)::int4 AS n FROM kt_sales");
      const logs = await chain.publicClient.getContractEvents({
        address: chain.ledger,
        abi: keyLedgerV2Abi,
        eventName: "KeysSold",
        fromBlock: BigInt(chain.deployBlock),
      });
      expect(sales[0]!.n).toBe(logs.length);
    } finally {
      await store.close();
      await rpc.close();
    }
  }, 240_000);
});
