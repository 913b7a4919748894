import { CliUsageError } from "../errors.js";
import { REASON_NAMES } from "./reasonName.js";

/**
 * Parses a revocation reason name into the contract's enum value.
 *
 * @param text - stolen | chargeback | unauthorised | issuer-error | other.
 * @returns 1-5.
 * @example
 * parseReason("stolen") // 1
 */
export function parseReason(text: string): number {
  const t = text.trim().toLowerCase().replace("unauthorized", "unauthorised").replace("_", "-").replace("unauthorised-channel", "unauthorised");
  const i = REASON_NAMES.indexOf(t as (typeof REASON_NAMES)[number]);
  if (i < 1) throw new CliUsageError(`--reason ${JSON.stringify(text)} is not a revocation reason: expected one of ${REASON_NAMES.slice(1).join(", ")}.`);
  return i;
}
