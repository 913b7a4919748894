/**
 * manifest.json, the public manifest of a sealed batch (docs/FORMATS.md): written by `batch seal`,
 * read back by `batch anchor`, `batch link`, `batch labels` and `keytrail export --shards-from`.
 * Its keccak256 is the manifestHash anchored on chain, so its bytes are never rewritten.
 */
import type { Address, Hex } from "viem";

/** The public batch manifest (manifest.json), as `batch seal` writes it. */
export type BatchManifest = {
  formatVersion: 1;
  chainId: number;
  ledger: Address;
  supplier: Address;
  label: string;
  batchId: Hex;
  root: Hex;
  count: number;
  productId: string;
  gtin?: string;
  faceValue: string;
  currency: string;
  expiresAt: number;
  restricted: boolean;
  shardSize: number;
  shardCount: number;
  keyCase: "exact" | "upper";
  leafEncoding: "keccak256(bytes.concat(keccak256(abi.encode(bytes32 batchId, uint256 index, bytes32 commitment))))";
  treeLayout: "sorted-pairs, leaves in index order, odd node promoted";
  createdAt: string;
};
