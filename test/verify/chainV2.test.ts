/**
 * verifyPayload against KeyLedgerV2 on the in-process Hardhat network: the ledger version is
 * detected, keyStatus v2 is read without a hint, and a link's receipt is checked against the key's
 * live sale (KeysSold log + verifyReceipt). Every v2 verdict, the precedence between them, the
 * one-receipt property from the verifier's side, and what happens when the sale log is missing or lies.
 */
import { beforeAll, describe, expect, it } from "vitest";
import hre from "hardhat";
import { getAddress, toHex, zeroHash } from "viem";
import type { Address, Hex, PublicClient } from "viem";
import { anchorParamsV2, deployLedgerV2 } from "../contracts/helpersV2.js";
import { createReceiptSecret } from "../../lib/sale/createReceiptSecret.js";
import { computeReceiptCommitment } from "../../lib/sale/computeReceiptCommitment.js";
import { computeOrderRefHash } from "../../lib/sale/computeOrderRefHash.js";
import { saleProof } from "../../lib/sale/saleTree.js";
import { readKeyStatus } from "../../lib/verify/readKeyStatus.js";
import { detectLedgerVersion } from "../../lib/verify/detectLedgerVersion.js";
import { readSaleLog } from "../../lib/verify/readSaleLog.js";
import { readReceiptValid } from "../../lib/verify/readReceiptValid.js";
import { SaleLogError } from "../../lib/verify/errors.js";
import { verifyPayload } from "../../lib/verify/verifyPayload.js";
import type { VerifyOptions } from "../../lib/verify/verifyPayload.js";
import type { SaleRecord } from "../../lib/verify/types.js";
import { makeBatch } from "./batch.js";
import type { TestBatch } from "./batch.js";

type Env = Awaited<ReturnType<typeof deployLedgerV2>>;
let env: Env;
let client: PublicClient;
let ledger: Address;
let supplier: Address;
let retailer: Address;
let a: TestBatch; // 40 keys, no sale required
let b: TestBatch; // 16 keys, sale required
let options: VerifyOptions;
/** Receipt secrets by "batch:index" (and "a:11:old" for the refunded sale). */
const secrets = new Map<string, Hex>();
const orderRefOf = (key: string) => `TB-2026-${key}`;

const CNY = toHex("CNY", { size: 3 });
const STORE = toHex("shop 7", { size: 32 });

async function sell(who: "retail" | "supplier", batch: TestBatch, indices: number[], tag = ""): Promise<void> {
  const items = indices.map((index) => {
    const secret = createReceiptSecret();
    const key = `${batch === a ? "a" : "b"}:${index}${tag}`;
    secrets.set(key, secret);
    return {
      index: BigInt(index),
      commitment: computeReceiptCommitment({ batchId: batch.batchId, index, secret }),
      orderRef: computeOrderRefHash({ orderReference: orderRefOf(key), secret }),
    };
  });
  const w = who === "retail" ? env.w.retail : env.w.supplier;
  await env.wait(
    await env.as(w).write.sell([
      [
        {
          batchId: batch.batchId,
          indices: items.map((i) => i.index),
          commitments: items.map((i) => i.commitment),
          orderRefs: items.map((i) => i.orderRef),
        },
      ],
      { store: STORE, terminal: zeroHash, amount: 10_000n, currency: CNY },
    ]),
  );
}

/** Refunds key `index` of batch a, sold with the secret under `key`, in sale `saleNo`. */
async function refund(batch: TestBatch, index: number, key: string, saleNo: number): Promise<void> {
  const sale = await readSaleLog(client, { ledger, batchId: batch.batchId, saleNo });
  const items = sale.indices.map((i, k) => ({
    batchId: batch.batchId,
    index: BigInt(i),
    commitment: sale.commitments[k]!,
    orderRef: sale.orderRefs[k]!,
  }));
  const pos = sale.indices.indexOf(index);
  const secret = secrets.get(key)!;
  const orderRef = computeOrderRefHash({ orderReference: orderRefOf(key), secret });
  expect(items[pos]!.orderRef).toBe(orderRef);
  await env.wait(
    await env
      .as(env.w.retail)
      .write.refund([batch.batchId, BigInt(index), items[pos]!.commitment, orderRef, saleProof(items, pos)]),
  );
}

