import { MerkleArgumentError } from "./errors.js";
import type { MerkleTree } from "./types.js";

/**
 * {@link getProof} as packed bytes (32 bytes per sibling, bottom-up), without hex strings: for producing
 * proofs in bulk. Pass `out` (at least 32 × depth bytes) to reuse one buffer: the result is then a view of it.
 *
 * @param tree - from `buildTree`.
 * @param index - the leaf index, 0 <= index < tree.count.
 * @param out - optional buffer to write into.
 * @returns the sibling nodes, packed (a view of `out` when given).
 * @throws {MerkleArgumentError} for an index out of range or an `out` buffer too small.
 * @example
 * const bytes = getProofBytes(tree, 7); // bytes.length / 32 nodes
 */
export function getProofBytes(tree: MerkleTree, index: number, out?: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0 || index >= tree.count)
    throw new MerkleArgumentError(`Invalid leaf index ${index}: expected an integer from 0 to ${tree.count - 1}.`);
  const depth = tree.layers.length - 1;
  if (out !== undefined && out.length < depth * 32)
    throw new MerkleArgumentError(`Invalid output buffer of ${out.length} bytes: expected at least ${depth * 32}.`);
  const o = out ?? new Uint8Array(depth * 32);
  let n = 0;
  let i = index;
  for (let h = 0; h < depth; h++) {
    const layer = tree.layers[h]!;
    const sibling = i ^ 1;
    if (sibling * 32 < layer.length) {
      o.set(layer.subarray(sibling * 32, sibling * 32 + 32), n * 32);
      n++;
    }
    i >>>= 1;
  }
  if (out !== undefined) return out.subarray(0, n * 32);
  return n === depth ? o : o.slice(0, n * 32);
}
