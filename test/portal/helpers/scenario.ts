/**
 * A small real ledger for the portal's end-to-end tests: KeyLedger deployed on the in-process
 * chain, parties registered, one batch sealed with lib functions and anchored, custody moved
 * through two tiers (one hop unauthorised), a range revoked, a key redeemed. Returns one payload
 * per verdict, and writes the static export (docs/INDEXER.md layout) for that state.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bytesToHex, hexToBytes, keccak256, toHex, type Address, type Hex } from "viem";
import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
import { keyLedgerBytecode } from "../../../lib/abi/keyLedgerBytecode.js";
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
import type { ExportCustody, ExportHop } from "../../../indexer/export/types.js";
import type { HttpChain } from "./startHttpChain.js";

/** Keys of the test batch (16 game-card style PINs). */
export const PINS = Array.from({ length: 16 }, (_, i) => `KT${String(i).padStart(2, "0")}-7Q4M-X9PD-${(0xa1b2 + i * 7919).toString(16).toUpperCase()}`);
export const COUNT = PINS.length;
export const SHARD_SIZE = 8;

export type Scenario = {
  ledger: Address;
  chainId: number;
  batchId: Hex;
  parties: { admin: Address; supplier: Address; distA: Address; retailerB: Address; distC: Address };
  /** Payload strings, one per verdict. */
  payloads: Record<"genuine" | "genuineShort" | "forged" | "unknownBatch" | "outOfRange" | "revoked" | "redeemed" | "sellerMismatch" | "wrongChain", string>;
  pinOf: (index: number) => string;
};

const PROFILE = (s: string) => keccak256(toHex(s));

/**
 * Sets the ledger up and writes the export.
 *
 * @param chain - the HTTP chain
 * @param exportDir - folder to write the static export into
 * @returns addresses, batch id and payloads
 */