beforeAll(async () => {
  env = await deployLedgerV2();
  client = env.publicClient;
  ledger = env.address;
  const { w, as, wait, addr } = env;
  supplier = addr(w.supplier);
  retailer = addr(w.retail);
  const admin = as(w.admin);
  await wait(await admin.write.registerParty([supplier, 1, zeroHash, "", 0n]));
  await wait(await admin.write.registerParty([retailer, 3, zeroHash, "", 0n]));
  const chainId = await client.getChainId();
  a = makeBatch({ supplier, ledger, chainId, label: "v2 verify a", count: 40, shardSize: 8 });
  b = makeBatch({ supplier, ledger, chainId, label: "v2 verify b", count: 16, shardSize: 8 });
  const sup = as(w.supplier);
  await wait(await sup.write.anchorBatch([{ ...anchorParamsV2("v2 verify a", 40n), root: a.root }]));
  await wait(
    await sup.write.anchorBatch([{ ...anchorParamsV2("v2 verify b", 16n, { saleRequired: true }), root: b.root }]),
  );
  expect(await sup.read.batchIdOf([supplier, "v2 verify a"])).toBe(a.batchId);
  await wait(await sup.write.transfer([a.batchId, 10n, 20n, retailer, zeroHash]));
  await wait(await sup.write.transfer([b.batchId, 8n, 16n, retailer, zeroHash]));
  await sell("retail", a, [10, 11, 12, 15]); // sale 1 of a
  await refund(a, 11, "a:11", 1);
  secrets.set("a:11:old", secrets.get("a:11")!);
  await sell("retail", b, [8, 9]); // sale 1 of b
  await sell("supplier", b, [1]); // sale 2 of b: the supplier sells a key it holds
  await wait(await sup.write.redeem([a.batchId, 0n, 1n << 12n]));
  await wait(await sup.write.redeem([b.batchId, 0n, 1n << 9n]));
  await wait(await as(w.regulator).write.revoke([a.batchId, 13n, 14n, 1]));
  await wait(await sup.write.revoke([a.batchId, 14n, 15n, 2]));
  options = {
    expectedChainId: chainId,
    expectedLedger: ledger,
    fetchStatus: (q) => readKeyStatus(client, q),
    fetchShard: async (id, s) => (id === a.batchId ? a.fetchShard(id, s) : b.fetchShard(id, s)),
    fetchSale: (q) => readSaleLog(client, q),
    confirmReceipt: (q) => readReceiptValid(client, q),
  };
});

