/**
 * The verify page's hand-written JSON-RPC reads of a KeyLedgerV2 (portal/src/scripts/rpc.ts, rpcReads.ts), over
 * real HTTP against an in-process chain, against the viem readers of lib/verify: version probe,
 * keyStatus v2, the KeysSold log, verifyReceipt; and verifyPayload fed by them. Selectors and the
 * event topic against the generated ABI.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toEventSelector, toFunctionSelector, toHex, zeroHash, type AbiEvent, type AbiFunction } from "viem";
import type { Address, Hex, PublicClient } from "viem";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { computeOrderRefHash } from "../../lib/sale/computeOrderRefHash.js";
import { computeReceiptCommitment } from "../../lib/sale/computeReceiptCommitment.js";
import { createReceiptSecret } from "../../lib/sale/createReceiptSecret.js";
import { saleProof } from "../../lib/sale/saleTree.js";
import { readKeyStatus } from "../../lib/verify/readKeyStatus.js";
import { readSaleLog } from "../../lib/verify/readSaleLog.js";
import { readReceiptValid } from "../../lib/verify/readReceiptValid.js";
import { verifyPayload } from "../../lib/verify/verifyPayload.js";
import {
  createRpc,
  KEY_STATUS_V2_SELECTOR,
  KEYS_SOLD_TOPIC,
  ledgerVersionRaw,
  SALES_SELECTOR,
  VERIFY_RECEIPT_SELECTOR,
  type Rpc,
} from "../../portal/src/scripts/rpc.js";
import { readKeyStatusV2Raw, readReceiptValidRaw, readSaleLogRaw } from "../../portal/src/scripts/rpcReads.js";
import { anchorParamsV2, deployLedgerV2With } from "../contracts/helpersV2.js";
import { makeBatch, type TestBatch } from "../verify/batch.js";
import { startHttpChain, type HttpChain } from "./helpers/startHttpChain.js";

let chain: HttpChain;
let client: PublicClient;
let rpc: Rpc;
let ledger: Address;
let v1Ledger: Address;
let b: TestBatch;
const secrets: Hex[] = [];
/** Addresses compared case-insensitively (the hand decoder writes lower case, viem checksums). */
const lower = (o: object) =>
  Object.fromEntries(
    Object.entries(o).map(([k, v]) => [
      k,
      typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v) ? v.toLowerCase() : v,
    ]),
  );

beforeAll(async () => {
  chain = await startHttpChain();
  client = (await chain.viem.getPublicClient()) as unknown as PublicClient;
  const [admin, supplier, retail, , regulator] = await chain.viem.getWalletClients();
  if (!admin || !supplier || !retail || !regulator) throw new Error("need 5 accounts");
  const deployed = await deployLedgerV2With({ publicClient: client as never, admin: admin as never });
  const wait = deployed.wait;
  ledger = deployed.ledger;
  v1Ledger = (await chain.viem.deployContract("KeyLedger", [admin.account.address])).address;
  const write = async (w: typeof admin, functionName: string, args: readonly unknown[]) =>
    wait(await w.writeContract({ address: ledger, abi: keyLedgerV2Abi, functionName, args } as never));
  await write(admin, "grantRole", [
    await client.readContract({ address: ledger, abi: keyLedgerV2Abi, functionName: "REGULATOR_ROLE" }),
    regulator.account.address,
  ]);
  await write(admin, "registerParty", [supplier.account.address, 1, zeroHash, "", 0n]);
  await write(admin, "registerParty", [retail.account.address, 3, zeroHash, "", 0n]);
  b = makeBatch({
    supplier: supplier.account.address,
    ledger,
    chainId: await client.getChainId(),
    label: "portal rpc v2",
    count: 12,
    shardSize: 4,
  });
  await write(supplier, "anchorBatch", [
    { ...anchorParamsV2("portal rpc v2", 12n, { saleRequired: true }), root: b.root },
  ]);
  await write(supplier, "transfer", [b.batchId, 4n, 12n, retail.account.address, zeroHash]);
  const indices = [4, 5, 7];
  for (let k = 0; k < 3; k++) secrets.push(createReceiptSecret());
  await write(retail, "sell", [
    [
      {
        batchId: b.batchId,
        indices: indices.map(BigInt),
        commitments: indices.map((index, k) =>
          computeReceiptCommitment({ batchId: b.batchId, index, secret: secrets[k]! }),
        ),
        orderRefs: indices.map((index, k) =>
          computeOrderRefHash({ orderReference: `o-${index}`, secret: secrets[k]! }),
        ),
      },
    ],
    {
      store: toHex("store 1", { size: 32 }),
      terminal: toHex("till 2", { size: 32 }),
      amount: 123n,
      currency: toHex("USD", { size: 3 }),
    },
  ]);
  await write(regulator, "revoke", [b.batchId, 9n, 10n, 1]);
  rpc = createRpc([chain.url]);
});
afterAll(async () => {
  await chain?.close();
});

