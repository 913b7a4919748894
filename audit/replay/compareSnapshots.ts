import type { Hex } from "viem";
import { computeStateDigest } from "../../lib/state/v1/computeStateDigest.js";
import { diffSnapshots, type SnapshotDifference } from "../../lib/state/v1/diffSnapshots.js";
import type { LedgerSnapshot } from "../../lib/state/v1/types.js";
import type { Divergence, SnapshotComparison } from "../../lib/formats/auditReport.js";

const jsonSafe = (v: unknown): unknown =>
  JSON.parse(JSON.stringify(v ?? null, (_k, x) => (typeof x === "bigint" ? x.toString() : x)));

/** Words for one snapshot difference. */
export function describeDifference(d: SnapshotDifference): Divergence {
  switch (d.kind) {
    case "party":
      return {
        kind: d.kind,
        batchId: null,
        party: d.party,
        index: null,
        message: `Party ${d.party} differs.`,
        replay: jsonSafe(d.left),
        indexer: jsonSafe(d.right),
      };
    case "authorization":
      return {
        kind: d.kind,
        batchId: null,
        party: d.distributor,
        index: null,
        message: `Authorisation ${d.supplier} -> ${d.distributor} differs.`,
        replay: jsonSafe(d.left),
        indexer: jsonSafe(d.right),
      };
    case "redeemer":
      return {
        kind: d.kind,
        batchId: null,
        party: d.redeemer,
        index: null,
        message: `Redeemer ${d.redeemer} of ${d.supplier} differs.`,
        replay: jsonSafe(d.left),
        indexer: jsonSafe(d.right),
      };
    case "batch":
      return {
        kind: d.kind,
        batchId: d.batchId,
        party: null,
        index: null,
        message: `Batch ${d.batchId}: its anchored record differs.`,
        replay: jsonSafe(d.left),
        indexer: jsonSafe(d.right),
      };
    case "custody":
      return {
        kind: d.kind,
        batchId: d.batchId,
        party: (d.left?.holder ?? d.right?.holder ?? null) as Hex | null,
        index: Number(d.index),
        message: `Batch ${d.batchId}: custody differs from key ${d.index} (replay: ${d.left ? `${d.left.holder} [${d.left.start}, ${d.left.end}) frozen ${d.left.frozenReason}` : "nothing"}; indexer: ${d.right ? `${d.right.holder} [${d.right.start}, ${d.right.end}) frozen ${d.right.frozenReason}` : "nothing"}).`,
        replay: jsonSafe(d.left),
        indexer: jsonSafe(d.right),
      };
    case "redemption":
      return {
        kind: d.kind,
        batchId: d.batchId,
        party: null,
        index: Number(d.wordIndex),
        message: `Batch ${d.batchId}: redemption word ${d.wordIndex} differs (replay 0x${d.left.toString(16)}, indexer 0x${d.right.toString(16)}).`,
        replay: `0x${d.left.toString(16)}`,
        indexer: `0x${d.right.toString(16)}`,
      };
  }
}

/**
 * Compares the replay's snapshot with an indexer's: digests, and when they differ the first
 * divergence (which party, authorisation, batch record, custody range or redemption word).
 *
 * @param replay The snapshot rebuilt from raw logs.
 * @param indexer The indexer's snapshot at the same block.
 * @returns Digests, whether they match, and the first divergence.
 * @example
 * const c = compareSnapshots(toSnapshot(state), await buildSnapshot(store, { block }));
 * if (!c.match) console.log(c.firstDivergence?.message);
 */
export function compareSnapshots(replay: LedgerSnapshot, indexer: LedgerSnapshot): SnapshotComparison {
  const replayDigest = computeStateDigest(replay);
  const indexerDigest = computeStateDigest(indexer);
  if (replayDigest === indexerDigest)
    return { match: true, replayDigest, indexerDigest, firstDivergence: null, differences: 0 };
  const diffs = diffSnapshots(replay, indexer);
  return {
    match: false,
    replayDigest,
    indexerDigest,
    firstDivergence: diffs[0] ? describeDifference(diffs[0]) : null,
    differences: diffs.length,
  };
}