describe("ledger version and keyStatus v2", () => {
  it("detects v2 (SALES()) and v1 (no such view), and caches the answer", async () => {
    expect(await detectLedgerVersion(client, { ledger })).toBe(2);
    const { viem } = await hre.network.connect();
    const [admin] = await viem.getWalletClients();
    const v1 = await viem.deployContract("KeyLedger", [admin!.account.address]);
    const v1Client = (await viem.getPublicClient()) as unknown as PublicClient;
    expect(await detectLedgerVersion(v1Client, { ledger: v1.address })).toBe(1);
    const first = detectLedgerVersion(client, { ledger });
    expect(detectLedgerVersion(client, { ledger: getAddress(ledger) })).toBe(first);
  });

  it("reads keyStatus v2 without a hint: sale, layers, saleRequired", async () => {
    const s = await readKeyStatus(client, { ledger, batchId: a.batchId, index: 10 });
    expect(s).toMatchObject({
      ledgerVersion: 2,
      root: a.root,
      supplier,
      count: 40,
      holder: retailer,
      segmentStart: 10,
      segmentEnd: 20,
      frozenReason: "none",
      redeemed: false,
      saleRequired: false,
      issuerSuspended: false,
      frozenByRegulator: false,
      supplierReason: "none",
      saleNo: 1,
      sold: true,
      refunded: false,
    });
    expect(await readKeyStatus(client, { ledger, batchId: a.batchId, index: 11 })).toMatchObject({
      frozenReason: "refunded",
      supplierReason: "refunded",
      frozenByRegulator: false,
      saleNo: 1,
      sold: false,
      refunded: true,
    });
    expect(await readKeyStatus(client, { ledger, batchId: a.batchId, index: 13 })).toMatchObject({
      frozenReason: "stolen",
      frozenByRegulator: true,
      supplierReason: "none",
    });
    expect(await readKeyStatus(client, { ledger, batchId: b.batchId, index: 0 })).toMatchObject({
      saleRequired: true,
      sold: false,
      saleNo: 0,
    });
    const unknown = await readKeyStatus(client, { ledger, batchId: `0x${"ab".repeat(32)}`, index: 0 });
    expect(unknown).toMatchObject({ root: `0x${"0".repeat(64)}`, ledgerVersion: 2 });
    const beyond = await readKeyStatus(client, { ledger, batchId: b.batchId, index: 16 });
    expect(beyond).toMatchObject({ root: b.root, count: 16, saleRequired: true, holder: `0x${"0".repeat(40)}` });
  });

  it("readSaleLog returns the KeysSold record of (batch, saleNo), and names a missing sale", async () => {
    const sale = await readSaleLog(client, { ledger, batchId: a.batchId, saleNo: 1 });
    expect(sale).toMatchObject({
      batchId: a.batchId,
      saleNo: 1,
      seller: retailer,
      store: STORE,
      amount: "10000",
      currency: "CNY",
      indices: [10, 11, 12, 15],
    });
    expect(sale.commitments[0]).toBe(
      computeReceiptCommitment({ batchId: a.batchId, index: 10, secret: secrets.get("a:10")! }),
    );
    await expect(readSaleLog(client, { ledger, batchId: a.batchId, saleNo: 99 })).rejects.toThrow(SaleLogError);
    await expect(readSaleLog(client, { ledger, batchId: a.batchId, saleNo: 99 })).rejects.toThrow(
      /Sale 99 of batch 0x.* 0 KeysSold logs found/,
    );
  });
});

