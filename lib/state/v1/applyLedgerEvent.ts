import type { LedgerEvent, LedgerState } from "./types.js";
import { applyLedgerEvents } from "./applyLedgerEvents.js";

/**
 * The ledger reducer: the state after one event. Pure: the input state is not modified and the
 * result depends only on the state and the event. Lenient: events the contract would refuse to
 * emit are applied as far as they make sense and never throw (the audit rules judge them).
 *
 * Semantics per event: parties registered / updated / suspended / reinstated; authorisations set
 * or deleted; redeemers allowed or deleted; `BatchAnchored` gives the supplier `[0, count)`;
 * `CustodyTransferred` sets the holder of `[start, end)`; `KeysRevoked` / `KeysReinstated` set or
 * clear the frozen reason of `[start, end)`; `KeysRedeemed` ORs the mask into its word;
 * `RoleGranted` / `RoleRevoked` track AccessControl roles.
 *
 * @param state The state before the event.
 * @param event A decoded log with its block number, block hash, log index, tx hash and timestamp.
 * @returns The state after the event.
 * @example
 * let state = createLedgerState();
 * for (const event of events) state = applyLedgerEvent(state, event);
 */
export function applyLedgerEvent(state: LedgerState, event: LedgerEvent): LedgerState {
  return applyLedgerEvents(state, [event]);
}
