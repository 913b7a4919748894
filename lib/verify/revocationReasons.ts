/** Revocation reasons of IKeyLedger.RevocationReason, by enum value (0 = not frozen). */
export const REVOCATION_REASONS = ["none", "stolen", "chargeback", "unauthorised-channel", "issuer-error", "other"] as const;
