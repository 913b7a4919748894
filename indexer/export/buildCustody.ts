import type { Address, Hex } from "viem";
import type { ExportCustody, ExportHop } from "../../lib/formats/export.js";
import type { Sql } from "../store/types.js";
import { anchorHop } from "../query/anchorHop.js";
import { frozenReasonName } from "../query/names.js";
import type { EventRow, TransferRow } from "../query/rows.js";
import { transferHop } from "../query/transferHop.js";

/**
 * Every key's custody chain of one batch, compactly (see `ExportCustody`): the batch's anchoring
 * and transfers in chain order, and the partition of [0, count) into maximal intervals of keys
 * with the same chain, current holder and frozen reason. A sweep over range edges: O(n log n).
 *
 * @param sql - the store.
 * @param parameters.batchId - the batch.
 * @returns the custody file's content, or null when the batch is unknown.
 * @example
 * const custody = await buildCustody(store, { batchId });
 */
export async function buildCustody(sql: Sql, parameters: { batchId: Hex }): Promise<ExportCustody | null> {
  const batchId = parameters.batchId.toLowerCase() as Hex;
  const b = (
    await sql.query<EventRow & { batch_no: number; supplier: Address; count: number }>(
      "SELECT batch_no, supplier, count, block, log_index, tx, timestamp FROM kt_batches WHERE batch_id = $1",
      [batchId],
    )
  )[0];
  if (!b) return null;
  const ts = await sql.query<TransferRow>(
    "SELECT block, log_index, tx, timestamp, from_addr, to_addr, seg_start, seg_end, memo, authorized FROM kt_transfers WHERE batch_no = $1 ORDER BY block, log_index",
    [b.batch_no],
  );
  const segs = await sql.query<{ seg_start: number; seg_end: number; holder: Address; frozen: number }>(
    "SELECT seg_start, seg_end, holder, frozen FROM kt_segments WHERE batch_no = $1 AND to_block IS NULL ORDER BY seg_start",
    [b.batch_no],
  );
  const events: ExportHop[] = [anchorHop(b), ...ts.map(transferHop)];
  const opens = new Map<number, number[]>();
  const closes = new Map<number, number[]>();
  const points = new Set<number>([0, b.count]);
  events.forEach((e, i) => {
    if (i === 0) return;
    (opens.get(e.start) ?? opens.set(e.start, []).get(e.start)!).push(i);
    (closes.get(e.end) ?? closes.set(e.end, []).get(e.end)!).push(i);
    points.add(e.start).add(e.end);
  });
  for (const s of segs) points.add(s.seg_start).add(s.seg_end);
  const sorted = [...points].filter((p) => p >= 0 && p <= b.count).sort((x, y) => x - y);
  const active = new Set<number>();
  const intervals: ExportCustody["intervals"] = [];
  let si = 0;
  for (let k = 0; k + 1 < sorted.length; k++) {
    const a = sorted[k]!;
    const z = sorted[k + 1]!;
    for (const i of closes.get(a) ?? []) active.delete(i);
    for (const i of opens.get(a) ?? []) active.add(i);
    while (si < segs.length && segs[si]!.seg_end <= a) si++;
    const seg = segs[si];
    const holder = seg && seg.seg_start <= a ? seg.holder : b.supplier;
    const frozen = seg && seg.seg_start <= a ? frozenReasonName(seg.frozen) : null;
    const hops = [0, ...[...active].sort((x, y) => x - y)];
    const prev = intervals[intervals.length - 1];
    if (
      prev &&
      prev.end === a &&
      prev.holder === holder &&
      prev.frozen === frozen &&
      prev.hops.length === hops.length &&
      prev.hops.every((h, i) => h === hops[i])
    ) {
      prev.end = z;
    } else {
      intervals.push({ start: a, end: z, hops, holder, frozen });
    }
  }
  return { batchId, count: b.count, events, intervals };
}
