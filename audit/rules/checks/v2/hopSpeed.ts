import type { AuditRule, Hop } from "../../../types.js";
import { lc, mergeRanges } from "../../internal/helpers.js";
import { hopEvidence } from "../../internal/hopEvidence.js";
import type { KeyRange, Severity } from "../../../../lib/formats/auditReport.js";

const rank: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };

/**
 * hop-speed (Audit v2): the same keys went through `rapidHops` custody transfers; the severity is
 * graded by how fast (hopSpeedGrades: within 1 h high, 1 day medium, 7 days low), so spacing the
 * hops just past one window lands in the next grade instead of out of sight.
 */
export const hopSpeed: AuditRule = {
  id: "hop-speed",
  title: "Keys passing through many hops, graded by speed",
  severity: "medium",
  description:
    "With this transfer, the same keys have had rapidHops (default 4) custody transfers; high within 1 h, medium within 1 day, low within 7 days (hopSpeedGrades).",
  enforcedByContract: "no",
  create(options) {
    const n = options.rapidHops;
    const grades = [...options.hopSpeedGrades].sort((a, b) => a.seconds - b.seconds);
    return {
      check({ event, state, history }) {
        if (event.eventName !== "CustodyTransferred") return [];
        const batchId = lc(event.args.batchId);
        const now = Number(event.timestamp);
        const hits: KeyRange[] = [];
        let best: { severity: Severity; seconds: number; path: Hop[] } | null = null;
        for (const c of history.chains(batchId, Number(event.args.start), Number(event.args.end))) {
          const transfers = c.hops.filter((h) => h.from !== null);
          if (transfers.length + 1 < n) continue;
          const path = transfers.slice(transfers.length + 1 - n);
          const seconds = now - path[0]!.timestamp;
          const grade = grades.find((g) => seconds <= g.seconds);
          if (!grade) continue;
          hits.push({ start: c.start, end: c.end });
          if (!best || rank[grade.severity] > rank[best.severity]) best = { severity: grade.severity, seconds, path };
        }
        if (!best) return [];
        const parties = [best.path[0]!.from!, ...best.path.map((h) => h.to), lc(event.args.to)];
        return [
          {
            severity: best.severity,
            message: `Keys of batch ${batchId} went through ${n} transfers in ${best.seconds} s: ${parties.join(" -> ")}.`,
            batchId,
            supplier: state.batches.get(batchId)?.record.supplier ?? null,
            parties: [...new Set(parties)],
            ranges: mergeRanges(hits),
            evidence: hopEvidence(best.path, event),
            details: { hops: n, seconds: best.seconds, path: parties },
          },
        ];
      },
    };
  },
};
