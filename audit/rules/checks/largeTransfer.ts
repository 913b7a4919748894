import type { Address, Hex } from "viem";
import type { LedgerEvent } from "../../../lib/state/types.js";
import type { AuditRule, FindingDraft } from "../../types.js";
import { createPairGroups } from "../internal/createPairGroups.js";
import { currencyText, evidenceOf, mergeRanges } from "../internal/helpers.js";
import type { KeyRange } from "../../../lib/formats/auditReport.js";

type Group = {
  first: LedgerEvent;
  events: LedgerEvent[];
  from: Address;
  to: Address;
  keys: number;
  value: Map<string, bigint>;
  batches: Map<Hex, KeyRange[]>;
  supplier: Address | null;
};

/**
 * large-transfer (大额): keys moved from one party to another within one transaction (a bulk
 * `transferMany` counts once) above a key count or a face-value total per currency.
 */
export const largeTransfer: AuditRule = {
  id: "large-transfer",
  title: "Large transfer (大额)",
  severity: "medium",
  description:
    "Keys moved from one party to another in one transaction whose count exceeds largeTransferKeys or whose total face value exceeds largeTransferValue for the currency (default 5,000.00 CNY).",
  enforcedByContract: "no",
  create(options) {
    const findings = (groups: Group[]): FindingDraft[] => {
      const out: FindingDraft[] = [];
      for (const g of groups) {
        const overKeys = g.keys > options.largeTransferKeys;
        const overValue = [...g.value.entries()].filter(([cur, v]) => {
          const limit = options.largeTransferValue[cur];
          return limit !== undefined && v > limit;
        });
        if (!overKeys && overValue.length === 0) continue;
        const batchIds = [...g.batches.keys()];
        const valueText = [...g.value.entries()].map(([c, v]) => `${v} ${c}`).join(", ");
        out.push({
          at: g.first,
          message: `${g.from} moved ${g.keys} keys (face value ${valueText} in minor units) to ${g.to} in one transaction.`,
          batchId: batchIds.length === 1 ? batchIds[0]! : null,
          supplier: g.supplier,
          parties: [g.from, g.to],
          ranges: batchIds.length === 1 ? mergeRanges(g.batches.get(batchIds[0]!)!) : [],
          evidence: g.events.map(evidenceOf),
          details: {
            keys: g.keys,
            faceValue: [...g.value.entries()].map(([c, v]) => `${c}:${v}`),
            batches: batchIds,
            overKeys,
            overValue: overValue.map(([c]) => c),
          },
        });
      }
      return out;
    };
    const groups = createPairGroups<Group>(
      ({ event, batch, from, to }) => ({
        first: event,
        events: [],
        from,
        to,
        keys: 0,
        value: new Map(),
        batches: new Map(),
        supplier: batch.record.supplier,
      }),
      (g, { event, batch: b, batchId }) => {
        const n = event.args.end > event.args.start ? event.args.end - event.args.start : 0n;
        g.events.push(event);
        g.keys += Number(n);
        const cur = currencyText(b.record.currency);
        g.value.set(cur, (g.value.get(cur) ?? 0n) + n * b.record.faceValue);
        const ranges = g.batches.get(batchId) ?? [];
        ranges.push({ start: Number(event.args.start), end: Number(event.args.end) });
        g.batches.set(batchId, ranges);
        if (g.supplier !== b.record.supplier) g.supplier = null;
      },
    );
    return {
      check({ event, state }) {
        return findings(groups.push(event, state));
      },
      finish() {
        return findings(groups.flush());
      },
    };
  },
};
