/**
 * A small real ledger for the portal's end-to-end tests: KeyLedger v2 deployed on the in-process
 * chain, parties registered, one batch sealed with lib functions and anchored, custody moved
 * through two tiers (one hop unauthorised), a range revoked, a key redeemed. Returns one payload
 * per verdict, and writes the batch's public folder (manifest and proof shards) as sealing does.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bytesToHex, hexToBytes, keccak256, toHex, type Address, type Hex } from "viem";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { keyLedgerV2Bytecode } from "../../../lib/abi/keyLedgerV2Bytecode.js";
import { keyLedgerV2SalesBytecode } from "../../../lib/abi/keyLedgerV2SalesBytecode.js";
import { computeBatchId } from "../../../lib/commit/computeBatchId.js";
import { computeCommitment } from "../../../lib/commit/computeCommitment.js";
import { deriveSalt } from "../../../lib/commit/deriveSalt.js";
import { createKeccakKernelSync } from "../../../lib/hash/createKeccakKernelSync.js";
import { encodeKeyBytes } from "../../../lib/keys/encodeKeyBytes.js";
import { normaliseKey } from "../../../lib/keys/normaliseKey.js";
import { buildProofShard } from "../../../lib/merkle/buildProofShard.js";
import { buildTree } from "../../../lib/merkle/buildTree.js";
import { encodeProofShard } from "../../../lib/merkle/encodeProofShard.js";
import { getProof } from "../../../lib/merkle/getProof.js";
import { encodePayload } from "../../../lib/payload/encodePayload.js";
import type { HttpChain } from "./startHttpChain.js";

/** Keys of the test batch (16 game-card style PINs). */
export const PINS = Array.from(
  { length: 16 },
  (_, i) => `KT${String(i).padStart(2, "0")}-7Q4M-X9PD-${(0xa1b2 + i * 7919).toString(16).toUpperCase()}`,
);
export const COUNT = PINS.length;
export const SHARD_SIZE = 8;

export type Scenario = {
  ledger: Address;
  deployBlock: number;
  chainId: number;
  batchId: Hex;
  parties: { admin: Address; supplier: Address; distA: Address; retailerB: Address; distC: Address };
  /** Payload strings, one per verdict. */
  payloads: Record<
    | "genuine"
    | "genuineShort"
    | "forged"
    | "unknownBatch"
    | "outOfRange"
    | "revoked"
    | "redeemed"
    | "sellerMismatch"
    | "wrongChain",
    string
  >;
  pinOf: (index: number) => string;
};

const PROFILE = (s: string) => keccak256(toHex(s));

/**
 * Sets the ledger up and writes the sealed batch's public folder.
 *
 * @param chain - the HTTP chain
 * @param sealedDir - folder for manifest.json and shards/
 * @returns addresses, batch id and payloads
 */
