import type { AuditRule, FindingDraft } from "../../../types.js";
import { evidenceOf, uniq } from "../../internal/helpers.js";
import { createTransferGroups, type TransferGroup } from "../../internal/transferGroups.js";

/**
 * structuring (Audit v2, 拆分): many transfers each just under the volume limit — a share in
 * [structuringBand, 1) — by one sender, or into one recipient, within a window, together over it.
 */
export const structuring: AuditRule = {
  id: "structuring",
  title: "Structuring: transfers just under the limit (拆分)",
  severity: "high",
  description:
    "structuringCount (default 3) transfers out of one sender or into one recipient within structuringWindowSeconds (7 days), each between structuringBand (0.8) and 1 times the volume limit, together above it.",
  enforcedByContract: "no",
  create(options) {
    const groups = createTransferGroups(options);
    const recent = new Map<string, TransferGroup[]>();
    const step = (g: TransferGroup): FindingDraft[] => {
      if (g.share < options.structuringBand || g.share >= 1) return [];
      const out: FindingDraft[] = [];
      for (const subject of [`out of ${g.fromId}`, `into ${g.toId}`]) {
        const list = (recent.get(subject) ?? []).filter(
          (x) => g.timestamp - x.timestamp <= options.structuringWindowSeconds,
        );
        list.push(g);
        const total = list.reduce((n, x) => n + x.share, 0);
        if (list.length >= options.structuringCount && total > 1) {
          out.push({
            at: g.first,
            message: `${list.length} transfers ${subject}, each just under the volume limit (${list.map((x) => x.share.toFixed(3)).join(", ")}), ${total.toFixed(2)} times it together within ${g.timestamp - list[0]!.timestamp} s.`,
            batchId: list.every((x) => x.batchId === g.batchId) ? g.batchId : null,
            supplier: list.every((x) => x.supplier === g.supplier) ? g.supplier : null,
            parties: uniq(list.flatMap((x) => [x.from, x.to])),
            ranges: [],
            evidence: list.flatMap((x) => x.events).map(evidenceOf),
            details: { subject, transfers: list.length, total: Math.round(total * 1000) / 1000 },
          });
          recent.set(subject, []);
        } else recent.set(subject, list);
      }
      // One finding per transfer: the sender's and the recipient's views of the same scheme.
      return out.slice(0, 1);
    };
    return {
      check({ event, state }) {
        return groups.push(event, state).flatMap(step);
      },
      finish() {
        return groups.flush().flatMap(step);
      },
    };
  },
};
