import type { AuditRule, FindingDraft } from "../../../types.js";
import type { LedgerEvent } from "../../../../lib/state/types.js";
import type { KeyRange } from "../../../../lib/formats/auditReport.js";
import { evidenceOf, mergeRanges } from "../../internal/helpers.js";
import { createTransferGroups, type TransferGroup } from "../../internal/transferGroups.js";

const rangeOf = (e: LedgerEvent): KeyRange[] =>
  e.eventName === "CustodyTransferred" ? [{ start: Number(e.args.start), end: Number(e.args.end) }] : [];

/** Findings are high when a window's total reaches this multiple of its allowance. */
const HIGH_MULTIPLE = 5;

/**
 * volume-window (Audit v2): rolling per-pair, per-sender and per-recipient totals over hour, day
 * and week windows, each measured as a share of the per-product / face-value limit; fires when a
 * total first exceeds its window's allowance (and again only after it fell back below it).
 */
export const volumeWindow: AuditRule = {
  id: "volume-window",
  title: "Volume over a rolling window (大额, over time)",
  severity: "medium",
  description:
    "Transfers of one pair, out of one sender or into one recipient (party ids, so re-keys do not reset them) whose total over a rolling window (1 h, 1 day, 7 days) exceeds 1, 3 or 10 times the volume limit (face value per currency, per product, or keys when the value is unknown). High at 5 times the allowance.",
  enforcedByContract: "no",
  create(options) {
    const groups = createTransferGroups(options);
    const windows = [...options.volumeWindows].sort((a, b) => a.seconds - b.seconds);
    type Track = { items: TransferGroup[]; total: number; over: boolean };
    const tracks = new Map<string, Track>();
    const step = (g: TransferGroup): FindingDraft[] => {
      const crossed: { subject: string; seconds: number; total: number; allowance: number; items: TransferGroup[] }[] =
        [];
      const subjects = [`pair ${g.fromId} -> ${g.toId}`, `out of ${g.fromId}`, `into ${g.toId}`];
      for (const subject of subjects) {
        for (const w of windows) {
          const key = `${subject}|${w.seconds}`;
          let t = tracks.get(key);
          if (!t) tracks.set(key, (t = { items: [], total: 0, over: false }));
          t.items.push(g);
          t.total += g.share;
          while (t.items.length > 0 && g.timestamp - t.items[0]!.timestamp > w.seconds)
            t.total -= t.items.shift()!.share;
          if (t.total > w.factor) {
            if (!t.over)
              crossed.push({ subject, seconds: w.seconds, total: t.total, allowance: w.factor, items: [...t.items] });
            t.over = true;
          } else t.over = false;
        }
      }
      if (crossed.length === 0) return [];
      const worst = crossed.reduce((a, b) => (b.total / b.allowance > a.total / a.allowance ? b : a));
      const high = crossed.some((c) => c.total >= HIGH_MULTIPLE * c.allowance);
      const evidence = worst.items.flatMap((x) => x.events).slice(-50);
      return [
        {
          at: g.first,
          severity: high ? "high" : "medium",
          message: `${g.from} -> ${g.to}: ${worst.subject} moved ${worst.total.toFixed(2)} times the volume limit within ${worst.seconds} s (allowance ${worst.allowance}), over ${worst.items.length} transfers.`,
          batchId: g.batchId,
          supplier: g.supplier,
          parties: [g.from, g.to],
          ranges: g.batchId === null ? [] : mergeRanges(g.events.flatMap(rangeOf)),
          evidence: evidence.map(evidenceOf),
          details: {
            keys: g.keys,
            crossed: crossed.map((c) => `${c.subject} ${c.seconds}s ${c.total.toFixed(3)}/${c.allowance}`),
            transfers: worst.items.length,
          },
        },
      ];
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
