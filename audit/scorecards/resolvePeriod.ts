import { AuditOptionError } from "../errors.js";
import type { Period } from "../../lib/formats/auditReport.js";

/**
 * Resolves a period spec: "YYYY-Qn" (calendar quarter, UTC), "YYYY" (year), "all", or
 * undefined (the quarter containing `reference`, the last event's time).
 *
 * @param spec The flag value.
 * @param reference Unix seconds used when `spec` is undefined.
 * @returns The period.
 * @throws AuditOptionError on anything else.
 * @example
 * resolvePeriod("2026-Q4", 0) // { label: "2026-Q4", from: 1790812800, to: 1798761600 }
 */
export function resolvePeriod(spec: string | undefined, reference: number): Period {
  if (spec === "all") return { label: "all", from: 0, to: 2 ** 53 };
  let year: number;
  let q: number | null;
  if (spec === undefined) {
    const d = new Date(reference * 1000);
    year = d.getUTCFullYear();
    q = Math.floor(d.getUTCMonth() / 3) + 1;
  } else {
    const m = /^(\d{4})(?:-Q([1-4]))?$/.exec(spec);
    if (!m)
      throw new AuditOptionError(`Invalid --period ${JSON.stringify(spec)}.`, {
        details: 'Expected "YYYY-Qn" (e.g. 2026-Q4), "YYYY" or "all".',
      });
    year = Number(m[1]);
    q = m[2] ? Number(m[2]) : null;
  }
  if (q === null)
    return { label: String(year), from: Date.UTC(year, 0, 1) / 1000, to: Date.UTC(year + 1, 0, 1) / 1000 };
  return { label: `${year}-Q${q}`, from: Date.UTC(year, (q - 1) * 3, 1) / 1000, to: Date.UTC(year, q * 3, 1) / 1000 };
}
