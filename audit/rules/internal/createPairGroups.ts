import type { Address, Hex } from "viem";
import type { BatchState, LedgerEvent, LedgerState } from "../../../lib/state/types.js";
import { lc } from "./helpers.js";

/** One custody transfer of a known batch, as a pair grouping sees it (addresses and batch id lowercase). */
export type PairTransfer = {
  event: Extract<LedgerEvent, { eventName: "CustodyTransferred" }>;
  state: LedgerState;
  batch: BatchState;
  batchId: Hex;
  from: Address;
  to: Address;
};

/**
 * Groups custody transfers per transaction and per (from, to) pair: `open` makes a pair's group from its first
 * transfer, `add` adds every transfer (the first too). `push` returns the groups of the previous transaction once
 * a new transaction starts; `flush` returns the pending ones. Transfers of unknown batches are left out.
 *
 * @param open - the new group of a pair
 * @param add - adds a transfer to its group
 * @returns push and flush
 * @example
 * const groups = createPairGroups((t) => ({ keys: 0 }), (g, t) => void (g.keys += 1));
 */
export function createPairGroups<G>(open: (t: PairTransfer) => G, add: (g: G, t: PairTransfer) => void) {
  let tx: Hex | null = null;
  let groups = new Map<string, G>();
  const flush = (): G[] => {
    const out = [...groups.values()];
    groups = new Map();
    return out;
  };
  return {
    push(event: LedgerEvent, state: LedgerState): G[] {
      const done = event.txHash !== tx ? flush() : [];
      tx = event.txHash;
      if (event.eventName !== "CustodyTransferred") return done;
      const batchId = lc(event.args.batchId);
      const batch = state.batches.get(batchId);
      if (!batch) return done;
      const t: PairTransfer = { event, state, batch, batchId, from: lc(event.args.from), to: lc(event.args.to) };
      const key = `${t.from}:${t.to}`;
      let g = groups.get(key);
      if (!g) {
        g = open(t);
        groups.set(key, g);
      }
      add(g, t);
      return done;
    },
    flush,
  };
}
