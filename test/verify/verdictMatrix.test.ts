/**
 * The v2 verdict precedence of docs/FORMATS.md §8.1, cell by cell, with in-memory sources built from
 * lib/sale (the chain-backed versions of these verdicts are in chainV2.test.ts), and the receipt
 * hashes the verifier carries for the portal bundle against lib/sale's.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Address, Hex } from "viem";
import { makeBatch } from "./batch.js";
import { verifyPayload } from "../../lib/verify/verifyPayload.js";
import type { VerifyOptions } from "../../lib/verify/verifyPayload.js";
import type { SaleRecord, Verdict } from "../../lib/verify/types.js";
import { checkKeyStatus } from "../../lib/verify/checkKeyStatus.js";
import { keyStatusSchema } from "../../lib/schemas/keyStatus.js";
import { computeReceiptCommitment } from "../../lib/sale/computeReceiptCommitment.js";
import { computeOrderRefHash } from "../../lib/sale/computeOrderRefHash.js";
import { saleProof, saleRoot } from "../../lib/sale/saleTree.js";
import { orderRefHash, receiptCommitment, saleProofOf } from "../../lib/verify/internal/receipt.js";

const SUPPLIER: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const RETAILER: Address = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const STRANGER: Address = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const LEDGER: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const b = makeBatch({ supplier: SUPPLIER, ledger: LEDGER, chainId: 31337, label: "matrix", count: 8, shardSize: 8 });
const MINE = "0x0123456789abcdef0123456789abcdef" as Hex;
const OTHER = "0xfedcba9876543210fedcba9876543210" as Hex;
const INDEX = 3;

/** Sale 4 of the batch: keys 2, 3, 5, the key under test sold with secret MINE. */
function sale(): SaleRecord {
  const indices = [2, INDEX, 5];
  const secretOf = (i: number) => (i === INDEX ? MINE : (`0x${String(i).repeat(32)}` as Hex));
  const commitments = indices.map((i) =>
    computeReceiptCommitment({ batchId: b.batchId, index: i, secret: secretOf(i) }),
  );
  const orderRefs = indices.map((i) => computeOrderRefHash({ orderReference: `order ${i}`, secret: secretOf(i) }));
  const items = indices.map((i, k) => ({
    batchId: b.batchId,
    index: BigInt(i),
    commitment: commitments[k]!,
    orderRef: orderRefs[k]!,
  }));
  return {
    batchId: b.batchId,
    saleNo: 4,
    seller: RETAILER,
    root: saleRoot(items),
    soldAt: 1_790_000_000,
    store: `0x${"00".repeat(32)}`,
    terminal: `0x${"00".repeat(32)}`,
    amount: "10000",
    currency: "CNY",
    indices,
    commitments,
    orderRefs,
    tx: `0x${"7".repeat(64)}`,
    blockNumber: 9,
  };
}
const live = sale();

/** The ledger's verifyReceipt over the in-memory sale: true only for the live item with its proof. */
const confirmReceipt: VerifyOptions["confirmReceipt"] = async (q) => {
  const pos = live.indices.indexOf(q.index);
  const items = live.indices.map((i, k) => ({
    batchId: b.batchId,
    index: BigInt(i),
    commitment: live.commitments[k]!,
    orderRef: live.orderRefs[k]!,
  }));
  return (
    pos >= 0 &&
    q.commitment === live.commitments[pos] &&
    q.orderRef === live.orderRefs[pos] &&
    JSON.stringify(q.proof) === JSON.stringify(saleProof(items, pos))
  );
};

type Cell = {
  frozen: boolean;
  redeemed: boolean;
  sold: boolean;
  receipt: "none" | "mine" | "other";
  saleRequired: boolean;
  sellerMismatch: boolean;
};

/** The precedence, written independently of the implementation. */
function expected(c: Cell): Verdict {
  if (c.frozen) return "revoked";
  if (c.redeemed) return "redeemed";
  if (c.sold) return c.receipt === "mine" ? "sold-to-you" : "sold-to-another";
  if (c.saleRequired) return "not-yet-sold";
  if (c.sellerMismatch) return "holder-mismatch";
  return "genuine";
}

