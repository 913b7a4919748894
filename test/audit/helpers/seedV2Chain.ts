import { keccak256, toBytes, toHex, zeroHash, type Address, type Hex } from "viem";
import { decodeLedgerLog } from "../../../lib/events/decodeLedgerLog.js";
import { computeOrderRefHash } from "../../../lib/sale/computeOrderRefHash.js";
import { computeReceiptCommitment } from "../../../lib/sale/computeReceiptCommitment.js";
import type { SaleItem } from "../../../lib/sale/saleLeaf.js";
import { saleProof } from "../../../lib/sale/saleTree.js";
import type { LedgerEvent } from "../../../lib/state/types.js";
import { anchorParamsV2, deployLedgerV2 } from "../../contracts/helpersV2.js";

/** The deployed v2 environment of {@link deployLedgerV2}. */
export type LedgerV2Env = Awaited<ReturnType<typeof deployLedgerV2>>;

/** One key sold in a test: its sale item plus the buyer's secret (test data only). */
export type SoldKey = SaleItem & { secret: Hex; orderReference: string };

/** Deterministic receipt secret for a test key (16 bytes), so runs reproduce. */
export const testSecret = (batchId: Hex, index: bigint, round = 0): Hex =>
  keccak256(toBytes(`secret:${batchId}:${index}:${round}`)).slice(0, 34) as Hex;

/**
 * Sells keys of one batch as `seller` in one `sell` call (one group) and returns the sold items,
 * positions matching the group's order (so `saleProof(items, p)` proves item p).
 */
export async function sellKeys(
  env: LedgerV2Env,
  seller: keyof LedgerV2Env["w"],
  batchId: Hex,
  indices: readonly bigint[],
  round = 0,
): Promise<SoldKey[]> {
  const items = indices.map((index): SoldKey => {
    const secret = testSecret(batchId, index, round);
    const orderReference = `order-${index}-${round}`;
    return {
      batchId,
      index,
      secret,
      orderReference,
      commitment: computeReceiptCommitment({ batchId, index, secret }),
      orderRef: computeOrderRefHash({ orderReference, secret }),
    };
  });
  await env.wait(
    await env.as(env.w[seller]).write.sell([
      [
        {
          batchId,
          indices: items.map((x) => x.index),
          commitments: items.map((x) => x.commitment),
          orderRefs: items.map((x) => x.orderRef),
        },
      ],
      {
        store: keccak256(toBytes("store 1")),
        terminal: keccak256(toBytes("till 3")),
        amount: 10_000n * BigInt(items.length),
        currency: toHex("CNY", { size: 3 }),
      },
    ]),
  );
  return items;
}

/** Refunds item `position` of a sale (by its seller) with the proof built from the sale's items. */
export async function refundKey(
  env: LedgerV2Env,
  seller: keyof LedgerV2Env["w"],
  items: readonly SoldKey[],
  position: number,
): Promise<void> {
  const it = items[position]!;
  await env.wait(
    await env
      .as(env.w[seller])
      .write.refund([it.batchId, it.index, it.commitment, it.orderRef, saleProof(items, position)]),
  );
}

/**
 * Every log of the ledger, decoded with lib/events' v2 decoder and completed with block time, in
 * chain order: the reducer's input, read straight from the node.
 */
export async function readLedgerEventsV2(env: LedgerV2Env): Promise<LedgerEvent[]> {
  const logs = await env.publicClient.getLogs({ address: env.address, fromBlock: 0n, toBlock: "latest" });
  const times = new Map<bigint, bigint>();
  const out: LedgerEvent[] = [];
  for (const l of logs) {
    const decoded = decodeLedgerLog({ topics: l.topics, data: l.data });
    if (!decoded) throw new Error(`log ${l.logIndex} of ${l.transactionHash} is not a v2 ledger event`);
    let timestamp = times.get(l.blockNumber);
    if (timestamp === undefined) {
      timestamp = (await env.publicClient.getBlock({ blockNumber: l.blockNumber })).timestamp;
      times.set(l.blockNumber, timestamp);
    }
    out.push({
      ...decoded,
      blockNumber: l.blockNumber,
      blockHash: l.blockHash,
      logIndex: l.logIndex,
      txHash: l.transactionHash,
      timestamp,
    });
  }
  return out;
}

/**
 * A v2 chain exercising every state change: parties with ids, authorisations, a redeemer, a
 * sale-required batch and a restricted one, transfers, both freeze layers (a supplier's reinstate
 * leaves the regulator's freeze), sales in runs, a refund and a re-sale, a redemption, suspensions
 * by a regulator and by the registrar, a confirmed re-key of the supplier and of the retailer, a
 * pending re-key proposal, a profile update and a deauthorisation after the re-key.
 */
