import { createDuplicateTracker } from "./createDuplicateTracker.js";
import type { DuplicateKey, DuplicateMode } from "./createDuplicateTracker.js";
import type { CardKey } from "./normaliseKey.js";

/**
 * Finds repeated keys in records (normalised, with line numbers), reporting both line numbers.
 *
 * @param records Keys in file order, each with its `line`.
 * @param mode "pin", "serial" or "pin+serial" (default).
 * @returns Every repeat, in file order.
 *
 * @example
 * findDuplicateKeys([{ line: 2, pin: "A1" }, { line: 9, pin: "A1" }]) // [{ field: "pin", line: 9, firstLine: 2 }]
 */
export function findDuplicateKeys(
  records: Iterable<CardKey & { line: number }>,
  mode: DuplicateMode = "pin+serial",
): DuplicateKey[] {
  const t = createDuplicateTracker(mode);
  const out: DuplicateKey[] = [];
  for (const r of records) for (const d of t.add(r, r.line)) out.push(d);
  return out;
}
