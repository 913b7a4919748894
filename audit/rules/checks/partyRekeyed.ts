import type { AuditRule } from "../../types.js";
import { evidenceOf, lc, uniq } from "../internal/helpers.js";

/**
 * party-rekeyed: a party's account was replaced (KeyLedger v2 `PartyRekeyed`). Legitimate after a
 * lost or compromised key, and also the way to take over a supplier: every re-key is reported
 * with who proposed it (a registrar) and who confirmed it (a regulator), and what moved.
 */
export const partyRekeyed: AuditRule = {
  id: "party-rekeyed",
  title: "Party re-keyed",
  severity: "medium",
  description:
    "A party's account was replaced by another (PartyRekeyed): its custody, batches, authorisations and redeemers moved to the new account. Names the proposer and the confirmer.",
  enforcedByContract: "no",
  create() {
    return {
      check({ event, state }) {
        if (event.eventName !== "PartyRekeyed") return [];
        const a = event.args;
        const oldAccount = lc(a.oldAccount);
        const newAccount = lc(a.newAccount);
        const p = state.parties.get(oldAccount);
        let batches = 0;
        for (const b of state.batches.values()) if (b.record.supplier === oldAccount) batches++;
        return [
          {
            message: `Party ${a.id} was re-keyed from ${oldAccount} to ${newAccount}: proposed by ${lc(a.proposer)}, confirmed by ${lc(a.confirmer)}.`,
            batchId: null,
            supplier: p?.kind === 1 ? newAccount : null,
            parties: uniq([oldAccount, newAccount, a.proposer, a.confirmer]),
            ranges: [],
            evidence: [evidenceOf(event)],
            details: {
              partyId: a.id,
              oldAccount,
              newAccount,
              proposer: lc(a.proposer),
              confirmer: lc(a.confirmer),
              kind: p?.kind ?? 0,
              batchesMoved: batches,
            },
          },
        ];
      },
    };
  },
};
