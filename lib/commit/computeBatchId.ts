import { encodeAbiParameters, keccak256 } from "viem";
import type { Address, Hex } from "viem";

/**
 * A batch's id: `keccak256(abi.encode(address supplier, string label))`, as the ledger's
 * `batchIdOf` computes it (docs/FORMATS.md, "batchId"). Known before anchoring; unique per
 * supplier and label.
 *
 * @param supplier The supplier's address.
 * @param label The supplier-chosen label (any string; UTF-8).
 * @returns The 32-byte batch id, lower-case hex.
 *
 * @example
 * computeBatchId("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "2026-11 telecom-a 100 CNY")
 */
export function computeBatchId(supplier: Address, label: string): Hex {
  return keccak256(encodeAbiParameters([{ type: "address" }, { type: "string" }], [supplier, label]));
}
