import { REVOCATION_REASONS } from "./revocationReasons.js";

const HEX = /^0x[0-9a-fA-F]*$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const KEYS = [
  "root",
  "supplier",
  "count",
  "expiresAt",
  "restricted",
  "holder",
  "segmentStart",
  "segmentEnd",
  "frozenReason",
  "redeemed",
  "ledgerVersion",
  "saleRequired",
  "issuerSuspended",
  "frozenByRegulator",
  "supplierReason",
  "saleNo",
  "sold",
  "refunded",
  "saleRoot",
];

/**
 * Checks a key status from any source (viem, a hand-written RPC decoder, a cache) against the
 * rules of `keyStatusSchema` (lib/schemas), without loading zod: this runs in the portal bundle.
 * The tests assert that both agree.
 *
 * @param value What a status source returned.
 * @returns The problems, empty when `value` is a valid `KeyStatus`.
 *
 * @example
 * const problems = checkKeyStatus(await fetchStatus(q));
 * if (problems.length) throw new Error(problems.join("; "));
 */
export function checkKeyStatus(value: unknown): string[] {
  if (value === null || typeof value !== "object") return ["expected an object"];
  const s = value as Record<string, unknown>;
  const problems: string[] = [];
  const u64 = (k: string) => {
    const v = s[k];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
      problems.push(`${k}: expected a non-negative safe integer`);
  };
  const hex = (k: string, digits: number) => {
    const v = s[k];
    if (typeof v !== "string" || v.length !== digits + 2 || !HEX.test(v))
      problems.push(`${k}: expected 0x followed by ${digits} hex digits`);
  };
  hex("root", 64);
  for (const k of ["supplier", "holder"])
    if (typeof s[k] !== "string" || !ADDRESS.test(s[k] as string)) problems.push(`${k}: expected an address`);
  for (const k of ["count", "expiresAt", "segmentStart", "segmentEnd"]) u64(k);
  for (const k of ["restricted", "redeemed"]) if (typeof s[k] !== "boolean") problems.push(`${k}: expected a boolean`);
  if (!(REVOCATION_REASONS as readonly unknown[]).includes(s.frozenReason))
    problems.push(`frozenReason: expected one of ${REVOCATION_REASONS.join(", ")}`);
  // v2 fields: optional, typed when present
  if (s.ledgerVersion !== undefined && s.ledgerVersion !== 1 && s.ledgerVersion !== 2)
    problems.push("ledgerVersion: expected 1 or 2");
  for (const k of ["saleRequired", "issuerSuspended", "frozenByRegulator", "sold", "refunded"])
    if (s[k] !== undefined && typeof s[k] !== "boolean") problems.push(`${k}: expected a boolean`);
  if (s.supplierReason !== undefined && !(REVOCATION_REASONS as readonly unknown[]).includes(s.supplierReason))
    problems.push(`supplierReason: expected one of ${REVOCATION_REASONS.join(", ")}`);
  if (
    s.saleNo !== undefined &&
    (typeof s.saleNo !== "number" || !Number.isInteger(s.saleNo) || s.saleNo < 0 || s.saleNo > 0xffffffff)
  )
    problems.push("saleNo: expected a non-negative integer");
  if (s.saleRoot !== undefined) hex("saleRoot", 48);
  for (const k of Object.keys(s)) if (!KEYS.includes(k)) problems.push(`${k}: unknown field`);
  return problems;
}
