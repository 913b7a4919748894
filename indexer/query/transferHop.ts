import type { ExportHop } from "../../lib/formats/export.js";
import { encodeCheckpoint } from "../sync/encodeCheckpoint.js";
import type { TransferRow } from "./rows.js";

/**
 * A custody hop from a `kt_transfers` row.
 *
 * @param t - the transfer row.
 * @returns the transfer hop.
 * @example
 * const hops = [anchorHop(batch), ...transfers.map(transferHop)];
 */
export function transferHop(t: TransferRow): ExportHop {
  return {
    kind: "transfer",
    from: t.from_addr,
    to: t.to_addr,
    start: t.seg_start,
    end: t.seg_end,
    tx: t.tx,
    block: t.block,
    logIndex: t.log_index,
    checkpoint: encodeCheckpoint(t.block, t.log_index),
    timestamp: t.timestamp,
    authorized: t.authorized,
    memo: t.memo,
  };
}
