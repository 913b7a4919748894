import type { KeccakKernel } from "../hash/types.js";
import { MerkleArgumentError } from "./errors.js";
import { readHex32 } from "./internal/hex.js";
import { layerSizes } from "./layerSizes.js";
import type { MerkleTree } from "./types.js";

/** Parameters of {@link buildTree}: the leaves, or the lower layers already computed (e.g. by workers). */
export type BuildTreeParameters =
  { leaves: Uint8Array; lowerLayers?: undefined } | { leaves?: undefined; lowerLayers: readonly Uint8Array[] };

/**
 * Builds the layered Merkle tree of docs/MERKLE.md: leaves in index order, pairs hashed sorted, an odd last
 * node promoted unchanged (merkletreejs `sortPairs: true` without `duplicateOdd`). Every layer is kept, so any
 * proof is a lookup (see `getProof`).
 *
 * @param kernel - the batch keccak kernel (`createKeccakKernel`).
 * @param parameters - `leaves` (packed 32-byte leaves, at least one), or `lowerLayers`: layers 0 … k already
 *   built, each the right size for the leaf count; building continues from the last.
 * @returns the tree.
 * @throws {MerkleArgumentError} for no leaves or layers of the wrong size.
 * @example
 * const tree = buildTree(kernel, { leaves: kernel.leaves(batchId, 0, commitments, count) });
 * tree.root
 */
export function buildTree(kernel: KeccakKernel, parameters: BuildTreeParameters): MerkleTree {
  const given = parameters.lowerLayers ?? (parameters.leaves === undefined ? [] : [parameters.leaves]);
  const leaves = given[0];
  if (leaves === undefined || leaves.length === 0 || leaves.length % 32 !== 0)
    throw new MerkleArgumentError(
      `Invalid leaves of ${leaves?.length ?? 0} bytes: expected at least one 32-byte leaf, packed.`,
    );
  const count = leaves.length / 32;
  const sizes = layerSizes(count);
  if (given.length > sizes.length)
    throw new MerkleArgumentError(
      `Invalid lower layers: ${given.length} given, a tree of ${count} leaves has ${sizes.length}.`,
    );
  const layers: Uint8Array[] = [];
  for (let h = 0; h < given.length; h++) {
    const layer = given[h]!;
    if (layer.length !== sizes[h]! * 32)
      throw new MerkleArgumentError(
        `Invalid layer ${h} of ${layer.length} bytes: expected ${sizes[h]} nodes of 32 bytes for ${count} leaves.`,
      );
    layers.push(layer);
  }
  while (layers.length < sizes.length) {
    const h = layers.length - 1;
    layers.push(kernel.hashPairs(layers[h]!, sizes[h]!));
  }
  return { count, layers, root: readHex32(layers[layers.length - 1]!, 0) };
}
