import { decodeEventLog, keccak256, toHex, zeroHash, type Hex } from "viem";
import { describe, expect, it } from "vitest";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { computeOrderRefHash } from "../../lib/sale/computeOrderRefHash.js";
import { computeReceiptCommitment } from "../../lib/sale/computeReceiptCommitment.js";
import { createReceiptSecret } from "../../lib/sale/createReceiptSecret.js";
import { SaleInputError } from "../../lib/sale/errors.js";
import { saleLeaf, type SaleItem } from "../../lib/sale/saleLeaf.js";
import { saleProof, saleRoot } from "../../lib/sale/saleTree.js";
import { anchorParamsV2, deployLedgerV2 } from "../contracts/helpersV2.js";

const batchId = keccak256(toHex("batch")) as Hex;

describe("receipt commitment and order reference", () => {
  it("binds the key: the same secret commits different keys differently", () => {
    const secret = createReceiptSecret();
    const a = computeReceiptCommitment({ batchId, index: 1, secret });
    const b = computeReceiptCommitment({ batchId, index: 2, secret });
    expect(a).not.toBe(b);
    expect(a).not.toBe(zeroHash);
    expect(computeReceiptCommitment({ batchId, index: 1n, secret })).toBe(a);
  });

  it("keys the order hash by the secret and normalises the typed reference", () => {
    const s1 = createReceiptSecret();
    const s2 = createReceiptSecret();
    expect(computeOrderRefHash({ orderReference: " TB-1 ", secret: s1 })).toBe(
      computeOrderRefHash({ orderReference: "TB-1", secret: s1 }),
    );
    expect(computeOrderRefHash({ orderReference: "TB-1", secret: s1 })).not.toBe(
      computeOrderRefHash({ orderReference: "TB-1", secret: s2 }),
    );
  });

  it("names bad input", () => {
    expect(() => computeReceiptCommitment({ batchId, index: 0, secret: "0x12" })).toThrow(SaleInputError);
    expect(() => computeReceiptCommitment({ batchId: "0x12", index: 0, secret: createReceiptSecret() })).toThrow(
      /batch id 0x12/,
    );
    expect(() => computeReceiptCommitment({ batchId, index: 2 ** 48, secret: createReceiptSecret() })).toThrow(/index/);
    expect(() => computeOrderRefHash({ orderReference: "  ", secret: createReceiptSecret() })).toThrow(/empty/);
  });
});

describe("sale tree against KeyLedgerV2", () => {
  it("root, leaves and proofs agree with the ledger's KeysSold, saleLeaf and verifyReceipt", async () => {
    const env = await deployLedgerV2();
    const { w, as, wait, addr } = env;
    const admin = as(w.admin);
    await wait(await admin.write.registerParty([addr(w.supplier), 1, zeroHash, "", 0n]));
    await wait(await admin.write.registerParty([addr(w.retail), 3, zeroHash, "", 0n]));
    const sup = as(w.supplier);
    await wait(await sup.write.anchorBatch([anchorParamsV2("receipts", 64n, { saleRequired: true })]));
    const id = await sup.read.batchIdOf([addr(w.supplier), "receipts"]);
    await wait(await sup.write.transfer([id, 0n, 64n, addr(w.retail), zeroHash]));
    for (const n of [1, 2, 3, 5, 7]) {
      const start = BigInt(n * 8);
      const items: (SaleItem & { secret: Hex })[] = Array.from({ length: n }, (_, k) => {
        const secret = createReceiptSecret();
        const index = start + BigInt(k);
        return {
          batchId: id,
          index,
          secret,
          commitment: computeReceiptCommitment({ batchId: id, index, secret }),
          orderRef: computeOrderRefHash({ orderReference: `order-${index}`, secret }),
        };
      });
      const receipt = await wait(
        await as(w.retail).write.sell([
          [
            {
              batchId: id,
              indices: items.map((it) => it.index),
              commitments: items.map((it) => it.commitment),
              orderRefs: items.map((it) => it.orderRef),
            },
          ],
          { store: zeroHash, terminal: zeroHash, amount: 100n, currency: toHex("CNY", { size: 3 }) },
        ]),
      );
      const sold = decodeEventLog({ abi: keyLedgerV2Abi, ...receipt.logs[0]!, strict: true });
      if (sold.eventName !== "KeysSold") throw new Error(`expected KeysSold, got ${sold.eventName}`);
      expect(sold.args.root).toBe(saleRoot(items));
      for (let p = 0; p < items.length; p++) {
        const it = items[p]!;
        expect(await sup.read.saleLeaf([id, it.index, it.commitment, it.orderRef])).toBe(saleLeaf(it));
        const proof = saleProof(items, p);
        expect(await sup.read.verifyReceipt([id, it.index, it.commitment, it.orderRef, proof])).toBe(true);
        // Another key's receipt, or this receipt with another key's proof, does not verify.
        const other = items[(p + 1) % items.length]!;
        if (other !== it) {
          expect(await sup.read.verifyReceipt([id, it.index, other.commitment, other.orderRef, proof])).toBe(false);
        }
      }
    }
  });
});
