import { encodeAbiParameters, keccak256 } from "viem";
import type { Hex } from "viem";

/** One key of a sale, as `sell` lists it. */
export type SaleItem = { batchId: Hex; index: bigint; commitment: Hex; orderRef: Hex };

/**
 * The Merkle leaf of one sale item, as the ledger computes it:
 * `keccak256(keccak256(abi.encode(batchId, index, commitment, orderRef)))` (OpenZeppelin
 * StandardMerkleTree's double hash, so a leaf is never mistaken for an inner node).
 *
 * @param item - the sale item.
 * @returns the 32-byte leaf.
 * @example
 * const leaf = saleLeaf({ batchId, index: 7n, commitment, orderRef });
 */
export function saleLeaf(item: SaleItem): Hex {
  const inner = keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint256" }, { type: "bytes32" }, { type: "bytes32" }],
      [item.batchId, item.index, item.commitment, item.orderRef],
    ),
  );
  return keccak256(inner);
}