function optionsFor(c: Cell): VerifyOptions {
  return {
    expectedChainId: 31337,
    fetchStatus: async () =>
      b.status({
        holder: RETAILER,
        frozenReason: c.frozen ? "refunded" : "none",
        redeemed: c.redeemed,
        ledgerVersion: 2,
        saleRequired: c.saleRequired,
        issuerSuspended: false,
        frozenByRegulator: false,
        supplierReason: c.frozen ? "refunded" : "none",
        saleNo: c.sold ? 4 : 0,
        sold: c.sold,
        refunded: false,
      }),
    fetchSale: async (q) => {
      expect(q.saleNo).toBe(4);
      return live;
    },
    confirmReceipt,
    seller: c.sellerMismatch ? STRANGER : RETAILER,
  };
}

const cells: Cell[] = [];
for (const frozen of [false, true])
  for (const redeemed of [false, true])
    for (const sold of [false, true])
      for (const receipt of ["none", "mine", "other"] as const)
        for (const saleRequired of [false, true])
          for (const sellerMismatch of [false, true])
            cells.push({ frozen, redeemed, sold, receipt, saleRequired, sellerMismatch });

describe("verdict precedence (v2): revoked > redeemed > sold-to-another > sold-to-you > not-yet-sold > holder-mismatch > genuine", () => {
  it.each(cells.map((c) => [JSON.stringify(c), c] as const))("%s", async (_name, c) => {
    const secret = c.receipt === "mine" ? MINE : c.receipt === "other" ? OTHER : undefined;
    const link = b.full(INDEX, secret ? { receiptSecret: secret } : {});
    const r = await verifyPayload(link, optionsFor(c));
    expect(r.verdict).toBe(expected(c));
  });

  it("above them: malformed > wrong-chain > not-in-batch, whatever the key's sale", async () => {
    const worst: Cell = {
      frozen: true,
      redeemed: true,
      sold: true,
      receipt: "mine",
      saleRequired: true,
      sellerMismatch: true,
    };
    const link = b.full(INDEX, { receiptSecret: MINE });
    expect((await verifyPayload(`${link}x`, optionsFor(worst))).verdict).toBe("malformed");
    expect((await verifyPayload(link, { ...optionsFor(worst), expectedChainId: 1 })).verdict).toBe("wrong-chain");
    expect((await verifyPayload(link, { ...optionsFor(worst), key: { pin: "WRONG" } })).verdict).toBe("not-in-batch");
  });

  it("a v1 status (no ledgerVersion) ignores a link's receipt: today's verdicts, receipt not checked", async () => {
    const r = await verifyPayload(b.full(INDEX, { receiptSecret: MINE }), {
      expectedChainId: 31337,
      fetchStatus: async () => b.status(),
    });
    expect(r).toMatchObject({ verdict: "genuine", ledgerVersion: 1, receiptCheck: "not-checked" });
    expect(r.checks.find((x) => x.name === "receipt")).toMatchObject({ ok: null });
  });
});

