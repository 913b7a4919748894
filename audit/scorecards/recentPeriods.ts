import { AuditOptionError } from "../errors.js";
import type { Period } from "../../lib/formats/auditReport.js";

/**
 * The last `count` calendar months (or weeks, Monday to Monday), UTC, ending with the one that
 * contains `reference`, oldest first. Months are labelled "2026-11", weeks by their Monday
 * ("2026-11-23").
 *
 * @param reference Unix seconds inside the last period (e.g. the last event's time).
 * @param options How many periods (default 6) and of which length (default "month").
 * @returns The periods, oldest first.
 * @throws AuditOptionError on a count that is not 1..120.
 * @example
 * recentPeriods(1796195251, { count: 3 }).map((p) => p.label) // ["2026-09", "2026-10", "2026-11"]
 */
export function recentPeriods(reference: number, options: { count?: number; unit?: "month" | "week" } = {}): Period[] {
  const count = options.count ?? 6;
  if (!Number.isInteger(count) || count < 1 || count > 120)
    throw new AuditOptionError(`Scorecard history of ${count} periods: expected a whole number from 1 to 120.`);
  const d = new Date(reference * 1000);
  const out: Period[] = [];
  if ((options.unit ?? "month") === "month") {
    for (let i = count - 1; i >= 0; i--) {
      const from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - i, 1);
      const to = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - i + 1, 1);
      out.push({ label: new Date(from).toISOString().slice(0, 7), from: from / 1000, to: to / 1000 });
    }
    return out;
  }
  const monday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  for (let i = count - 1; i >= 0; i--) {
    const from = monday - i * 7 * 86_400_000;
    out.push({ label: new Date(from).toISOString().slice(0, 10), from: from / 1000, to: from / 1000 + 7 * 86_400 });
  }
  return out;
}
