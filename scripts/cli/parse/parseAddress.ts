import { getAddress, isAddress, type Address } from "viem";
import { CliUsageError } from "../errors.js";

/**
 * Parses an address given on the command line or in a file.
 *
 * @param text - the input.
 * @param what - where it came from, for the error ("--to", "orders.csv line 4").
 * @returns the checksummed address.
 * @example
 * parseAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "--to")
 */
export function parseAddress(text: string, what: string): Address {
  const t = text.trim();
  if (!isAddress(t, { strict: false }))
    throw new CliUsageError(`${what} ${JSON.stringify(text)} is not an address: expected 0x and 40 hex digits.`);
  return getAddress(t);
}
