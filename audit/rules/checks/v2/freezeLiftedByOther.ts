import { keccak256, toBytes, type Address, type Hex } from "viem";
import type { AuditRule } from "../../../types.js";
import type { KeyRange } from "../../../../lib/formats/auditReport.js";
import type { LedgerEvent } from "../../../../lib/state/types.js";
import { RevocationReason } from "../../../../lib/state/types.js";
import { evidenceOf, lc, mergeRanges } from "../../internal/helpers.js";
import { identityOf } from "../../internal/limits.js";

/** keccak256("REGULATOR_ROLE"). */
const REGULATOR_ROLE = keccak256(toBytes("REGULATOR_ROLE"));

type Freeze = { start: number; end: number; layer: boolean; by: Address; byId: string; event: LedgerEvent };

/** `list` without [start, end) on `layer` (both layers: a regulator's reinstatement lifts both). */
function cut(list: Freeze[], start: number, end: number, layer: boolean | "both"): Freeze[] {
  const out: Freeze[] = [];
  for (const f of list) {
    if ((layer !== "both" && f.layer !== layer) || f.end <= start || f.start >= end) out.push(f);
    else {
      if (f.start < start) out.push({ ...f, end: start });
      if (f.end > end) out.push({ ...f, start: end });
    }
  }
  return out;
}

/**
 * freeze-lifted-by-other (Audit v2): keys reinstated by another party than the one that froze them
 * on that layer — on a version 1 ledger (one layer) the supplier undoing a regulator's freeze; on
 * version 2 a regulator lifting a supplier's freeze, or a supplier lifting another account's.
 * Refund freezes (reason Refunded) are left to refund-farming.
 */
export const freezeLiftedByOther: AuditRule = {
  id: "freeze-lifted-by-other",
  title: "Freeze lifted by another party than the one that froze",
  severity: "high",
  description:
    "A reinstatement lifts keys frozen (same layer) by a different party (party ids: a re-key is the same party). High when the lifter holds no regulator role, medium when a regulator lifts another's freeze.",
  enforcedByContract: "partly",
  create() {
    const freezes = new Map<Hex, Freeze[]>();
    return {
      check({ event, state }) {
        if (event.eventName === "KeysRevoked") {
          const batchId = lc(event.args.batchId);
          const start = Number(event.args.start);
          const end = Number(event.args.end);
          const layer = event.args.byRegulator;
          const list = cut(freezes.get(batchId) ?? [], start, end, layer);
          if (event.args.reason !== RevocationReason.Refunded) {
            const by = lc(event.args.by);
            list.push({ start, end, layer, by, byId: identityOf(state, by), event });
          }
          freezes.set(batchId, list);
          return [];
        }
        if (event.eventName !== "KeysReinstated") return [];
        const batchId = lc(event.args.batchId);
        const start = Number(event.args.start);
        const end = Number(event.args.end);
        const layer = event.args.byRegulator;
        const by = lc(event.args.by);
        const byId = identityOf(state, by);
        const list = freezes.get(batchId) ?? [];
        // A regulator-layer reinstatement lifts both layers (lib/state), a supplier-layer one its own.
        const others = list.filter(
          (f) => (layer || !f.layer) && f.end > start && f.start < end && f.byId !== byId && f.by !== by,
        );
        freezes.set(batchId, cut(list, start, end, layer ? "both" : false));
        if (others.length === 0) return [];
        const ranges: KeyRange[] = others.map((f) => ({ start: Math.max(f.start, start), end: Math.min(f.end, end) }));
        const regulator = state.roles.get(REGULATOR_ROLE)?.has(by) ?? false;
        const freezers = [...new Set(others.map((f) => f.by))];
        return [
          {
            severity: regulator ? "medium" : "high",
            message: `${by}${regulator ? " (regulator)" : ""} lifted a ${others.some((f) => f.layer) ? "regulator" : "supplier"}-layer freeze of batch ${batchId} that ${freezers.join(", ")} had set.`,
            batchId,
            supplier: state.batches.get(batchId)?.record.supplier ?? null,
            parties: [by, ...freezers.filter((f) => f !== by)],
            ranges: mergeRanges(ranges),
            evidence: [...new Set(others.map((f) => f.event))].map(evidenceOf).concat(evidenceOf(event)),
            details: { lifter: by, frozeBy: freezers, regulatorLayer: layer, lifterIsRegulator: regulator },
          },
        ];
      },
    };
  },
};
