import type { Address } from "viem";
import type { AuditRule, Hop } from "../../types.js";
import { lc, mergeRanges } from "../internal/helpers.js";
import { hopEvidence } from "../internal/hopEvidence.js";
import type { KeyRange } from "../../../lib/formats/auditReport.js";

/** circular-flow: keys return to a party that already held them (A -> B -> A, or longer loops). */
export const circularFlow: AuditRule = {
  id: "circular-flow",
  title: "Circular flow",
  severity: "medium",
  description:
    "A transfer gives keys back to a party that held them earlier in their custody chain (A -> B -> A or a longer loop).",
  enforcedByContract: "no",
  create() {
    return {
      check({ event, state, history }) {
        if (event.eventName !== "CustodyTransferred") return [];
        const batchId = lc(event.args.batchId);
        const to = lc(event.args.to);
        const hits: KeyRange[] = [];
        let loop: { path: Address[]; hops: Hop[] } | null = null;
        for (const c of history.chains(batchId, Number(event.args.start), Number(event.args.end))) {
          const holders = c.hops.map((h) => h.to);
          const k = holders.lastIndexOf(to);
          if (k < 0) continue;
          hits.push({ start: c.start, end: c.end });
          loop ??= { path: [...holders.slice(k), to], hops: c.hops.slice(k + 1) as Hop[] };
        }
        if (hits.length === 0 || !loop) return [];
        return [
          {
            message: `Keys of batch ${batchId} returned to ${to}: ${loop.path.join(" -> ")}.`,
            batchId,
            supplier: state.batches.get(batchId)?.record.supplier ?? null,
            parties: [...new Set(loop.path)],
            ranges: mergeRanges(hits),
            evidence: hopEvidence(loop.hops, event),
            details: { path: loop.path },
          },
        ];
      },
    };
  },
};
