import { CliUsageError } from "../errors.js";

/** A half-open index range [start, end) as the contract takes it. */
export type IndexRange = { start: bigint; end: bigint };

/**
 * Parses an inclusive index range as people write it ("0-9999" is 10,000 keys; "42" is one key)
 * into the contract's half-open form.
 *
 * @param text - the input.
 * @param what - where it came from, for the error ("--range").
 * @returns the {@link IndexRange} with `end` exclusive.
 * @example
 * parseRange("0-9999", "--range") // { start: 0n, end: 10000n }
 */
export function parseRange(text: string, what: string): IndexRange {
  const m = /^\s*(\d+)\s*(?:[-–]\s*(\d+)\s*)?$/.exec(text);
  if (!m)
    throw new CliUsageError(
      `${what} ${JSON.stringify(text)} is not a range: expected FIRST-LAST (inclusive, e.g. 0-9999) or one index.`,
    );
  const start = BigInt(m[1]!);
  const last = m[2] === undefined ? start : BigInt(m[2]);
  if (last < start) throw new CliUsageError(`${what} ${JSON.stringify(text)} ends before it starts.`);
  if (last >= 1n << 48n)
    throw new CliUsageError(`${what} ${JSON.stringify(text)} reaches past the largest index (2^48-1).`);
  return { start, end: last + 1n };
}
