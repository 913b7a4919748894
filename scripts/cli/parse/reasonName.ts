/** The CLI names of the revocation reasons, in the contract's enum order (0 = None). */
export const REASON_NAMES = ["none", "stolen", "chargeback", "unauthorised", "issuer-error", "other"] as const;

/**
 * The CLI name of a RevocationReason enum value.
 *
 * @param reason - the enum value (0-5).
 * @returns e.g. "stolen".
 * @example
 * reasonName(1) // "stolen"
 */
export function reasonName(reason: number): string {
  return REASON_NAMES[reason] ?? `reason ${reason}`;
}
