import { REVOCATION_REASONS } from "../../../lib/verify/revocationReasons.js";

/**
 * The word of a RevocationReason enum value, as the CLI prints it (the one table in
 * lib/verify/revocationReasons.ts).
 *
 * @param reason - the enum value (0-5).
 * @returns e.g. "stolen".
 * @example
 * reasonName(3) // "unauthorised-channel"
 */
export function reasonName(reason: number): string {
  return (REVOCATION_REASONS as readonly string[])[reason] ?? (reason === 6 ? "refunded" : `reason ${reason}`);
}