export async function setUpScenario(chain: HttpChain, sealedDir: string): Promise<Scenario> {
  const { viem } = chain;
  const pub = await viem.getPublicClient();
  const [adminW, supplierW, distAW, retailerBW, distCW] = await viem.getWalletClients();
  if (!adminW || !supplierW || !distAW || !retailerBW || !distCW) throw new Error("need 5 accounts");
  const chainId = await pub.getChainId();
  const admin = adminW.account.address.toLowerCase() as Address;
  const supplier = supplierW.account.address.toLowerCase() as Address;
  const distA = distAW.account.address.toLowerCase() as Address;
  const retailerB = retailerBW.account.address.toLowerCase() as Address;
  const distC = distCW.account.address.toLowerCase() as Address;

  const wait = async (hash: Hex) => {
    const r = await pub.waitForTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`tx ${hash} reverted`);
    const block = await pub.getBlock({ blockNumber: r.blockNumber });
    return { tx: hash, block: Number(r.blockNumber), timestamp: Number(block.timestamp), receipt: r };
  };

  // The sale module first, then the ledger (admin, admin delay, sale module).
  const sales = await wait(await adminW.deployContract({ abi: [], bytecode: keyLedgerV2SalesBytecode }));
  const deployed = await wait(
    await adminW.deployContract({
      abi: keyLedgerV2Abi,
      bytecode: keyLedgerV2Bytecode,
      args: [adminW.account.address, 86_400, sales.receipt.contractAddress!],
    }),
  );
  const ledger = deployed.receipt.contractAddress!.toLowerCase() as Address;
  const as = (w: typeof adminW) =>
    ({ address: ledger, abi: keyLedgerV2Abi, account: w.account, chain: w.chain }) as const;
  const now = Number((await pub.getBlock()).timestamp);
  const year = now + 365 * 86400;

  for (const [who, kind] of [
    [supplier, 1],
    [distA, 2],
    [retailerB, 3],
    [distC, 2],
  ] as const) {
    await wait(
      await adminW.writeContract({
        ...as(adminW),
        functionName: "registerParty",
        args: [who, kind, PROFILE(who), "", BigInt(year)],
      }),
    );
  }
  await wait(
    await supplierW.writeContract({
      ...as(supplierW),
      functionName: "authorize",
      args: [distA, 1, BigInt(year), PROFILE("cert-A")],
    }),
  );
  await wait(
    await supplierW.writeContract({
      ...as(supplierW),
      functionName: "authorize",
      args: [retailerB, 2, BigInt(year), PROFILE("cert-B")],
    }),
  );

  // Seal the batch with lib functions.
  const label = "portal-e2e-2026";
  const batchId = computeBatchId(supplier, label);
  const secret = bytesToHex(new Uint8Array(32).map((_, i) => (i * 37 + 11) & 255));
  const salts = PINS.map((_, i) => deriveSalt(secret, batchId, i));
  const commitments = PINS.map((pin, i) => computeCommitment(salts[i]!, encodeKeyBytes(normaliseKey({ pin }))));
  const packed = new Uint8Array(COUNT * 32);
  commitments.forEach((c, i) => packed.set(hexToBytes(c), i * 32));
  const kernel = createKeccakKernelSync();
  const tree = buildTree(kernel, { leaves: kernel.leaves(hexToBytes(batchId), 0, packed, COUNT) });

  await wait(
    await supplierW.writeContract({
      ...as(supplierW),
      functionName: "anchorBatch",
      args: [
        {
          label,
          root: tree.root,
          count: BigInt(COUNT),
          productId: PROFILE("sku"),
          faceValue: 10000n,
          currency: "0x434e59",
          expiresAt: 0n,
          restricted: false,
          saleRequired: false,
          manifestHash: PROFILE("manifest"),
          manifestURI: "",
        },
      ],
    }),
  );
  const memo = `0x${"00".repeat(32)}` as Hex;
  await wait(
    await supplierW.writeContract({
      ...as(supplierW),
      functionName: "transfer",
      args: [batchId, 0n, 12n, distA, memo],
    }),
  );
  await wait(
    await distAW.writeContract({
      ...as(distAW),
      functionName: "transfer",
      args: [batchId, 0n, 8n, retailerB, memo],
    }),
  );
  await wait(
    await distAW.writeContract({ ...as(distAW), functionName: "transfer", args: [batchId, 8n, 12n, distC, memo] }),
  );
  await wait(await supplierW.writeContract({ ...as(supplierW), functionName: "revoke", args: [batchId, 4n, 6n, 1] }));
  await wait(
    await supplierW.writeContract({
      ...as(supplierW),
      functionName: "redeem",
      args: [batchId, 0n, 1n << 2n],
    }),
  );

  const full = (index: number, extra: Partial<Parameters<typeof encodePayload>[0]> = {}) =>
    encodePayload({
      form: "full",
      chainId,
      ledger,
      batchId,
      index,
      salt: salts[index]!,
      commitment: commitments[index]!,
      proof: getProof(tree, index),
      ...extra,
    });
  const payloads: Scenario["payloads"] = {
    genuine: full(0),
    genuineShort: encodePayload({ form: "short", chainId, ledger, batchId, index: 1, salt: salts[1]! }),
    forged: full(3, { commitment: keccak256(toHex("forged key")) }),
    unknownBatch: full(0, { batchId: keccak256(toHex("no such batch")) }),
    outOfRange: full(0, { index: 99 }),
    revoked: full(4),
    redeemed: full(2),
    sellerMismatch: full(0, { seller: distC }),
    wrongChain: full(0, { chainId: 56 }),
  };

  // The sealed batch's public folder (what sealBatch publishes): manifest and proof shards.
  mkdirSync(join(sealedDir, "shards"), { recursive: true });
  writeFileSync(
    join(sealedDir, "manifest.json"),
    `${JSON.stringify({ formatVersion: 1, chainId, ledger, supplier, label, batchId, root: tree.root, count: COUNT, shardSize: SHARD_SIZE }, null, 2)}\n`,
  );
  for (let s = 0; s < COUNT / SHARD_SIZE; s++)
    writeFileSync(
      join(sealedDir, "shards", `${s}.bin`),
      encodeProofShard(buildProofShard(tree, packed, s, SHARD_SIZE)),
    );

  return {
    ledger,
    chainId,
    deployBlock: deployed.block,
    batchId,
    parties: { admin, supplier, distA, retailerB, distC },
    payloads,
    pinOf: (i) => PINS[i]!,
  };
}
