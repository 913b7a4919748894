import type { AuditRule, FindingDraft } from "../../types.js";
import { actorsOf } from "../internal/actorsOf.js";
import { evidenceOf, lc } from "../internal/helpers.js";

/**
 * suspended-party-action: a suspended party sent or received keys, anchored, authorised,
 * delegated redemption or redeemed while suspended.
 */
export const suspendedPartyAction: AuditRule = {
  id: "suspended-party-action",
  title: "Action by a suspended party",
  severity: "high",
  description:
    "A party acted while suspended: sent or received keys, anchored a batch, authorised a distributor, delegated a redeemer, or redeemed keys. (Revoking keys and withdrawing authorisations stay allowed.)",
  enforcedByContract: "partly",
  create() {
    return {
      check({ event, state }) {
        const out: FindingDraft[] = [];
        const batchId = "batchId" in event.args ? lc(event.args.batchId) : null;
        const supplier = batchId ? (state.batches.get(batchId)?.record.supplier ?? null) : null;
        for (const a of actorsOf(event)) {
          if (!state.parties.get(a.party)?.suspended) continue;
          out.push({
            message: `${a.party} acted as ${a.role} while suspended (${event.eventName}).`,
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
            details: { role: a.role },
          });
        }
        return out;
      },
    };
  },
};