export async function setUpScenario(chain: HttpChain, exportDir: string): Promise<Scenario> {
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

  const deployed = await wait(await adminW.deployContract({ abi: keyLedgerAbi, bytecode: keyLedgerBytecode as Hex, args: [adminW.account.address] }));
  const ledger = deployed.receipt.contractAddress!.toLowerCase() as Address;
  const as = (w: typeof adminW) => ({ address: ledger, abi: keyLedgerAbi, account: w.account, chain: w.chain }) as const;
  const now = Number((await pub.getBlock()).timestamp);
  const year = now + 365 * 86400;

  const registered: Record<string, { tx: Hex; block: number; timestamp: number; kind: string }> = {};
  for (const [who, kind, name] of [[supplier, 1, "supplier"], [distA, 2, "distributor"], [retailerB, 3, "retailer"], [distC, 2, "distributor"]] as const) {
    const r = await wait(await adminW.writeContract({ ...as(adminW), functionName: "registerParty", args: [who, kind, PROFILE(who), "", BigInt(year)] }));
    registered[who] = { tx: r.tx, block: r.block, timestamp: r.timestamp, kind: name };
  }
  await wait(await supplierW.writeContract({ ...as(supplierW), functionName: "authorize", args: [distA, 1, BigInt(year), PROFILE("cert-A")] }));
  await wait(await supplierW.writeContract({ ...as(supplierW), functionName: "authorize", args: [retailerB, 2, BigInt(year), PROFILE("cert-B")] }));

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

  const anchored = await wait(await supplierW.writeContract({
    ...as(supplierW),
    functionName: "anchorBatch",
    args: [{ label, root: tree.root, count: BigInt(COUNT), productId: PROFILE("sku"), faceValue: 10000n, currency: "0x434e59", expiresAt: 0n, restricted: false, manifestHash: PROFILE("manifest"), manifestURI: "" }],
  }));
  const memo = `0x${"00".repeat(32)}` as Hex;
  const t1 = await wait(await supplierW.writeContract({ ...as(supplierW), functionName: "transfer", args: [batchId, 0n, 12n, distA, 0n, memo] }));
  const t2 = await wait(await distAW.writeContract({ ...as(distAW), functionName: "transfer", args: [batchId, 0n, 8n, retailerB, 0n, memo] }));
  const t3 = await wait(await distAW.writeContract({ ...as(distAW), functionName: "transfer", args: [batchId, 8n, 12n, distC, 8n, memo] }));
  await wait(await supplierW.writeContract({ ...as(supplierW), functionName: "revoke", args: [batchId, 4n, 6n, 1, 0n] }));
  await wait(await supplierW.writeContract({ ...as(supplierW), functionName: "redeem", args: [[{ batchId, wordIndex: 0n, mask: 1n << 2n, hint: 0n }]] }));

  const full = (index: number, extra: Partial<Parameters<typeof encodePayload>[0]> = {}) =>
    encodePayload({ form: "full", chainId, ledger, batchId, index, salt: salts[index]!, commitment: commitments[index]!, proof: getProof(tree, index), ...extra });
  const payloads: Scenario["payloads"] = {
    genuine: full(0),
    genuineShort: encodePayload({ form: "short", chainId, ledger, batchId, index: 1, salt: salts[1]! }),
    forged: full(3, { commitment: keccak256(toHex("forged key")) }),
    unknownBatch: encodePayload({ form: "full", chainId, ledger, batchId: keccak256(toHex("no such batch")), index: 0, salt: salts[0]!, commitment: commitments[0]!, proof: getProof(tree, 0) }),
    outOfRange: encodePayload({ form: "full", chainId, ledger, batchId, index: 99, salt: salts[0]!, commitment: commitments[0]!, proof: getProof(tree, 0) }),
    revoked: full(4),
    redeemed: full(2),
    sellerMismatch: full(0, { seller: distC }),
    wrongChain: encodePayload({ form: "full", chainId: 56, ledger, batchId, index: 0, salt: salts[0]!, commitment: commitments[0]!, proof: getProof(tree, 0) }),
  };

  // The static export for this state (docs/INDEXER.md).
  const hop = (kind: ExportHop["kind"], from: Address | null, to: Address, start: number, end: number, r: { tx: Hex; block: number; timestamp: number }, authorized: boolean | null): ExportHop =>
    ({ kind, from, to, start, end, tx: r.tx, block: r.block, logIndex: 0, timestamp: r.timestamp, authorized, memo: from ? memo : null });
  const events: ExportHop[] = [
    hop("anchor", null, supplier, 0, COUNT, anchored, null),
    hop("transfer", supplier, distA, 0, 12, t1, true),
    hop("transfer", distA, retailerB, 0, 8, t2, true),
    hop("transfer", distA, distC, 8, 12, t3, false),
  ];
  const custody: ExportCustody = {
    batchId,
    count: COUNT,
    events,
    intervals: [
      { start: 0, end: 4, hops: [0, 1, 2], holder: retailerB, frozen: null },
      { start: 4, end: 6, hops: [0, 1, 2], holder: retailerB, frozen: "stolen" },
      { start: 6, end: 8, hops: [0, 1, 2], holder: retailerB, frozen: null },
      { start: 8, end: 12, hops: [0, 1, 3], holder: distC, frozen: null },
      { start: 12, end: 16, hops: [0], holder: supplier, frozen: null },
    ],
  };
  const head = await pub.getBlock();
  const summary = {
    batchId, supplier, label, root: tree.root, count: COUNT, productId: PROFILE("sku"), faceValue: "10000", currency: "CNY", expiresAt: 0, restricted: false,
    manifestHash: PROFILE("manifest"), manifestURI: "", anchored: { block: anchored.block, timestamp: anchored.timestamp, tx: anchored.tx },
    counts: { keys: COUNT, frozen: 2, redeemed: 1 }, transfers: 3, holders: 3,
  };
  const write = (rel: string, value: unknown) => {
    mkdirSync(join(exportDir, rel, ".."), { recursive: true });
    writeFileSync(join(exportDir, rel), typeof value === "string" || value instanceof Uint8Array ? value : `${JSON.stringify(value, null, 2)}\n`);
  };
  write("index.json", { formatVersion: 1, chainId, ledger, block: { number: Number(head.number), hash: head.hash, timestamp: Number(head.timestamp) }, digest: PROFILE("digest"), counts: { batches: 1, parties: 4, transfers: 3 } });
  write("batches.json", { batches: [summary] });
  write(`batches/${batchId}.json`, {
    ...summary,
    holderRanges: [
      { holder: retailerB, count: 8, ranges: [[0, 8]] },
      { holder: distC, count: 4, ranges: [[8, 12]] },
      { holder: supplier, count: 4, ranges: [[12, 16]] },
    ],
    frozen: [{ start: 4, end: 6, reason: "stolen" }],
    redeemedWords: [{ word: 0, mask: toHex(4n, { size: 32 }) }],
  });
  write(`batches/${batchId}/custody.json`, custody);
  const auth = (d: Address, tier: number) => ({ supplier, distributor: d, tier, expiresAt: year, certificateHash: PROFILE(`cert-${tier}`), valid: true });
  const partyList = [supplier, distA, retailerB, distC].map((a) => ({
    address: a, kind: registered[a]!.kind, profileHash: PROFILE(a), profileURI: "", accreditedUntil: year, suspended: false,
    registered: { block: registered[a]!.block, timestamp: registered[a]!.timestamp, tx: registered[a]!.tx }, batchesAnchored: a === supplier ? 1 : 0,
    holdings: { batches: a === distA ? 0 : 1, keys: a === retailerB ? 8 : a === distA ? 0 : 4, frozen: a === retailerB ? 2 : 0, redeemed: a === retailerB ? 1 : 0 },
  }));
  write("parties.json", { parties: partyList });
  for (const p of partyList) {
    write(`parties/${p.address}.json`, {
      ...p,
      holdingsByBatch: p.holdings.keys ? [{ batchId, ranges: p.address === retailerB ? [[0, 8]] : p.address === distC ? [[8, 12]] : [[12, 16]], keys: p.holdings.keys, frozen: p.holdings.frozen, redeemed: p.holdings.redeemed }] : [],
      authorizationsGiven: p.address === supplier ? [auth(distA, 1), auth(retailerB, 2)] : [],
      authorizationsReceived: p.address === distA ? [auth(distA, 1)] : p.address === retailerB ? [auth(retailerB, 2)] : [],
      redeemers: [], flowsIn: [], flowsOut: [],
    });
  }
  write("flows.json", { flows: [] });
  write("proofs/index.json", { shards: [{ batchId, root: tree.root, count: COUNT, shardSize: SHARD_SIZE, shardCount: COUNT / SHARD_SIZE, path: `proofs/${batchId}/`, manifestURI: "" }] });
  for (let s = 0; s < COUNT / SHARD_SIZE; s++) write(`proofs/${batchId}/${s}.bin`, encodeProofShard(buildProofShard(tree, packed, s, SHARD_SIZE)));

  return { ledger, chainId, batchId, parties: { admin, supplier, distA, retailerB, distC }, payloads, pinOf: (i) => PINS[i]! };
}
