import type { AuditRule } from "../../types.js";
import { evidenceOf, isExpired, lc } from "../internal/helpers.js";

/** anchored-past-accreditation: a batch anchored after its supplier's accreditation had expired. */
export const anchoredPastAccreditation: AuditRule = {
  id: "anchored-past-accreditation",
  title: "Batch anchored after the supplier's accreditation expired",
  severity: "high",
  description: "A supplier anchored a batch when its accreditation (accreditedUntil) had already passed.",
  enforcedByContract: "yes",
  create() {
    return {
      check({ event, state }) {
        if (event.eventName !== "BatchAnchored") return [];
        const s = lc(event.args.supplier);
        const p = state.parties.get(s);
        if (!p || !isExpired(p.accreditedUntil, event.timestamp)) return [];
        return [
          {
            message: `${s} anchored batch ${lc(event.args.batchId)} after its accreditation expired at ${p.accreditedUntil}.`,
            batchId: lc(event.args.batchId),
            supplier: s,
            parties: [s],
            ranges: [{ start: 0, end: Number(event.args.count) }],
            evidence: [evidenceOf(event)],
            details: { accreditedUntil: Number(p.accreditedUntil) },
          },
        ];
      },
    };
  },
};
