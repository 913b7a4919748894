import { CliUsageError } from "../errors.js";

/**
 * Parses a point in time for expiries: "never"/"0", Unix seconds, an ISO date ("2027-12-31", end
 * of that day UTC) or date-time, or a duration from now ("365d", "12h").
 *
 * @param text - the input.
 * @param what - the flag, for the error.
 * @returns Unix seconds (0n = never).
 * @example
 * parseTime("2027-12-31", "--expires") // 1830297599n
 */
export function parseTime(text: string, what: string): bigint {
  const t = text.trim();
  if (t === "never" || t === "0") return 0n;
  if (/^\d{9,11}$/.test(t)) return BigInt(t);
  const dur = /^(\d+)\s*([dhm])$/.exec(t);
  if (dur) {
    const mult = { d: 86400, h: 3600, m: 60 }[dur[2] as "d" | "h" | "m"];
    return BigInt(Math.floor(Date.now() / 1000) + Number(dur[1]) * mult);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const ms = Date.parse(`${t}T23:59:59Z`);
    if (!Number.isNaN(ms)) return BigInt(ms / 1000);
  }
  const ms = Date.parse(t);
  if (!Number.isNaN(ms) && /^\d{4}-\d{2}-\d{2}T/.test(t)) return BigInt(Math.floor(ms / 1000));
  throw new CliUsageError(
    `${what} ${JSON.stringify(text)} is not a time: expected never, a date (2027-12-31), a date-time, Unix seconds, or a duration (365d).`,
  );
}
