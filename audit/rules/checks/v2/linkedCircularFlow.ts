import type { Address } from "viem";
import type { AuditRule, Hop } from "../../../types.js";
import { lc, mergeRanges } from "../../internal/helpers.js";
import { hopEvidence } from "../../internal/hopEvidence.js";
import { linkReasons } from "../../internal/linkedIdentities.js";
import type { KeyRange } from "../../../../lib/formats/auditReport.js";

/**
 * linked-circular-flow (Audit v2): keys return to a party that held them earlier in their custody
 * chain, or to an identity linked to it (same party id, profile hash or URI, licence certificate,
 * confusable display name): D -> E -> D' is the loop D -> E -> D with a second registration.
 */
export const linkedCircularFlow: AuditRule = {
  id: "linked-circular-flow",
  title: "Circular flow, also through linked identities",
  severity: "medium",
  description:
    "A transfer gives keys back to a party that held them earlier in their custody chain (medium), or to an account linked to one (same party id, profile hash or profile URI, shared licence certificate, confusable name: high).",
  enforcedByContract: "no",
  create(options) {
    // Accounts re-keyed away -> their successor: an earlier holder's party may live elsewhere now.
    const successor = new Map<Address, Address>();
    const current = (a: Address): Address => {
      let x = a;
      for (let n = 0; successor.has(x) && n <= successor.size; n++) x = successor.get(x)!;
      return x;
    };
    return {
      check({ event, state, history }) {
        if (event.eventName === "PartyRekeyed") successor.set(lc(event.args.oldAccount), lc(event.args.newAccount));
        if (event.eventName !== "CustodyTransferred") return [];
        const batchId = lc(event.args.batchId);
        const to = lc(event.args.to);
        const sender = lc(event.args.from);
        const hits: KeyRange[] = [];
        let loop: { path: Address[]; hops: Hop[]; reasons: string[]; earlier: Address } | null = null;
        const cache = new Map<Address, string[]>();
        for (const c of history.chains(batchId, Number(event.args.start), Number(event.args.end))) {
          const holders = c.hops.map((h) => h.to);
          // Earlier holders, latest first, other than the sender (moving keys to oneself is no loop).
          for (let k = holders.length - 2; k >= 0; k--) {
            const h = holders[k]!;
            if (h === sender && h !== to) continue;
            let reasons = cache.get(h);
            if (!reasons) {
              const now = current(h);
              reasons =
                now !== h && now === to
                  ? [`same party (${h} re-keyed to ${to})`]
                  : linkReasons(state, now, to, options.partyNames);
              cache.set(h, reasons);
            }
            if (reasons.length === 0) continue;
            hits.push({ start: c.start, end: c.end });
            loop ??= { path: [...holders.slice(k), to], hops: c.hops.slice(k + 1) as Hop[], reasons, earlier: h };
            break;
          }
        }
        if (hits.length === 0 || !loop) return [];
        const disguised = loop.earlier !== to;
        return [
          {
            severity: disguised ? "high" : "medium",
            message: disguised
              ? `Keys of batch ${batchId} returned to ${to}, linked to earlier holder ${loop.earlier} (${loop.reasons.join("; ")}): ${loop.path.join(" -> ")}.`
              : `Keys of batch ${batchId} returned to ${to}: ${loop.path.join(" -> ")}.`,
            batchId,
            supplier: state.batches.get(batchId)?.record.supplier ?? null,
            parties: [...new Set(loop.path)],
            ranges: mergeRanges(hits),
            evidence: hopEvidence(loop.hops, event),
            details: { path: loop.path, linkedBy: loop.reasons },
          },
        ];
      },
    };
  },
};
