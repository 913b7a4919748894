import { MerkleArgumentError } from "./errors.js";
import type { MerkleTree } from "./types.js";

/**
 * {@link getProof} as packed bytes (32 bytes per sibling, bottom-up), without hex strings: for producing
 * proofs in bulk.
 *
 * @param tree - from `buildTree`.
 * @param index - the leaf index, 0 <= index < tree.count.
 * @returns the sibling nodes, packed.
 * @throws {MerkleArgumentError} for an index out of range.
 * @example
 * const bytes = getProofBytes(tree, 7); // bytes.length / 32 nodes
 */
export function getProofBytes(tree: MerkleTree, index: number): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0 || index >= tree.count)
    throw new MerkleArgumentError(`Invalid leaf index ${index}: expected an integer from 0 to ${tree.count - 1}.`);
  const out = new Uint8Array((tree.layers.length - 1) * 32);
  let n = 0;
  let i = index;
  for (let h = 0; h < tree.layers.length - 1; h++) {
    const layer = tree.layers[h]!;
    const sibling = i ^ 1;
    if (sibling * 32 < layer.length) {
      for (let k = 0, from = sibling * 32, to = n * 32; k < 32; k++) out[to + k] = layer[from + k]!;
      n++;
    }
    i >>>= 1;
  }
  return n * 32 === out.length ? out : out.slice(0, n * 32);
}
