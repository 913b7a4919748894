import type { LedgerEvent, LedgerState } from "./types.js";
import { applyToDraft, type DraftLedgerState } from "./internal/applyToDraft.js";

/**
 * Applies events in order to a state and returns the new state; the input state is left
 * untouched (its containers are copied once per call, batches copied on first write). Prefer it
 * over folding {@link applyLedgerEvent} when applying many events: the copy is paid once.
 *
 * @param state The state before the events.
 * @param events Decoded logs in chain order (block number, then log index).
 * @returns The state after the events.
 * @example
 * const state = applyLedgerEvents(createLedgerState(), events);
 * const digest = computeStateDigest(toSnapshot(state));
 */
export function applyLedgerEvents(state: LedgerState, events: Iterable<LedgerEvent>): LedgerState {
  const draft: DraftLedgerState = {
    parties: new Map(state.parties),
    rekeyProposals: new Map(state.rekeyProposals),
    authorizations: new Map(state.authorizations),
    redeemers: new Map(state.redeemers),
    batches: new Map(state.batches),
    roles: new Map(state.roles),
    eventCount: state.eventCount,
    last: state.last,
  };
  const owned = new Set<object>();
  for (const event of events) applyToDraft(draft, owned, event);
  return draft;
}