describe("receipt hashes of the verifier (portal bundle) equal lib/sale's", () => {
  const hex = (n: number) =>
    fc.uint8Array({ minLength: n, maxLength: n }).map((x) => `0x${Buffer.from(x).toString("hex")}` as Hex);
  it("commitment, order-reference hash, sale proof and root (500 runs)", () => {
    fc.assert(
      fc.property(
        hex(32),
        hex(16),
        fc.integer({ min: 0, max: 2 ** 48 - 1 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(hex(32), hex(32)), { minLength: 1, maxLength: 9 }),
        (batchId, secret, index, ref, raw) => {
          expect(receiptCommitment(batchId, index, secret)).toBe(computeReceiptCommitment({ batchId, index, secret }));
          const usable = ref.normalize("NFC").trim().length > 0;
          expect(orderRefHash(ref, secret)).toBe(
            usable ? computeOrderRefHash({ orderReference: ref, secret }) : undefined,
          );
          const items = raw.map(([commitment, orderRef], k) => ({ index: index + k, commitment, orderRef }));
          const saleItems = items.map((it) => ({ ...it, batchId, index: BigInt(it.index) }));
          for (let p = 0; p < items.length; p++) {
            const mine = saleProofOf(batchId, items, p);
            expect(mine.proof).toEqual(saleProof(saleItems, p));
            expect(mine.root).toBe(saleRoot(saleItems));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("checkKeyStatus agrees with keyStatusSchema on the v2 fields", () => {
    const good = b.status({
      ledgerVersion: 2,
      saleRequired: true,
      issuerSuspended: false,
      frozenByRegulator: true,
      supplierReason: "refunded",
      saleNo: 3,
      sold: false,
      refunded: true,
      frozenReason: "refunded",
    });
    const variants: unknown[] = [
      good,
      { ...good, ledgerVersion: 3 },
      { ...good, saleRequired: 1 },
      { ...good, supplierReason: "lost" },
      { ...good, saleNo: -1 },
      { ...good, saleNo: 2 ** 32 },
      { ...good, saleNo: 1.5 },
      { ...good, sold: "yes" },
      { ...good, frozenReason: "refunded" },
      { ...good, saleTo: RETAILER },
      { ...good, saleRoot: live.root.slice(0, 50) },
      { ...good, saleRoot: live.root },
      { ...good, saleRoot: "0x1234" },
      { ...good, saleRoot: `0x${"g".repeat(48)}` },
      { ...good, saleRoot: 7 },
    ];
    for (const v of variants)
      expect(checkKeyStatus(v).length === 0, JSON.stringify(v)).toBe(keyStatusSchema.safeParse(v).success);
  });
});

describe("a status that proves its sale's root (saleRoot): the receipt is checked against it, without verifyReceipt", () => {
  const proven = (saleRootValue: Hex) =>
    b.status({
      holder: RETAILER,
      ledgerVersion: 2,
      saleRequired: true,
      issuerSuspended: false,
      frozenByRegulator: false,
      supplierReason: "none",
      saleNo: 4,
      sold: true,
      refunded: false,
      saleRoot: saleRootValue,
    });
  /** What the ledger stores and the proofs give: the first 24 bytes of the sale's root. */
  const stored = live.root.slice(0, 50) as Hex;
  /** A confirmReceipt that must not be asked (it would say yes to anything). */
  let asked = 0;
  const spy: VerifyOptions["confirmReceipt"] = async () => (asked++, true);
  const run = (status: ReturnType<typeof proven>, log: SaleRecord, secret: Hex) =>
    verifyPayload(b.full(INDEX, { receiptSecret: secret }), {
      expectedChainId: 31337,
      fetchStatus: async () => status,
      fetchSale: async () => log,
      confirmReceipt: spy,
    });

  it("the link's receipt in the log whose items fold to the proven root: sold to you; another link: sold to another", async () => {
    asked = 0;
    expect((await run(proven(stored), live, MINE)).verdict).toBe("sold-to-you");
    expect((await run(proven(stored), live, OTHER)).verdict).toBe("sold-to-another");
    expect(asked).toBe(0);
  });

  it("a forged log (the key's item swapped for the link's receipt, its root recomputed) is caught: cannot confirm, never sold to you", async () => {
    asked = 0;
    // A liar lists the holder of OTHER's link as the buyer: a self-consistent log that is not the chain's.
    const pos = live.indices.indexOf(INDEX);
    const commitments = [...live.commitments];
    const orderRefs = [...live.orderRefs];
    commitments[pos] = computeReceiptCommitment({ batchId: b.batchId, index: INDEX, secret: OTHER });
    orderRefs[pos] = computeOrderRefHash({ orderReference: "forged", secret: OTHER });
    const items = live.indices.map((i, k) => ({
      batchId: b.batchId,
      index: BigInt(i),
      commitment: commitments[k]!,
      orderRef: orderRefs[k]!,
    }));
    const forged: SaleRecord = { ...live, commitments, orderRefs, root: saleRoot(items) };
    const r = await run(proven(stored), forged, OTHER);
    expect(r.verdict).toBe("unreachable");
    expect(r.message).toMatch(/receipt was not checked/);
    expect(asked).toBe(0);
  });

  it("a log that is not the proven sale's (another root) is caught the same way", async () => {
    asked = 0;
    const r = await run(proven(`0x${"ab".repeat(24)}`), live, MINE);
    expect(r.verdict).toBe("unreachable");
    expect(asked).toBe(0);
  });
});
