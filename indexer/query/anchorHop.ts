import type { Address } from "viem";
import type { ExportHop } from "../../lib/formats/export.js";
import { encodeCheckpoint } from "../sync/encodeCheckpoint.js";
import type { EventRow } from "./rows.js";

/**
 * Hop 0 of every custody chain: the batch's anchoring, from nobody to its supplier, over all its keys.
 *
 * @param batch - the batch's supplier, key count and anchoring event.
 * @returns the anchoring hop.
 * @example
 * const hops = [anchorHop(batch), ...transfers.map(transferHop)];
 */
export function anchorHop(batch: EventRow & { supplier: Address; count: number }): ExportHop {
  return {
    kind: "anchor",
    from: null,
    to: batch.supplier,
    start: 0,
    end: batch.count,
    tx: batch.tx,
    block: batch.block,
    logIndex: batch.log_index,
    checkpoint: encodeCheckpoint(batch.block, batch.log_index),
    timestamp: batch.timestamp,
    authorized: null,
    memo: null,
  };
}
