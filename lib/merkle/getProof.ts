import type { Hex } from "viem";
import { MerkleArgumentError } from "./errors.js";
import { readHex32Many } from "./internal/hex.js";
import type { MerkleTree } from "./types.js";

/**
 * The Merkle proof of leaf `index`: its sibling at each height, bottom-up, skipping heights where the node is a
 * promoted odd node (it has no sibling). Verifies with `verifyProof`, OpenZeppelin's `MerkleProof.verify` and
 * `StandardMerkleTree.verify`.
 *
 * @param tree - from `buildTree`.
 * @param index - the leaf index, 0 <= index < tree.count.
 * @returns the sibling nodes, lower-case hex.
 * @throws {MerkleArgumentError} for an index out of range.
 * @example
 * const proof = getProof(tree, 7);
 */
export function getProof(tree: MerkleTree, index: number): Hex[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= tree.count)
    throw new MerkleArgumentError(`Invalid leaf index ${index}: expected an integer from 0 to ${tree.count - 1}.`);
  const layers: Uint8Array[] = [];
  const offsets: number[] = [];
  let i = index;
  for (let h = 0; h < tree.layers.length - 1; h++) {
    const layer = tree.layers[h]!;
    const sibling = i ^ 1;
    if (sibling * 32 < layer.length) {
      layers.push(layer);
      offsets.push(sibling * 32);
    }
    i >>>= 1;
  }
  return readHex32Many(layers, offsets, layers.length);
}
