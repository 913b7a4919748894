import type { Address, Hex } from "viem";
import type { LedgerEvent } from "../../../lib/state/types.js";
import type { ResolvedAuditOptions } from "../../types.js";
import { createPairGroups } from "./createPairGroups.js";
import { identityOf, shareOfLimit } from "./limits.js";

/** The custody transfers of one transaction from one party to another (a bulk `transferMany` counts once). */
export type TransferGroup = {
  first: LedgerEvent;
  events: LedgerEvent[];
  from: Address;
  to: Address;
  /** Stable identities (party id when registered) of sender and recipient. */
  fromId: string;
  toId: string;
  keys: number;
  /** Sum over the group's batches of their keys' share of the volume limit (docs/AUDIT.md). */
  share: number;
  timestamp: number;
  supplier: Address | null;
  batchId: Hex | null;
};

/**
 * Collects custody transfers into per-transaction, per-pair groups. `push` returns the groups of
 * the previous transaction once a new transaction starts; `flush` returns the pending ones.
 */
export function createTransferGroups(options: ResolvedAuditOptions) {
  return createPairGroups<TransferGroup>(
    ({ event, state, batch, batchId, from, to }) => ({
      first: event,
      events: [],
      from,
      to,
      fromId: identityOf(state, from),
      toId: identityOf(state, to),
      keys: 0,
      share: 0,
      timestamp: Number(event.timestamp),
      supplier: batch.record.supplier,
      batchId,
    }),
    (g, { event, batch, batchId }) => {
      const n = event.args.end > event.args.start ? Number(event.args.end - event.args.start) : 0;
      g.events.push(event);
      g.keys += n;
      g.share += shareOfLimit(batch.record, n, options);
      if (g.supplier !== batch.record.supplier) g.supplier = null;
      if (g.batchId !== batchId) g.batchId = null;
    },
  );
}
