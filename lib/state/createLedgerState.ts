import type { LedgerState } from "./types.js";

/**
 * The empty ledger state: what a freshly deployed KeyLedger v2 holds before its first event.
 *
 * @returns A new, empty {@link LedgerState}.
 * @example
 * const state = applyLedgerEvents(createLedgerState(), events);
 */
export function createLedgerState(): LedgerState {
  return {
    parties: new Map(),
    rekeyProposals: new Map(),
    authorizations: new Map(),
    redeemers: new Map(),
    batches: new Map(),
    roles: new Map(),
    eventCount: 0,
    last: null,
  };
}
