/**
 * Revocation reasons of IKeyLedger.RevocationReason (v1) and IKeyLedgerV2.RevocationReason, by enum
 * value (0 = not frozen; 6 "refunded" exists on v2 ledgers only, set by a sale refund). The one table
 * of these words: the verifier, the indexer export, the audit (findings, EPCIS, scorecards), the
 * CLI and the portal all read it, so a reason is spelled the same everywhere (docs/FORMATS.md).
 */
export const REVOCATION_REASONS = [
  "none",
  "stolen",
  "chargeback",
  "unauthorised-channel",
  "issuer-error",
  "other",
  "refunded",
] as const;

/** A revocation reason word, "none" included. */
export type RevocationReasonName = (typeof REVOCATION_REASONS)[number];

/** The reason a range is frozen, as a word ("none" excluded). */
export type FrozenReasonName = Exclude<RevocationReasonName, "none">;

/**
 * The word of a RevocationReason enum value.
 *
 * @param code - the enum value (0 = not frozen).
 * @returns the word, or undefined for a value outside the enum.
 * @example
 * revocationReasonName(3) // "unauthorised-channel"
 */
export function revocationReasonName(code: number): RevocationReasonName | undefined {
  return REVOCATION_REASONS[code];
}
