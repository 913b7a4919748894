import type { AuditRule, FindingDraft } from "../../types.js";
import { actorsOf } from "../internal/actorsOf.js";
import { evidenceOf, isExpired, lc } from "../internal/helpers.js";

/**
 * expired-accreditation-action: a registered party whose accreditation had expired sent or
 * received keys, authorised, delegated redemption or redeemed. Anchoring after expiry has its own
 * rule (anchored-past-accreditation).
 */
export const expiredAccreditationAction: AuditRule = {
  id: "expired-accreditation-action",
  title: "Action by a party whose accreditation expired",
  severity: "high",
  description:
    "A registered party acted after its accreditation (accreditedUntil) had passed: sent or received keys, authorised a distributor, delegated a redeemer or redeemed keys.",
  enforcedByContract: "partly",
  create() {
    return {
      check({ event, state }) {
        if (event.eventName === "BatchAnchored") return [];
        const out: FindingDraft[] = [];
        const batchId = "batchId" in event.args ? lc(event.args.batchId) : null;
        const supplier = batchId ? (state.batches.get(batchId)?.record.supplier ?? null) : null;
        for (const a of actorsOf(event)) {
          const p = state.parties.get(a.party);
          if (!p || !isExpired(p.accreditedUntil, event.timestamp)) continue;
          out.push({
            message: `${a.party} acted as ${a.role} after its accreditation expired at ${p.accreditedUntil} (${event.eventName}).`,
            batchId,
            supplier:
              supplier ??
              (event.eventName === "DistributorAuthorized" || event.eventName === "RedeemerSet"
                ? lc(event.args.supplier)
                : null),
            parties: [a.party],
            ranges:
              event.eventName === "CustodyTransferred"
                ? [{ start: Number(event.args.start), end: Number(event.args.end) }]
                : [],
            evidence: [evidenceOf(event)],
            details: { role: a.role, accreditedUntil: Number(p.accreditedUntil) },
          });
        }
        return out;
      },
    };
  },
};
