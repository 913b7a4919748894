import type { Hex } from "viem";
import { computeStateDigest } from "../../lib/state/computeStateDigest.js";
import { diffSnapshots, type SnapshotDifference } from "../../lib/state/diffSnapshots.js";
import type { LedgerSnapshot } from "../../lib/state/types.js";
import { computeStateDigest as computeStateDigestV1 } from "../../lib/state/v1/computeStateDigest.js";
import {
  diffSnapshots as diffSnapshotsV1,
  type SnapshotDifference as SnapshotDifferenceV1,
} from "../../lib/state/v1/diffSnapshots.js";
import type { LedgerSnapshot as LedgerSnapshotV1 } from "../../lib/state/v1/types.js";
import type { Divergence, SnapshotComparison } from "../../lib/formats/auditReport.js";

const jsonSafe = (v: unknown): unknown =>
  JSON.parse(JSON.stringify(v ?? null, (_k, x) => (typeof x === "bigint" ? x.toString() : x)));

/** A snapshot of either version: version 2 (KeyLedger v2) or version 1 (a version 1 ledger's indexer). */
export type AnyLedgerSnapshot = LedgerSnapshot | LedgerSnapshotV1;

/** The digest of a snapshot in its own version (docs/STATE-DIGEST.md). */
export function digestOf(snapshot: AnyLedgerSnapshot): Hex {
  return snapshot.version === 1 ? computeStateDigestV1(snapshot) : computeStateDigest(snapshot);
}

const frozenText = (s: { frozenReason: number } | { regulatorReason: number; supplierReason: number }) =>
  "frozenReason" in s ? `frozen ${s.frozenReason}` : `frozen ${s.regulatorReason}/${s.supplierReason}`;

/** Words for one snapshot difference. */
export function describeDifference(d: SnapshotDifference | SnapshotDifferenceV1): Divergence {
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
        message: `Batch ${d.batchId}: custody differs from key ${d.index} (replay: ${d.left ? `${d.left.holder} [${d.left.start}, ${d.left.end}) ${frozenText(d.left)}` : "nothing"}; indexer: ${d.right ? `${d.right.holder} [${d.right.start}, ${d.right.end}) ${frozenText(d.right)}` : "nothing"}).`,
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
    case "rekeyProposal":
      return {
        kind: d.kind,
        batchId: null,
        party: d.oldAccount,
        index: null,
        message: `Pending re-key of ${d.oldAccount} differs.`,
        replay: jsonSafe(d.left),
        indexer: jsonSafe(d.right),
      };
    case "sale":
      return {
        kind: d.kind,
        batchId: d.batchId,
        party: null,
        index: d.saleNo,
        message: `Batch ${d.batchId}: sale ${d.saleNo} differs (record or items).`,
        replay: jsonSafe(d.left),
        indexer: jsonSafe(d.right),
      };
  }
}

/**
 * Compares the replay's snapshot with an indexer's: digests, and when they differ the first
 * divergence (which party, authorisation, batch record, custody range, redemption word, pending
 * re-key or sale). Both must be of the same snapshot version (a version 1 ledger's indexer
 * reports version 1: compare it with lib/state/v1 `toSnapshotV1` of the replay).
 *
 * @param replay The snapshot rebuilt from raw logs.
 * @param indexer The indexer's snapshot at the same block.
 * @returns Digests, whether they match, and the first divergence.
 * @example
 * const c = compareSnapshots(toSnapshot(state), await buildSnapshot(store, { block }));
 * if (!c.match) console.log(c.firstDivergence?.message);
 */
export function compareSnapshots(replay: AnyLedgerSnapshot, indexer: AnyLedgerSnapshot): SnapshotComparison {
  const replayDigest = digestOf(replay);
  const indexerDigest = digestOf(indexer);
  if (replayDigest === indexerDigest)
    return { match: true, replayDigest, indexerDigest, firstDivergence: null, differences: 0 };
  if (replay.version !== indexer.version) {
    return {
      match: false,
      replayDigest,
      indexerDigest,
      firstDivergence: {
        kind: "batch",
        batchId: null,
        party: null,
        index: null,
        message: `The indexer reports a version ${indexer.version} snapshot, the replay version ${replay.version}.`,
        replay: replay.version,
        indexer: indexer.version,
      },
      differences: 1,
    };
  }
  const diffs: (SnapshotDifference | SnapshotDifferenceV1)[] =
    replay.version === 1
      ? diffSnapshotsV1(replay, indexer as LedgerSnapshotV1)
      : diffSnapshots(replay, indexer as LedgerSnapshot);
  return {
    match: false,
    replayDigest,
    indexerDigest,
    firstDivergence: diffs[0] ? describeDifference(diffs[0]) : null,
    differences: diffs.length,
  };
}
