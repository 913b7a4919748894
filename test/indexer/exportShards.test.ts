import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeFunctionData } from "viem";
import type { Address, Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import type { ExportBatchDetail, ExportCustodyShard, ExportPartyDetail } from "../../lib/formats/export.js";
import { saleProof } from "../../lib/sale/saleTree.js";
import type { SaleItem } from "../../lib/sale/saleLeaf.js";
import { createIndexer } from "../../indexer/createIndexer.js";
import { buildCustody } from "../../indexer/export/buildCustody.js";
import { writeExport } from "../../indexer/export/writeExport.js";
import { getCustodyChain } from "../../indexer/query/getCustodyChain.js";
import type { CustodyChain } from "../../indexer/query/getCustodyChain.js";
import type { Store } from "../../indexer/store/types.js";
import { deployLedgerChain } from "./helpers/ledgerChain.js";
import type { LedgerChain } from "./helpers/ledgerChain.js";
import { forwardToProvider, serveRpc } from "./helpers/serveRpc.js";
import { openTestStore } from "./helpers/stores.js";

const COUNT = 20_000;
/** Single-key transfers: every 5th key goes to the distributor, so custody has ~8,000 segments. */
const STRIDE = 5;
const PER_TX = 100;

let chain: LedgerChain;
let store: Store;
let rpcClose: () => Promise<void>;
let batchId: Hex;

beforeAll(async () => {
  chain = await deployLedgerChain();
  const { admin, suppliers, distributors, retailers, regulator, spare } = chain.parties;
  const [supplier, dist] = [suppliers[0]!, distributors[0]!];
  const send = async (from: Address, functionName: string, args: readonly unknown[]) => {
    const data = encodeFunctionData({ abi: keyLedgerV2Abi, functionName: functionName as never, args: args as never });
    await chain.rpc("eth_sendTransaction", [{ from, to: chain.ledger, data, gas: "0xf42400" }]);
  };
  await send(admin, "registerParty", [supplier, 1, `0x${"11".repeat(32)}`, "", 0n]);
  await send(admin, "registerParty", [dist, 2, `0x${"22".repeat(32)}`, "", 0n]);
  await send(admin, "registerParty", [retailers[0]!, 3, `0x${"33".repeat(32)}`, "", 0n]);
  await send(supplier, "anchorBatch", [
    {
      label: "fragmented",
      root: `0x${"ab".repeat(32)}`,
      count: BigInt(COUNT),
      productId: `0x${"0".repeat(50)}06901234567892`,
      faceValue: 10_000n,
      currency: "0x434e59",
      expiresAt: 0n,
      restricted: false,
      saleRequired: false,
      manifestHash: `0x${"fe".repeat(32)}`,
      manifestURI: "https://cdn.example.org/fragmented/manifest.json",
    },
  ]);
  batchId = (await chain.publicClient.readContract({
    address: chain.ledger,
    abi: keyLedgerV2Abi,
    functionName: "batchIdOf",
    args: [supplier, "fragmented"],
  })) as Hex;
  const items: { batchId: Hex; start: bigint; end: bigint; to: Address }[] = [];
  for (let i = 0; i < COUNT; i += STRIDE) items.push({ batchId, start: BigInt(i), end: BigInt(i + 1), to: dist });
  for (let k = 0; k < items.length; k += PER_TX)
    await send(supplier, "transferMany", [items.slice(k, k + PER_TX), `0x${k.toString(16).padStart(64, "0")}`]);
  // Key 9,001 (in stock at the supplier) is sold, refunded; key 9,002 sold and kept.
  const sale: SaleItem[] = [9_001n, 9_002n].map((index, i) => ({
    batchId,
    index,
    commitment: `0x${(i + 1).toString(16).padStart(64, "c")}`,
    orderRef: `0x${(i + 1).toString(16).padStart(64, "0")}`,
  }));
  await send(supplier, "sell", [
    [
      {
        batchId,
        indices: sale.map((x) => x.index),
        commitments: sale.map((x) => x.commitment),
        orderRefs: sale.map((x) => x.orderRef),
      },
    ],
    { store: `0x${"5a".repeat(32)}`, terminal: `0x${"7e".repeat(32)}`, amount: 999n, currency: "0x434e59" },
  ]);
  const s0 = sale[0]!;
  await send(supplier, "refund", [batchId, s0.index, s0.commitment, s0.orderRef, saleProof(sale, 0)]);
  // The distributor's account is re-keyed.
  await send(admin, "proposeRekey", [dist, spare]);
  await send(regulator, "confirmRekey", [dist, spare]);
  const rpc = await serveRpc({ forward: forwardToProvider(chain.provider) });
  rpcClose = rpc.close;
  store = await openTestStore("pglite", null);
  await createIndexer({ store, rpcUrls: [rpc.url], ledger: chain.ledger, startBlock: chain.deployBlock }).run();
}, 300_000);

afterAll(async () => {
  await store?.close();
  await rpcClose?.();
});

describe("export with split custody (KeyLedger v2)", () => {
  it("a fragmented batch: a verify page's custody download is one small shard, with the key's sales and refunds", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "kt-shards-")), "export");
    const r = await writeExport(store, { dir });
    const batch = JSON.parse(readFileSync(join(dir, "batches", `${batchId}.json`), "utf8")) as ExportBatchDetail;
    expect(batch.custodyShardSize).toBe(4096);
    expect(batch.counts.sold).toBe(1);
    expect(batch.sales).toBe(1);
    const shardFiles = readdirSync(join(dir, "batches", batchId, "custody")).sort();
    expect(shardFiles).toEqual(["0.json", "1.json", "2.json", "3.json", "4.json"]);
    expect(r.custodyShards).toBe(5);

    // Before: the whole batch's custody (what a verify page downloaded); after: the key's shard.
    const whole = Buffer.byteLength(`${JSON.stringify(await buildCustody(store, { batchId }))}\n`);
    const shardPath = join(dir, "batches", batchId, "custody", `${Math.floor(9_002 / 4096)}.json`);
    const shardBytes = readFileSync(shardPath).length;
    console.info(
      `custody download for key 9002 of a ${COUNT}-key batch in ${COUNT / STRIDE} single-key transfers: ` +
        `whole batch ${whole} bytes, its shard ${shardBytes} bytes (${(whole / shardBytes).toFixed(1)}x smaller)`,
    );
    expect(whole).toBeGreaterThan(256 * 1024); // too large for the compatibility file...
    expect(readdirSync(join(dir, "batches", batchId))).toEqual(["custody"]); // ...so it is not written
    expect(shardBytes * 4).toBeLessThan(whole);

    // Every key of every shard: its interval's hops are the custody chain's; sales and refunds match.
    for (const name of shardFiles) {
      const shard = JSON.parse(
        readFileSync(join(dir, "batches", batchId, "custody", name), "utf8"),
      ) as ExportCustodyShard;
      expect(shard.intervals[0]!.start).toBe(shard.start);
      expect(shard.intervals[shard.intervals.length - 1]!.end).toBe(shard.end);
      for (const index of [shard.start, shard.start + 1, shard.start + 5, shard.end - 1, 9_001, 9_002]) {
        if (index < shard.start || index >= shard.end) continue;
        const c = (await getCustodyChain(store, { batchId, index })) as CustodyChain;
        const iv = shard.intervals.find((x) => x.start <= index && index < x.end)!;
        expect(iv.hops.map((h) => shard.events[h]!.checkpoint)).toEqual(c.hops.map((h) => h.checkpoint));
        expect(iv.holder).toBe(c.holder);
        const sales = shard.sales.filter((x) => x.start <= index && index < x.end).map((x) => x.sale);
        expect(sales).toEqual(c.sales);
      }
    }
    const c9001 = (await getCustodyChain(store, { batchId, index: 9_001 })) as CustodyChain;
    expect(c9001.sales).toHaveLength(1);
    expect(c9001.sales[0]!.refunded).not.toBeNull();
    expect(c9001.frozen).toBe("refunded");
    expect(c9001.sold).toBe(false);
    const c9002 = (await getCustodyChain(store, { batchId, index: 9_002 })) as CustodyChain;
    expect(c9002.sales[0]).toMatchObject({ saleNo: 1, seller: chain.parties.suppliers[0], refunded: null });
    expect(c9002.sold).toBe(true);

    // Re-key: the distributor's holdings and history moved to the new account.
    const party = JSON.parse(
      readFileSync(join(dir, "parties", `${chain.parties.spare}.json`), "utf8"),
    ) as ExportPartyDetail;
    expect(party.rekeys).toEqual([
      expect.objectContaining({ from: chain.parties.distributors[0], to: chain.parties.spare }),
    ]);
    expect(party.holdings).toMatchObject({ batches: 1, keys: COUNT / STRIDE, sold: 0 });
    const supplier = JSON.parse(
      readFileSync(join(dir, "parties", `${chain.parties.suppliers[0]}.json`), "utf8"),
    ) as ExportPartyDetail;
    expect(supplier.holdingsByBatch[0]).toMatchObject({ keys: COUNT - COUNT / STRIDE, sold: 1 });
  }, 120_000);
});