describe("verdicts on a v2 ledger", () => {
  it("genuine: an unsold key of a batch without saleRequired keeps today's verdict", async () => {
    const r = await verifyPayload(a.full(1), { ...options, key: a.keys[1]! });
    expect(r).toMatchObject({ verdict: "genuine", ledgerVersion: 2, issuerSuspended: false, receiptCheck: "none" });
    const short = await verifyPayload(a.short(16, { seller: supplier }), options);
    expect(short.verdict).toBe("holder-mismatch");
  });

  it("sold-to-you: the link's receipt is the live sale's; facts of the sale; order reference checked", async () => {
    const secret = secrets.get("a:10")!;
    const r = await verifyPayload(a.full(10, { receiptSecret: secret }), options);
    expect(r.verdict).toBe("sold-to-you");
    if (r.verdict !== "sold-to-you") return;
    expect(r.sale).toMatchObject({ saleNo: 1, seller: retailer, store: STORE, amount: "10000", currency: "CNY" });
    expect(r.sale.tx).toMatch(/^0x[0-9a-f]{64}$/);
    expect(r.sale.soldAt).toBeGreaterThan(0);
    expect(r.receiptCheck).toBe("match");
    expect(r.checks.find((c) => c.name === "sale")).toMatchObject({ ok: true, online: true });
    expect(r.checks.find((c) => c.name === "receipt")).toMatchObject({ ok: true });
    const typed = await verifyPayload(a.short(10, { receiptSecret: secret }), {
      ...options,
      orderReference: `  ${orderRefOf("a:10")} `,
    });
    expect(typed).toMatchObject({ verdict: "sold-to-you", sale: { orderRefMatches: true } });
    const wrong = await verifyPayload(a.short(10, { receiptSecret: secret }), {
      ...options,
      orderReference: "TB-2026-a:99",
    });
    expect(wrong).toMatchObject({ verdict: "sold-to-you", sale: { orderRefMatches: false } });
    expect(wrong.checks.find((c) => c.name === "orderRef")).toMatchObject({ ok: false });
    // The secret never appears in the result's message or checks.
    expect(JSON.stringify({ m: r.message, c: r.checks })).not.toContain(secret.slice(2));
  });

  it("sold-to-another: a sold key whose link has no receipt, or another receipt", async () => {
    const none = await verifyPayload(a.full(10), options);
    expect(none).toMatchObject({ verdict: "sold-to-another", receipt: "none", receiptCheck: "none" });
    expect(none.sale).toMatchObject({ saleNo: 1, seller: retailer });
    expect(none.message).toMatch(/do not redeem it, and contact the seller/);
    const otherKeys = await verifyPayload(a.full(10, { receiptSecret: secrets.get("a:15")! }), options);
    expect(otherKeys).toMatchObject({ verdict: "sold-to-another", receipt: "mismatch", receiptCheck: "mismatch" });
    const fresh = await verifyPayload(a.short(15, { receiptSecret: createReceiptSecret() }), options);
    expect(fresh).toMatchObject({ verdict: "sold-to-another", receipt: "mismatch" });
  });

  it("one receipt per key: of two links for one key at most one says sold-to-you", async () => {
    const links = [secrets.get("a:15")!, createReceiptSecret(), secrets.get("a:10")!].map((s) =>
      a.full(15, { receiptSecret: s }),
    );
    const verdicts = await Promise.all(links.map(async (l) => (await verifyPayload(l, options)).verdict));
    expect(verdicts).toEqual(["sold-to-you", "sold-to-another", "sold-to-another"]);
  });

  it("refunded: revoked with reason refunded; reinstated: the old receipt has no live sale; resold: the old receipt says sold-to-another", async () => {
    const old = a.full(11, { receiptSecret: secrets.get("a:11:old")! });
    const refunded = await verifyPayload(old, options);
    expect(refunded).toMatchObject({ verdict: "revoked", reason: "refunded", frozenByRegulator: false });
    expect(refunded.message).toMatch(/sale was refunded/);
    await env.wait(await env.as(env.w.supplier).write.reinstate([a.batchId, 11n, 12n]));
    const unsold = await verifyPayload(old, options);
    expect(unsold).toMatchObject({ verdict: "genuine", receiptCheck: "no-live-sale" });
    expect(unsold.checks.find((c) => c.name === "receipt")).toMatchObject({ ok: false });
    await sell("retail", a, [11], ":new"); // sale 2 of a
    expect(await verifyPayload(old, options)).toMatchObject({ verdict: "sold-to-another", receipt: "mismatch" });
    const fresh = await verifyPayload(a.full(11, { receiptSecret: secrets.get("a:11:new")! }), options);
    expect(fresh).toMatchObject({ verdict: "sold-to-you", sale: { saleNo: 2 } });
  });

  it("not-yet-sold: a sale-required batch's unsold key; sold keys of it verify by receipt", async () => {
    const r = await verifyPayload(b.full(0), options);
    expect(r).toMatchObject({ verdict: "not-yet-sold", saleRequired: true, receiptCheck: "none" });
    const withReceipt = await verifyPayload(b.full(2, { receiptSecret: createReceiptSecret() }), options);
    expect(withReceipt).toMatchObject({ verdict: "not-yet-sold", receiptCheck: "no-live-sale" });
    expect(await verifyPayload(b.full(1, { receiptSecret: secrets.get("b:1")! }), options)).toMatchObject({
      verdict: "sold-to-you",
      sale: { saleNo: 2, seller: supplier },
    });
    expect(await verifyPayload(b.short(8, { receiptSecret: secrets.get("b:8")! }), options)).toMatchObject({
      verdict: "sold-to-you",
      sale: { saleNo: 1, seller: retailer },
    });
  });

  it("precedence on chain: redeemed beats a valid receipt; a regulator's freeze says so; sold-to-you beats holder-mismatch", async () => {
    expect(await verifyPayload(a.full(12, { receiptSecret: secrets.get("a:12")! }), options)).toMatchObject({
      verdict: "redeemed",
    });
    expect(await verifyPayload(b.full(9, { receiptSecret: secrets.get("b:9")! }), options)).toMatchObject({
      verdict: "redeemed",
    });
    const reg = await verifyPayload(a.full(13), options);
    expect(reg).toMatchObject({ verdict: "revoked", reason: "stolen", frozenByRegulator: true });
    expect(reg.message).toMatch(/revoked by a regulator/);
    const sup = await verifyPayload(a.full(14), options);
    expect(sup).toMatchObject({ verdict: "revoked", reason: "chargeback", frozenByRegulator: false });
    expect(sup.message).toMatch(/revoked by its supplier/);
    const named = await verifyPayload(a.full(15, { receiptSecret: secrets.get("a:15")!, seller: supplier }), options);
    expect(named.verdict).toBe("sold-to-you");
  });

  it("a sale log that cannot be read or lies never gives sold-to-another or sold-to-you", async () => {
    const secret = secrets.get("a:10")!;
    const down = await verifyPayload(a.full(10, { receiptSecret: secret }), {
      ...options,
      fetchSale: () => Promise.reject(new Error("eth_getLogs: block range too large")),
    });
    expect(down).toMatchObject({ verdict: "unreachable", receiptCheck: "not-checked" });
    expect(down.checks.find((c) => c.name === "receipt")).toMatchObject({ ok: null });
    const noSource = await verifyPayload(a.full(10, { receiptSecret: secret }), {
      ...options,
      fetchSale: undefined,
    });
    expect(noSource.verdict).toBe("unreachable");
    // Without a receipt in the link the chain's status alone settles it: sold, and not to this link.
    const noReceipt = await verifyPayload(a.full(10), {
      ...options,
      fetchSale: () => Promise.reject(new Error("down")),
    });
    expect(noReceipt).toMatchObject({ verdict: "sold-to-another", receipt: "none" });
    expect(noReceipt.sale).toBeUndefined();
    // A log forged to carry a stranger's commitment (to pass a wrong receipt off as the buyer's) is caught.
    const stranger = createReceiptSecret();
    const forge = async (q: Parameters<NonNullable<VerifyOptions["fetchSale"]>>[0]): Promise<SaleRecord> => {
      const real = await readSaleLog(client, q);
      const pos = real.indices.indexOf(q.index);
      const commitments = [...real.commitments];
      commitments[pos] = computeReceiptCommitment({ batchId: q.batchId, index: q.index, secret: stranger });
      return { ...real, commitments };
    };
    const forged = await verifyPayload(a.full(10, { receiptSecret: stranger }), { ...options, fetchSale: forge });
    expect(forged.verdict).toBe("unreachable");
    expect(forged.checks.find((c) => c.name === "sale")).toMatchObject({ ok: false });
    // ... and one forged to deny the real buyer (a consistent fake tree with the fake root) too.
    const forgedTree = await verifyPayload(a.full(10, { receiptSecret: secret }), {
      ...options,
      fetchSale: async (q) => {
        const f = await forge(q);
        const items = f.indices.map((index, k) => ({
          batchId: q.batchId,
          index: BigInt(index),
          commitment: f.commitments[k]!,
          orderRef: f.orderRefs[k]!,
        }));
        const { saleRoot } = await import("../../lib/sale/saleTree.js");
        return { ...f, root: saleRoot(items) };
      },
    });
    expect(forgedTree.verdict).toBe("unreachable");
    expect(forgedTree.checks.find((c) => c.name === "sale")?.detail).toMatch(/does not confirm/);
  });

  it("issuer suspended: shown with the verdict", async () => {
    const { w, as, wait, addr } = env;
    const s2 = addr(w.supplier2);
    await wait(await as(w.admin).write.registerParty([s2, 1, zeroHash, "", 0n]));
    const chainId = await client.getChainId();
    const c = makeBatch({ supplier: s2, ledger, chainId, label: "v2 verify c", count: 4, shardSize: 4 });
    await wait(await as(w.supplier2).write.anchorBatch([{ ...anchorParamsV2("v2 verify c", 4n), root: c.root }]));
    await wait(await as(w.regulator).write.suspendParty([s2, zeroHash]));
    const r = await verifyPayload(c.full(0), options);
    expect(r).toMatchObject({ verdict: "genuine", issuerSuspended: true });
    expect(r.message).toMatch(/issuer of this key is suspended/);
    await wait(await as(w.regulator).write.revoke([c.batchId, 1n, 2n, 5]));
    const frozen = await verifyPayload(c.full(1), options);
    expect(frozen).toMatchObject({ verdict: "revoked", issuerSuspended: true, frozenByRegulator: true });
  });
});
