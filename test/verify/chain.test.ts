/**
 * verifyPayload end to end on an in-process Hardhat chain: KeyLedger deployed, a supplier and a
 * retailer registered, a small batch anchored with a real root, custody moved, keys revoked and
 * redeemed; verdicts read through readKeyStatus (one keyStatus call per key).
 */
import { beforeAll, describe, expect, it } from "vitest";
import hre from "hardhat";
import { getAddress, keccak256, toHex } from "viem";
import type { Address, Hex, PublicClient } from "viem";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { readKeyStatus } from "../../lib/verify/readKeyStatus.js";
import { verifyPayload } from "../../lib/verify/verifyPayload.js";
import type { VerifyOptions } from "../../lib/verify/verifyPayload.js";
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { addSeller } from "../../lib/payload/addSeller.js";
import { makeBatch } from "./batch.js";
import type { TestBatch } from "./batch.js";

let b: TestBatch;
let options: VerifyOptions;
let client: PublicClient;
let ledger: Address;
let supplier: Address;
let retailer: Address;

beforeAll(async () => {
  const { viem } = await hre.network.connect();
  client = (await viem.getPublicClient()) as unknown as PublicClient;
  const [admin, sup, ret] = await viem.getWalletClients();
  if (!admin || !sup || !ret) throw new Error("need 3 accounts");
  supplier = getAddress(sup.account.address);
  retailer = getAddress(ret.account.address);
  const deployed = await viem.deployContract("KeyLedger", [admin.account.address]);
  ledger = deployed.address;
  const send = async (wallet: typeof admin, functionName: string, args: readonly unknown[]) => {
    const hash = await wallet.writeContract({ address: ledger, abi: keyLedgerAbi, functionName, args } as never);
    const r = await client.waitForTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`${functionName} reverted`);
  };
  const far = 4_000_000_000n;
  await send(admin, "registerParty", [
    supplier,
    1,
    keccak256(toHex("supplier licence")),
    "https://party.example/s",
    far,
  ]);
  await send(admin, "registerParty", [
    retailer,
    3,
    keccak256(toHex("retailer licence")),
    "https://party.example/r",
    far,
  ]);
  const chainId = await client.getChainId();
  b = makeBatch({ supplier, ledger, chainId, label: "chain verify 37", count: 37, shardSize: 8 });
  await send(sup, "anchorBatch", [
    {
      label: "chain verify 37",
      root: b.root,
      count: 37n,
      productId: `0x${"0".repeat(50)}09506000134352` as Hex,
      faceValue: 10_000n,
      currency: toHex("CNY", { size: 3 }),
      expiresAt: 0n,
      restricted: false,
      manifestHash: keccak256(toHex("manifest")),
      manifestURI: "https://keys.example/m.json",
    },
  ]);
  await send(sup, "transfer", [b.batchId, 10n, 20n, retailer, 0n, `0x${"0".repeat(64)}`]);
  await send(sup, "revoke", [b.batchId, 30n, 32n, 1, 20n]);
  await send(sup, "redeem", [[{ batchId: b.batchId, wordIndex: 0n, mask: 1n << 5n, hint: 0n }]]);
  options = {
    expectedChainId: chainId,
    expectedLedger: ledger,
    fetchStatus: (q) => readKeyStatus(client, q),
    fetchShard: b.fetchShard,
  };
});

describe("verifyPayload on an in-process chain (readKeyStatus)", () => {
  it("readKeyStatus returns the live status in one call", async () => {
    const s = await readKeyStatus(client, { ledger, batchId: b.batchId, index: 12 });
    expect(s).toMatchObject({
      root: b.root,
      supplier,
      count: 37,
      holder: retailer,
      segmentStart: 10,
      segmentEnd: 20,
      frozenReason: "none",
      redeemed: false,
    });
  });

  it("genuine: full form held by the supplier, with the typed key", async () => {
    const r = await verifyPayload(b.full(1), { ...options, key: b.keys[1]! });
    expect(r).toMatchObject({ verdict: "genuine", holder: supplier, supplier, root: b.root, keyCheck: "match" });
  });

  it("genuine: short form sold by the retailer that holds it", async () => {
    const r = await verifyPayload(addSeller(b.short(12), retailer), options);
    expect(r).toMatchObject({ verdict: "genuine", holder: retailer });
  });

  it("holder-mismatch: the supplier claims to sell a key the retailer holds", async () => {
    const r = await verifyPayload(b.full(12, { seller: supplier }), options);
    expect(r).toMatchObject({ verdict: "holder-mismatch", holder: retailer });
  });

  it("revoked: stolen", async () => {
    const r = await verifyPayload(b.short(31), options);
    expect(r).toMatchObject({ verdict: "revoked", reason: "stolen" });
    expect((await verifyPayload(b.short(32), options)).verdict).toBe("genuine");
  });

  it("redeemed", async () => {
    expect((await verifyPayload(b.full(5), options)).verdict).toBe("redeemed");
  });

  it("not-in-batch: tampered commitment, unknown batch, index beyond the count", async () => {
    const d = decodePayload(b.full(2));
    expect(await verifyPayload({ ...d, commitment: b.commitments[3]! }, options)).toMatchObject({
      verdict: "not-in-batch",
      cause: "proof",
    });
    expect(await verifyPayload({ ...d, batchId: keccak256(toHex("no such batch")) }, options)).toMatchObject({
      verdict: "not-in-batch",
      cause: "batch-unknown",
    });
    expect(await verifyPayload({ ...d, index: 37 }, options)).toMatchObject({
      verdict: "not-in-batch",
      cause: "index-out-of-range",
    });
  });

  it("wrong-chain and wrong ledger", async () => {
    expect((await verifyPayload(b.full(1), { ...options, expectedChainId: 1 })).verdict).toBe("wrong-chain");
    expect((await verifyPayload({ ...decodePayload(b.full(1)), ledger: retailer }, options)).verdict).toBe(
      "wrong-chain",
    );
  });
});
