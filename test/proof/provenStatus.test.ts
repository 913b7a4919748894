import { numberToHex, toHex, zeroHash, type Hex } from "viem";
import { describe, expect, it } from "vitest";
import type { AgreedBlock } from "../../lib/proof/agreeOnBlock.js";
import { ProofError } from "../../lib/proof/errors.js";
import { readProvenKeyStatus, type GetProofResponse } from "../../lib/proof/readProvenKeyStatus.js";
import { computeOrderRefHash } from "../../lib/sale/computeOrderRefHash.js";
import { computeReceiptCommitment } from "../../lib/sale/computeReceiptCommitment.js";
import { createReceiptSecret } from "../../lib/sale/createReceiptSecret.js";
import { saleProof, saleRoot } from "../../lib/sale/saleTree.js";
import { anchorParamsV2, deployLedgerV2 } from "../contracts/helpersV2.js";
import { prng } from "../../scripts/util/prng.js";

describe("readProvenKeyStatus: KeyLedger v2 status from eth_getProof, checked against the state root", () => {
  it("equals keyStatus (eth_call) for every probed key of a fragmented, frozen, redeemed, sold batch", async () => {
    const env = await deployLedgerV2();
    const { w, as, wait, addr, publicClient, address } = env;
    const admin = as(w.admin);
    for (const [acct, kind] of [
      [w.supplier, 1],
      [w.dist, 2],
      [w.retail, 3],
    ] as const) {
      await wait(await admin.write.registerParty([addr(acct), kind, zeroHash, "", 0n]));
    }
    const sup = as(w.supplier);
    const COUNT = 300_000n;
    await wait(await sup.write.anchorBatch([anchorParamsV2("proven", COUNT, { saleRequired: true })]));
    const id = await sup.read.batchIdOf([addr(w.supplier), "proven"]);
    const rand = prng(7);
    // Fragment custody: supplier -> distributor -> retailer in many small ranges.
    await wait(await sup.write.transfer([id, 1_000n, 200_000n, addr(w.dist), zeroHash]));
    for (let k = 0; k < 40; k++) {
      const a = 1_000n + BigInt(Math.floor(rand() * 198_000));
      await wait(
        await as(w.dist).write.transfer([id, a, a + 1n + BigInt(Math.floor(rand() * 3)), addr(w.retail), zeroHash]),
      );
    }
    await wait(await as(w.dist).write.transfer([id, 150_000n, 150_100n, addr(w.retail), zeroHash]));
    // Freezes on both layers, a redemption, and sales with a refund.
    await wait(await as(w.regulator).write.revoke([id, 50_000n, 60_000n, 1]));
    await wait(await sup.write.revoke([id, 55_000n, 70_000n, 2]));
    await wait(await sup.write.revoke([id, 250_000n, 300_000n, 5]));
    const items = Array.from({ length: 5 }, (_, k) => {
      const secret = createReceiptSecret();
      const index = 150_010n + BigInt(k * 3);
      return {
        batchId: id,
        index,
        commitment: computeReceiptCommitment({ batchId: id, index, secret }),
        orderRef: computeOrderRefHash({ orderReference: `o${k}`, secret }),
      };
    });
    const ctx = { store: zeroHash, terminal: zeroHash, amount: 500n, currency: toHex("CNY", { size: 3 }) };
    await wait(
      await as(w.retail).write.sell([
        [
          {
            batchId: id,
            indices: items.map((i) => i.index),
            commitments: items.map((i) => i.commitment),
            orderRefs: items.map((i) => i.orderRef),
          },
        ],
        ctx,
      ]),
    );
    expect(await as(w.retail).read.saleOf([id, items[0]!.index])).toContain(saleRoot(items).slice(0, 50));
    const r = items[2]!;
    await wait(await as(w.retail).write.refund([id, r.index, r.commitment, r.orderRef, saleProof(items, 2)]));
    // Sale required: only sold keys redeem (the first two of the sale).
    const word = items[0]!.index >> 8n;
    const mask = (1n << (items[0]!.index & 255n)) | (1n << (items[1]!.index & 255n));
    expect(items[1]!.index >> 8n).toBe(word);
    await wait(await sup.write.redeem([id, word, mask]));

    const head = await publicClient.getBlock();
    const block: AgreedBlock = {
      number: head.number,
      hash: head.hash,
      stateRoot: head.stateRoot,
      timestamp: head.timestamp,
    };
    const fetchProof = async (slots: Hex[], n: bigint) =>
      (await publicClient.request({
        method: "eth_getProof" as never,
        params: [address, slots, numberToHex(n)] as never,
      })) as GetProofResponse;
    const probes = new Set<bigint>([
      0n,
      1n,
      2n,
      3n,
      999n,
      1_000n,
      1_001n,
      49_999n,
      50_000n,
      55_000n,
      59_999n,
      60_000n,
      69_999n,
      70_000n,
      150_000n,
      150_099n,
      150_100n,
      199_999n,
      200_000n,
      249_999n,
      250_000n,
      COUNT - 1n,
      ...items.map((i) => i.index),
      items[0]!.index + 1n,
    ]);
    for (let k = 0; k < 40; k++) probes.add(BigInt(Math.floor(rand() * Number(COUNT))));
    let maxRounds = 0;
    let maxSlots = 0;
    const roundsOf = new Map<bigint, number>();
    for (const index of probes) {
      const want = await sup.read.keyStatus([id, index]);
      const got = await readProvenKeyStatus({ ledger: address, batchId: id, index, block, fetchProof });
      maxRounds = Math.max(maxRounds, got.rounds);
      roundsOf.set(index, got.rounds);
      maxSlots = Math.max(maxSlots, got.slots);
      const label = `index ${index}`;
      expect({ label, ...pick(got) }).toEqual({
        label,
        root: want.root,
        supplier: want.supplier,
        issuerSuspended: want.issuerSuspended,
        count: want.count,
        expiresAt: want.expiresAt,
        restricted: want.restricted,
        saleRequired: want.saleRequired,
        holder: want.holder,
        segmentStart: want.segmentStart,
        segmentEnd: want.segmentEnd,
        frozenReason: want.frozenReason,
        frozenByRegulator: want.frozenByRegulator,
        supplierReason: want.supplierReason,
        redeemed: want.redeemed,
        saleNo: want.saleNo,
        sold: want.sold,
        refunded: want.refunded,
      });
    }
    // Rounds: first every slot the batch id and index name (batch record, the key's leaf and ancestor
    // words in all four maps, the redemption word); then one per level descended (2 levels for 300,000
    // keys) with the leaf found and the party records named; a sale record, then its seller.
    expect(maxRounds).toBeLessThanOrEqual(4);
    // A key whose boundaries lie in its own leaf or its ancestors: the first round, then the party records.
    for (const index of [0n, 1n, 2n, 3n, 999n])
      expect({ index, rounds: roundsOf.get(index) }).toEqual({ index, rounds: 2 });
    // A sold key: the sale record, then its seller's party record.
    expect(roundsOf.get(items[0]!.index)).toBe(3);
    console.log(`proven status: ${probes.size} keys, at most ${maxRounds} proof rounds and ${maxSlots} slots per key`);

    // An unknown batch is proven absent; an index past the count is out of range.
    const unknown = await readProvenKeyStatus({
      ledger: address,
      batchId: `0x${"11".repeat(32)}`,
      index: 0n,
      block,
      fetchProof,
    });
    expect(unknown.exists).toBe(false);
    const past = await readProvenKeyStatus({ ledger: address, batchId: id, index: COUNT, block, fetchProof });
    expect(past.outOfRange).toBe(true);

    // A lying proof source cannot change the answer: it can only fail.
    const lying = async (slots: Hex[], n: bigint) => {
      const p = await fetchProof(slots, n);
      for (const sp of p.storageProof) sp.value = "0x2";
      const last = p.storageProof[0]!.proof.length - 1;
      const node = p.storageProof[0]!.proof[last]!;
      p.storageProof[0]!.proof[last] = `${node.slice(0, -2)}${node.endsWith("0") ? "1" : "0"}` as Hex;
      return p;
    };
    await expect(
      readProvenKeyStatus({ ledger: address, batchId: id, index: 5n, block, fetchProof: lying }),
    ).rejects.toThrow(ProofError);
    const dropped = async (slots: Hex[], n: bigint) => {
      const p = await fetchProof(slots, n);
      p.storageProof = p.storageProof.slice(1);
      return p;
    };
    await expect(
      readProvenKeyStatus({ ledger: address, batchId: id, index: 5n, block, fetchProof: dropped }),
    ).rejects.toThrow(/left out slot/);
  }, 240_000);
});

function pick(s: Awaited<ReturnType<typeof readProvenKeyStatus>>) {
  return {
    root: s.root,
    supplier: s.supplier,
    issuerSuspended: s.issuerSuspended,
    count: s.count,
    expiresAt: s.expiresAt,
    restricted: s.restricted,
    saleRequired: s.saleRequired,
    holder: s.holder,
    segmentStart: s.segmentStart,
    segmentEnd: s.segmentEnd,
    frozenReason: s.regulatorReason !== 0 ? s.regulatorReason : s.supplierReason,
    frozenByRegulator: s.regulatorReason !== 0,
    supplierReason: s.supplierReason,
    redeemed: s.redeemed,
    saleNo: s.saleNo,
    sold: s.sold,
    refunded: s.refunded,
  };
}