export async function seedV2Chain() {
  const env = await deployLedgerV2();
  const { w, as, wait, addr } = env;
  const extra = (await env.viem.getWalletClients()).slice(8, 11);
  const [newSupplier, newRetail, pendingAccount] = extra.map((x) => x.account.address.toLowerCase() as Address);
  if (!newSupplier || !newRetail || !pendingAccount) throw new Error("the in-process network needs 11 accounts");
  const admin = as(w.admin);
  const reg = as(w.regulator);
  const sup = as(w.supplier);
  const now = (await env.publicClient.getBlock()).timestamp;
  await wait(await admin.write.registerParty([addr(w.supplier), 1, keccak256(toBytes("p1")), "ipfs://s", 0n]));
  await wait(await admin.write.registerParty([addr(w.dist), 2, keccak256(toBytes("p2")), "", now + 86_400n * 365n]));
  await wait(await admin.write.registerParty([addr(w.retail), 3, keccak256(toBytes("p3")), "", 0n]));
  await wait(await admin.write.registerParty([addr(w.supplier2), 1, zeroHash, "", 0n]));
  await wait(await sup.write.authorize([addr(w.dist), 2, 0n, keccak256(toBytes("cert d"))]));
  await wait(await sup.write.authorize([addr(w.retail), 1, now + 86_400n * 30n, keccak256(toBytes("cert r"))]));
  await wait(await sup.write.setRedeemer([addr(w.redeemer), true]));
  await wait(await sup.write.anchorBatch([anchorParamsV2("sale-req", 300n, { saleRequired: true })]));
  await wait(await sup.write.anchorBatch([anchorParamsV2("restricted", 100n, { restricted: true })]));
  const a = await sup.read.batchIdOf([addr(w.supplier), "sale-req"]);
  const b = await sup.read.batchIdOf([addr(w.supplier), "restricted"]);
  await wait(await sup.write.transfer([a, 0n, 200n, addr(w.dist), zeroHash]));
  await wait(await as(w.dist).write.transfer([a, 50n, 150n, addr(w.retail), keccak256(toBytes("memo"))]));
  await wait(await sup.write.transfer([b, 0n, 40n, addr(w.retail), zeroHash]));
  await wait(await sup.write.revoke([a, 10n, 20n, 1]));
  await wait(await reg.write.revoke([a, 15n, 30n, 2]));
  await wait(await sup.write.reinstate([a, 10n, 30n])); // lifts [10, 20) only: [15, 30) stays the regulator's
  await wait(await reg.write.revoke([a, 250n, 260n, 3]));
  await wait(await sup.write.revoke([a, 255n, 270n, 5]));
  await wait(await reg.write.reinstate([a, 250n, 258n])); // a regulator lifts both layers
  const sale1 = await sellKeys(env, "retail", a, [100n, 101n, 102n, 103n, 110n]);
  const sale2 = await sellKeys(env, "retail", b, [0n, 1n, 2n]);
  await refundKey(env, "retail", sale1, 2); // key 102: refunded, frozen Refunded (supplier layer)
  await wait(await sup.write.reinstate([a, 102n, 103n]));
  const sale3 = await sellKeys(env, "retail", a, [102n], 1);
  await wait(await as(w.redeemer).write.redeem([a, 0n, (1n << 100n) | (1n << 101n)]));
  await wait(await reg.write.suspendParty([addr(w.dist), keccak256(toBytes("investigation"))]));
  await wait(await admin.write.suspendParty([addr(w.supplier2), zeroHash]));
  await wait(await admin.write.suspendParty([addr(w.retail), zeroHash]));
  await wait(await admin.write.reinstateParty([addr(w.retail)]));
  await wait(await admin.write.proposeRekey([addr(w.supplier), newSupplier]));
  await wait(await reg.write.confirmRekey([addr(w.supplier), newSupplier]));
  await wait(await admin.write.proposeRekey([addr(w.retail), newRetail]));
  await wait(await reg.write.confirmRekey([addr(w.retail), newRetail]));
  await wait(await admin.write.proposeRekey([addr(w.dist), pendingAccount]));
  const supplierNow = as(extra[0]!);
  await wait(await supplierNow.write.revoke([b, 0n, 5n, 5]));
  await wait(await supplierNow.write.deauthorize([addr(w.dist)]));
  await wait(await admin.write.updateParty([addr(w.supplier2), keccak256(toBytes("p4")), "ipfs://s2", 5n]));
  return {
    env,
    batches: { a, b },
    sales: { sale1, sale2, sale3 },
    accounts: { newSupplier, newRetail, pendingAccount },
  };
}