describe("portal RPC reads of a v2 ledger", () => {
  it("selectors and topic match the generated v2 ABI", () => {
    const fn = (name: string) =>
      toFunctionSelector(keyLedgerV2Abi.find((x) => x.type === "function" && x.name === name) as AbiFunction);
    expect(fn("SALES")).toBe(SALES_SELECTOR);
    expect(fn("keyStatus")).toBe(KEY_STATUS_V2_SELECTOR);
    expect(fn("verifyReceipt")).toBe(VERIFY_RECEIPT_SELECTOR);
    expect(toEventSelector(keyLedgerV2Abi.find((x) => x.type === "event" && x.name === "KeysSold") as AbiEvent)).toBe(
      KEYS_SOLD_TOPIC,
    );
    const ks = keyLedgerV2Abi.find((x) => x.type === "function" && x.name === "keyStatus") as AbiFunction;
    expect((ks.outputs[0] as unknown as { components: { type: string }[] }).components.map((c) => c.type)).toEqual([
      "bytes32",
      "address",
      "uint64",
      "uint64",
      "bool",
      "bool",
      "bool",
      "address",
      "uint64",
      "uint64",
      "uint8",
      "bool",
      "uint8",
      "bool",
      "uint32",
      "bool",
      "bool",
    ]);
  });

  it("ledger version: 2 for KeyLedgerV2, 1 for KeyLedger", async () => {
    expect(await ledgerVersionRaw(rpc, ledger)).toBe(2);
    expect(await ledgerVersionRaw(rpc, v1Ledger)).toBe(1);
  });

  it("keyStatus v2 decoded by hand equals viem's, for sold, unsold, frozen, beyond the count, unknown batch", async () => {
    for (const index of [0, 4, 5, 6, 9, 11, 12, 40]) {
      const q = { ledger, batchId: b.batchId, index };
      expect(lower(await readKeyStatusV2Raw(rpc, q)), `index ${index}`).toEqual(lower(await readKeyStatus(client, q)));
    }
    const unknown = { ledger, batchId: `0x${"cd".repeat(32)}` as Hex, index: 0 };
    expect(lower(await readKeyStatusV2Raw(rpc, unknown))).toEqual(lower(await readKeyStatus(client, unknown)));
  });

  it("the KeysSold log decoded by hand equals viem's; verifyReceipt agrees", async () => {
    const raw = await readSaleLogRaw(rpc, { ledger, batchId: b.batchId, saleNo: 1 });
    const viemSale = await readSaleLog(client, { ledger, batchId: b.batchId, saleNo: 1 });
    expect({ ...raw, seller: raw.seller.toLowerCase() }).toEqual({
      ...viemSale,
      seller: viemSale.seller.toLowerCase(),
    });
    expect(raw).toMatchObject({ indices: [4, 5, 7], amount: "123", currency: "USD" });
    await expect(readSaleLogRaw(rpc, { ledger, batchId: b.batchId, saleNo: 2 })).rejects.toThrow(/0 KeysSold logs/);
    const items = raw.indices.map((index, k) => ({
      batchId: b.batchId,
      index: BigInt(index),
      commitment: raw.commitments[k]!,
      orderRef: raw.orderRefs[k]!,
    }));
    for (let p = 0; p < 3; p++) {
      const q = {
        ledger,
        batchId: b.batchId,
        index: raw.indices[p]!,
        commitment: raw.commitments[p]!,
        orderRef: raw.orderRefs[p]!,
        proof: saleProof(items, p),
      };
      expect(await readReceiptValidRaw(rpc, q)).toBe(true);
      expect(await readReceiptValid(client, q)).toBe(true);
      const wrong = { ...q, commitment: raw.commitments[(p + 1) % 3]! };
      expect(await readReceiptValidRaw(rpc, wrong)).toBe(false);
    }
  });

  it("verifyPayload on the portal's sources: sold-to-you, sold-to-another, not-yet-sold, regulator freeze", async () => {
    const options = {
      expectedChainId: await client.getChainId(),
      expectedLedger: ledger,
      fetchStatus: (q: { ledger: string; batchId: string; index: number }) => readKeyStatusV2Raw(rpc, q),
      fetchSale: (q: { ledger: string; batchId: string; saleNo: number }) => readSaleLogRaw(rpc, q),
      confirmReceipt: (q: Parameters<typeof readReceiptValidRaw>[1]) => readReceiptValidRaw(rpc, q),
    };
    const mine = await verifyPayload(b.full(5, { receiptSecret: secrets[1]! }), { ...options, orderReference: "o-5" });
    expect(mine).toMatchObject({ verdict: "sold-to-you", sale: { saleNo: 1, orderRefMatches: true, currency: "USD" } });
    expect((await verifyPayload(b.full(5, { receiptSecret: secrets[0]! }), options)).verdict).toBe("sold-to-another");
    expect((await verifyPayload(b.full(6), options)).verdict).toBe("not-yet-sold");
    expect(await verifyPayload(b.full(9), options)).toMatchObject({ verdict: "revoked", frozenByRegulator: true });
  });
});
