/**
 * Whether a party's accreditation holds at a time, as the ledger judges it (`KeyLedger._notExpired`):
 * `accreditedUntil` 0 means the registrar gave no expiry (accredited forever); otherwise the party
 * is accredited up to and including that second. Suspension is a separate flag, not judged here.
 *
 * @param accreditedUntil - the party's `accreditedUntil` (Unix seconds, 0 = never expires).
 * @param at - the time to judge at (Unix seconds), e.g. now or a block's timestamp.
 * @returns true while accredited.
 * @example
 * isAccredited(0, Date.now() / 1000) // true: registered with no expiry
 * isAccredited(1830297599, 1830297600) // false: expired one second ago
 */
export function isAccredited(accreditedUntil: number | bigint, at: number | bigint): boolean {
  const until = BigInt(accreditedUntil);
  return until === 0n || (typeof at === "bigint" ? at : BigInt(Math.floor(at))) <= until;
}
