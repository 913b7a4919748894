import type { AuditRule } from "../../types.js";
import { evidenceOf, isExpired, lc } from "../internal/helpers.js";

/**
 * batch-outlives-accreditation: a batch anchored while the supplier was accredited, but whose keys
 * stay valid (expiresAt, or never) past the end of that accreditation.
 */
export const batchOutlivesAccreditation: AuditRule = {
  id: "batch-outlives-accreditation",
  title: "Batch valid past the supplier's accreditation",
  severity: "low",
  description:
    "A batch whose keys expire after the supplier's accreditation ends (or never expire while the accreditation does), as registered when it was anchored.",
  enforcedByContract: "no",
  create() {
    return {
      check({ event, state }) {
        if (event.eventName !== "BatchAnchored") return [];
        const s = lc(event.args.supplier);
        const p = state.parties.get(s);
        if (!p || p.accreditedUntil === 0n || isExpired(p.accreditedUntil, event.timestamp)) return [];
        const exp = event.args.expiresAt;
        if (exp !== 0n && exp <= p.accreditedUntil) return [];
        return [
          {
            message: `Batch ${lc(event.args.batchId)} of ${s} ${exp === 0n ? "never expires" : `expires at ${exp}`}, after the supplier's accreditation ends at ${p.accreditedUntil}.`,
            batchId: lc(event.args.batchId),
            supplier: s,
            parties: [s],
            ranges: [{ start: 0, end: Number(event.args.count) }],
            evidence: [evidenceOf(event)],
            details: { accreditedUntil: Number(p.accreditedUntil), batchExpiresAt: Number(exp) },
          },
        ];
      },
    };
  },
};
