import type { AuditRule } from "../../types.js";
import { evidenceOf, lc } from "../internal/helpers.js";

/**
 * unauthorised-hop: keys of a restricted batch moved to a party its supplier never authorised
 * (or whose authorisation was withdrawn). An authorisation that exists but expired is reported by
 * expired-authorisation-use instead.
 */
export const unauthorisedHop: AuditRule = {
  id: "unauthorised-hop",
  title: "Unauthorised hop on a restricted batch",
  severity: "high",
  description:
    "Keys of a restricted batch moved to a party other than the supplier that holds no authorisation from the supplier at the time.",
  enforcedByContract: "yes",
  create() {
    return {
      check({ event, state }) {
        if (event.eventName !== "CustodyTransferred") return [];
        const batchId = lc(event.args.batchId);
        const b = state.batches.get(batchId);
        if (!b || !b.record.restricted) return [];
        const to = lc(event.args.to);
        const supplier = b.record.supplier;
        if (to === supplier || state.authorizations.has(`${supplier}:${to}`)) return [];
        return [
          {
            message: `${lc(event.args.from)} moved keys of restricted batch ${batchId} to ${to}, which ${supplier} has not authorised.`,
            batchId,
            supplier,
            parties: [lc(event.args.from), to],
            ranges: [{ start: Number(event.args.start), end: Number(event.args.end) }],
            evidence: [evidenceOf(event)],
            details: {},
          },
        ];
      },
    };
  },
};
