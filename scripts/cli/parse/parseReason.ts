import { REVOCATION_REASONS } from "../../../lib/verify/revocationReasons.js";
import { CliUsageError } from "../errors.js";

/** Reason code 6 ("refunded", v2): set by a sale refund, never given to revoke. */
const REFUNDED = 6;

/** Short and American spellings the CLI also accepts, mapped to the reason word. */
const ALIASES: Readonly<Record<string, string>> = {
  unauthorised: "unauthorised-channel",
  unauthorized: "unauthorised-channel",
};

/**
 * Parses a revocation reason name into the contract's enum value.
 *
 * @param text - stolen | chargeback | unauthorised-channel (or unauthorised) | issuer-error | other;
 *   case-insensitive, `_` for `-` and the American "unauthorized" are accepted.
 * @returns 1-5.
 * @example
 * parseReason("stolen") // 1
 */
export function parseReason(text: string): number {
  const t = text.trim().toLowerCase().replace("unauthorized", "unauthorised").replaceAll("_", "-");
  const i = (REVOCATION_REASONS as readonly string[]).indexOf(ALIASES[t] ?? t);
  // "refunded" (v2) is set by a sale refund only: the ledger refuses it as a revocation reason.
  if (i < 1 || i === REFUNDED)
    throw new CliUsageError(
      `--reason ${JSON.stringify(text)} is not a revocation reason: expected one of ${REVOCATION_REASONS.slice(1, REFUNDED).join(", ")}.`,
    );
  return i;
}
