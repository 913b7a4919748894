import { REVOCATION_REASONS } from "../../../lib/verify/revocationReasons.js";
import type { AuditRule } from "../../types.js";
import { evidenceOf, frozenReasonOf, lc, segmentsIn, uniq } from "../internal/helpers.js";

/** frozen-key-moved: a custody transfer touches keys that were frozen (revoked) at the time. */
export const frozenKeyMoved: AuditRule = {
  id: "frozen-key-moved",
  title: "Frozen keys moved",
  severity: "critical",
  description: "A custody transfer includes keys that were revoked (frozen) and not reinstated at the time.",
  enforcedByContract: "yes",
  create() {
    return {
      check({ event, state }) {
        if (event.eventName !== "CustodyTransferred") return [];
        const batchId = lc(event.args.batchId);
        const frozen = segmentsIn(state, batchId, event.args.start, event.args.end).filter(
          (s) => frozenReasonOf(s) !== 0,
        );
        if (frozen.length === 0) return [];
        const reasons = [
          ...new Set(frozen.map((s) => REVOCATION_REASONS[frozenReasonOf(s)] ?? String(frozenReasonOf(s)))),
        ];
        return [
          {
            message: `${lc(event.args.from)} moved frozen keys (${reasons.join(", ")}) of batch ${batchId} to ${lc(event.args.to)}.`,
            batchId,
            supplier: state.batches.get(batchId)?.record.supplier ?? null,
            parties: uniq([event.args.from, event.args.to]),
            ranges: frozen.map((s) => ({ start: Number(s.start), end: Number(s.end) })),
            evidence: [evidenceOf(event)],
            details: { reasons },
          },
        ];
      },
    };
  },
};
