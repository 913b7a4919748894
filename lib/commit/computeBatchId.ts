import { encodeAbiParameters, keccak256 } from "viem";
import type { Address, Hex } from "viem";
import { CommitArgumentError } from "./errors.js";

/**
 * A batch's id: `keccak256(abi.encode(address supplier, string label))`, as the ledger's
 * `batchIdOf` computes it (docs/FORMATS.md, "batchId"). Known before anchoring; unique per
 * supplier and label.
 *
 * @param supplier The supplier's address.
 * @param label The supplier-chosen label (any string; UTF-8).
 * @returns The 32-byte batch id, lower-case hex.
 * @throws {CommitArgumentError} when the supplier is not an address or the label not a string.
 *
 * @example
 * computeBatchId("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "2026-11 telecom-a 100 CNY")
 */
export function computeBatchId(supplier: Address, label: string): Hex {
  if (typeof supplier !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(supplier))
    throw new CommitArgumentError(
      `Invalid supplier address ${JSON.stringify(supplier)}: expected 0x followed by 40 hex digits.`,
    );
  if (typeof label !== "string")
    throw new CommitArgumentError(`Invalid batch label ${JSON.stringify(label)}: expected a string.`);
  // Checksums are not enforced: the address bytes are what is hashed.
  return keccak256(
    encodeAbiParameters([{ type: "address" }, { type: "string" }], [supplier.toLowerCase() as Address, label]),
  );
}
