import type { AuditReport } from "../../lib/formats/auditReport.js";
import type { ResolvedAuditOptions } from "../types.js";

/** The Audit v2 thresholds as audit.json reports them (`options.v2`; big integers as decimal strings). */
export function auditV2Options(o: ResolvedAuditOptions): NonNullable<AuditReport["options"]["v2"]> {
  return {
    volumeLimitValue: Object.fromEntries(Object.entries(o.volumeLimitValue).map(([c, v]) => [c, v.toString()])),
    volumeLimitKeys: o.volumeLimitKeys,
    productLimits: Object.fromEntries(
      Object.entries(o.productLimits).map(([p, l]) => [
        p,
        {
          ...(l.value === undefined ? {} : { value: l.value.toString() }),
          ...(l.keys === undefined ? {} : { keys: l.keys }),
        },
      ]),
    ),
    volumeWindows: o.volumeWindows.map((w) => ({ ...w })),
    structuringBand: o.structuringBand,
    structuringCount: o.structuringCount,
    structuringWindowSeconds: o.structuringWindowSeconds,
    hopSpeedGrades: o.hopSpeedGrades.map((g) => ({ ...g })),
    parkingWindowSeconds: o.parkingWindowSeconds,
    refundWindowSeconds: o.refundWindowSeconds,
    refundMinimum: o.refundMinimum,
  };
}
