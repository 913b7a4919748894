import type { AuditRule, FindingDraft } from "../../types.js";
import { evidenceOf, lc, segmentsIn, uniq, maskRanges } from "../internal/helpers.js";

/**
 * custody-partition: every key of every batch has exactly one holder. Fires on an event that would
 * make a key held twice or by nobody: a transfer whose sender does not hold the whole range, a
 * range outside [0, count) or empty, an event on a batch never anchored, a second anchor of the
 * same batch id; and, at the end, on any batch whose segments do not tile [0, count).
 */
export const custodyPartition: AuditRule = {
  id: "custody-partition",
  title: "Custody partitions every batch",
  severity: "critical",
  description:
    "A transfer by a party that does not hold the whole range, a range outside the batch, an event on an unknown batch, a batch anchored twice, or a batch whose custody segments do not tile [0, count).",
  enforcedByContract: "yes",
  create() {
    return {
      check({ event, state }) {
        const out: FindingDraft[] = [];
        if (event.eventName === "BatchAnchored") {
          const prev = state.batches.get(lc(event.args.batchId));
          if (prev) {
            out.push({
              message: `Batch ${event.args.batchId} anchored a second time (first by ${prev.record.supplier}).`,
              batchId: lc(event.args.batchId),
              supplier: lc(event.args.supplier),
              parties: uniq([event.args.supplier, prev.record.supplier]),
              ranges: [],
              evidence: [evidenceOf(event)],
              details: { problem: "duplicate-anchor" },
            });
          }
          if (event.args.count === 0n) {
            out.push({
              message: `Batch ${event.args.batchId} anchored with count 0.`,
              batchId: lc(event.args.batchId),
              supplier: lc(event.args.supplier),
              parties: [lc(event.args.supplier)],
              ranges: [],
              evidence: [evidenceOf(event)],
              details: { problem: "empty-batch" },
            });
          }
          return out;
        }
        if (
          event.eventName !== "CustodyTransferred" &&
          event.eventName !== "KeysRevoked" &&
          event.eventName !== "KeysReinstated" &&
          event.eventName !== "KeysRedeemed"
        ) {
          return out;
        }
        const batchId = lc(event.args.batchId);
        const batch = state.batches.get(batchId);
        const actor = lc(event.eventName === "CustodyTransferred" ? event.args.from : event.args.by);
        if (!batch) {
          out.push({
            message: `${event.eventName} on batch ${batchId}, which was never anchored.`,
            batchId,
            supplier: null,
            parties: [actor],
            ranges: [],
            evidence: [evidenceOf(event)],
            details: { problem: "unknown-batch" },
          });
          return out;
        }
        const count = batch.record.count;
        const [start, end] =
          event.eventName === "KeysRedeemed"
            ? [event.args.wordIndex * 256n, event.args.wordIndex * 256n + 256n]
            : [event.args.start, event.args.end];
        const outOfRange =
          event.eventName === "KeysRedeemed"
            ? event.args.mask === 0n ||
              maskRanges(event.args.wordIndex, event.args.mask).some((r) => BigInt(r.end) > count)
            : start >= end || end > count;
        if (outOfRange) {
          out.push({
            message: `${event.eventName} on batch ${batchId} names keys outside [0, ${count}) or none at all.`,
            batchId,
            supplier: batch.record.supplier,
            parties: [actor],
            ranges:
              event.eventName === "KeysRedeemed"
                ? maskRanges(event.args.wordIndex, event.args.mask)
                : [{ start: Number(start), end: Number(end) }],
            evidence: [evidenceOf(event)],
            details: { problem: "range-out-of-batch", count: Number(count) },
          });
          return out;
        }
        if (event.eventName === "CustodyTransferred") {
          const from = lc(event.args.from);
          const notHeld = segmentsIn(state, batchId, start, end).filter((s) => s.holder !== from);
          if (notHeld.length > 0) {
            out.push({
              message: `${from} transferred keys of batch ${batchId} it did not hold (held by ${uniq(notHeld.map((s) => s.holder)).join(", ")}): the keys would have two holders.`,
              batchId,
              supplier: batch.record.supplier,
              parties: uniq([from, lc(event.args.to), ...notHeld.map((s) => s.holder)]),
              ranges: notHeld.map((s) => ({ start: Number(s.start), end: Number(s.end) })),
              evidence: [evidenceOf(event)],
              details: { problem: "range-not-held", actualHolders: uniq(notHeld.map((s) => s.holder)) },
            });
          }
        }
        return out;
      },
      finish(state) {
        const out: FindingDraft[] = [];
        for (const b of state.batches.values()) {
          let pos = 0n;
          let ok = true;
          for (const s of b.segments) {
            if (s.start !== pos || s.end <= s.start) ok = false;
            pos = s.end;
          }
          if (pos !== b.record.count) ok = false;
          if (!ok) {
            out.push({
              message: `Custody segments of batch ${b.record.batchId} do not tile [0, ${b.record.count}).`,
              batchId: b.record.batchId,
              supplier: b.record.supplier,
              parties: [b.record.supplier],
              ranges: [],
              evidence: [],
              details: { problem: "segments-do-not-tile" },
            });
          }
        }
        return out;
      },
    };
  },
};
