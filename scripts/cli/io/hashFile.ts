import { existsSync, readFileSync } from "node:fs";
import { keccak256, type Hex } from "viem";
import { CliUsageError } from "../errors.js";

/**
 * keccak256 of a file's bytes (licence bundles, authorisation certificates: hashed, never uploaded).
 *
 * @param path - the file.
 * @param what - the flag, for the error.
 * @returns the hash.
 * @example
 * hashFile("authorisation-2026.pdf", "--certificate")
 */
export function hashFile(path: string, what: string): Hex {
  if (!existsSync(path)) throw new CliUsageError(`${what} ${path} does not exist.`);
  return keccak256(readFileSync(path));
}
