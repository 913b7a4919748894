import type { VerifyResult } from "../../../lib/verify/types.js";

/**
 * The JSON form of a verification printed by `keytrail verify --json`: the verdict first, then the
 * facts; errors as their messages, the decoded payload without its salt (the salt plus the
 * commitment is what a brute-force of a weak key would need, so it is not echoed) and without its
 * receipt secret (a bearer credential of the buyer: whoever holds it can claim the purchase).
 *
 * @param r - the result of verifyPayload.
 * @returns a plain object.
 * @example
 * out.json(toVerifyJson(result));
 */
export function toVerifyJson(r: VerifyResult): Record<string, unknown> {
  const { payload, checks, verdict, ...rest } = r as VerifyResult & { error?: unknown };
  const o: Record<string, unknown> = { verdict, ...rest };
  if ("error" in r && r.error !== undefined) o.error = r.error instanceof Error ? r.error.message : String(r.error);
  if (payload) {
    const { salt: _salt, receiptSecret, ...p } = payload;
    o.payload = receiptSecret !== undefined ? { ...p, receiptSecret: "(present, not shown)" } : p;
  }
  o.checks = checks;
  return o;
}
