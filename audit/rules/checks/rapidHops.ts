import type { AuditRule, Hop } from "../../types.js";
import { lc, mergeRanges } from "../internal/helpers.js";
import { hopEvidence } from "../internal/hopEvidence.js";
import type { KeyRange } from "../../../lib/formats/auditReport.js";

/**
 * rapid-hops: keys that, with this transfer, went through `rapidHops` custody transfers within
 * `rapidHopsWindowSeconds` — the pattern of keys laundered quickly through several accounts.
 */
export const rapidHops: AuditRule = {
  id: "rapid-hops",
  title: "Keys passing through many hops in a short time",
  severity: "medium",
  description:
    "With this transfer, the same keys have had rapidHops (default 4) custody transfers within rapidHopsWindowSeconds (default 3,600 s).",
  enforcedByContract: "no",
  create(options) {
    const n = options.rapidHops;
    const w = BigInt(options.rapidHopsWindowSeconds);
    return {
      check({ event, state, history }) {
        if (event.eventName !== "CustodyTransferred") return [];
        const batchId = lc(event.args.batchId);
        const hits: KeyRange[] = [];
        let path: Hop[] | null = null;
        for (const c of history.chains(batchId, Number(event.args.start), Number(event.args.end))) {
          const transfers = c.hops.filter((h) => h.from !== null);
          if (transfers.length + 1 < n) continue;
          const firstOfWindow = transfers[transfers.length + 1 - n]!;
          if (event.timestamp - BigInt(firstOfWindow.timestamp) > w) continue;
          hits.push({ start: c.start, end: c.end });
          path ??= transfers.slice(transfers.length + 1 - n);
        }
        if (hits.length === 0 || !path) return [];
        const parties = [path[0]!.from!, ...path.map((h) => h.to), lc(event.args.to)];
        const seconds = Number(event.timestamp) - path[0]!.timestamp;
        return [
          {
            message: `Keys of batch ${batchId} went through ${n} transfers in ${seconds} s: ${parties.join(" -> ")}.`,
            batchId,
            supplier: state.batches.get(batchId)?.record.supplier ?? null,
            parties: [...new Set(parties)],
            ranges: mergeRanges(hits),
            evidence: hopEvidence(path, event),
            details: { hops: n, seconds, path: parties },
          },
        ];
      },
    };
  },
};
