import type { Address } from "viem";
import type { AuditRule, Hop } from "../../../types.js";
import { lc, mergeRanges } from "../../internal/helpers.js";
import { hopEvidence } from "../../internal/hopEvidence.js";
import { linkReasons } from "../../internal/linkedIdentities.js";
import { createFunderView, fundingEvidence, sharedFunder } from "../../internal/funders.js";
import type { GasFunding } from "../../../types.js";
import type { KeyRange } from "../../../../lib/formats/auditReport.js";

/**
 * linked-circular-flow (Audit v2): keys return to a party that held them earlier in their custody
 * chain, or to an identity linked to it (same party id, profile hash or URI, licence certificate,
 * confusable display name, the same gas funder): D -> E -> D' is the loop D -> E -> D with a second
 * registration.
 */
export const linkedCircularFlow: AuditRule = {
  id: "linked-circular-flow",
  title: "Circular flow, also through linked identities",
  severity: "medium",
  description:
    "A transfer gives keys back to a party that held them earlier in their custody chain (medium), or to an account linked to one (same party id, profile hash or profile URI, shared licence certificate, confusable name, the same gas funder: high).",
  enforcedByContract: "no",
  create(options) {
    // Accounts re-keyed away -> their successor: an earlier holder's party may live elsewhere now.
    const successor = new Map<Address, Address>();
    const current = (a: Address): Address => {
      let x = a;
      for (let n = 0; successor.has(x) && n <= successor.size; n++) x = successor.get(x)!;
      return x;
    };
    const funders = createFunderView(options);
    return {
      check({ event, state, history }) {
        funders?.observe(event);
        if (event.eventName === "PartyRekeyed") successor.set(lc(event.args.oldAccount), lc(event.args.newAccount));
        if (event.eventName !== "CustodyTransferred") return [];
        const batchId = lc(event.args.batchId);
        const to = lc(event.args.to);
        const sender = lc(event.args.from);
        const hits: KeyRange[] = [];
        let loop: {
          path: Address[];
          hops: Hop[];
          reasons: string[];
          earlier: Address;
          funding: GasFunding[];
        } | null = null;
        const cache = new Map<Address, { reasons: string[]; funding: GasFunding[] }>();
        for (const c of history.chains(batchId, Number(event.args.start), Number(event.args.end))) {
          const holders = c.hops.map((h) => h.to);
          // Earlier holders, latest first, other than the sender (moving keys to oneself is no loop).
          for (let k = holders.length - 2; k >= 0; k--) {
            const h = holders[k]!;
            if (h === sender && h !== to) continue;
            let link = cache.get(h);
            if (!link) {
              const now = current(h);
              const reasons =
                now !== h && now === to
                  ? [`same party (${h} re-keyed to ${to})`]
                  : linkReasons(state, now, to, options.partyNames);
              // The same gas funder (of the earlier holder's account or its successor), not an ignored one.
              const shared = sharedFunder(funders, h, to) ?? (now !== h ? sharedFunder(funders, now, to) : null);
              if (shared && now !== to)
                reasons.push(`same gas funder ${lc(shared[0].funder)} (txs ${shared[0].txHash}, ${shared[1].txHash})`);
              link = { reasons, funding: shared && now !== to ? shared : [] };
              cache.set(h, link);
            }
            if (link.reasons.length === 0) continue;
            hits.push({ start: c.start, end: c.end });
            loop ??= {
              path: [...holders.slice(k), to],
              hops: c.hops.slice(k + 1) as Hop[],
              reasons: link.reasons,
              earlier: h,
              funding: link.funding,
            };
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
            evidence: [...loop.funding.map(fundingEvidence), ...hopEvidence(loop.hops, event)],
            details: { path: loop.path, linkedBy: loop.reasons },
          },
        ];
      },
    };
  },
};
