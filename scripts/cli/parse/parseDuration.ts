import { CliUsageError } from "../errors.js";

/**
 * Parses a length of time: whole seconds ("86400") or a number with a unit ("1d", "12h", "30m",
 * "45s"). Bounded to what a uint48 holds.
 *
 * @param text - the input.
 * @param what - the flag, for the error.
 * @returns the seconds.
 * @example
 * parseDuration("1d", "--admin-delay") // 86400
 */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+)\s*([dhms]?)$/.exec(text.trim());
  if (!m)
    throw new CliUsageError(
      `${what} ${JSON.stringify(text)} is not a duration: expected seconds or a number with d, h, m or s (e.g. 1d).`,
    );
  const seconds = Number(m[1]) * { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "" | "s" | "m" | "h" | "d"];
  if (!Number.isSafeInteger(seconds) || seconds >= 2 ** 48)
    throw new CliUsageError(`${what} ${JSON.stringify(text)} is too long: at most 2^48-1 seconds.`);
  return seconds;
}
