import type { CardKey } from "./normaliseKey.js";

/** A key seen twice: which field repeats, where, and where it was first seen. */
export type DuplicateKey = { field: "pin" | "serial"; line: number; firstLine: number };

/** What counts as a duplicate: the same PIN, the same serial, or both checks (default). */
export type DuplicateMode = "pin" | "serial" | "pin+serial";

/** A running duplicate check (see {@link createDuplicateTracker}). */
export type DuplicateTracker = {
  /** Records a key and returns the duplicates it makes (empty when none). */
  add(key: CardKey, line: number): DuplicateKey[];
};

/**
 * A duplicate check over normalised keys, one `Map` per field: the same PIN twice is the same
 * redeemable value sold twice; the same serial twice is a supplier error. Messages built from the
 * result name lines, never the secret.
 *
 * @param mode Which fields to check (default both).
 * @returns A tracker; call `add` for every key in file order.
 *
 * @example
 * const dup = createDuplicateTracker();
 * for (const r of records) for (const d of dup.add(r, r.line)) console.log(`line ${d.line}: duplicate ${d.field} (first seen on line ${d.firstLine})`);
 */
export function createDuplicateTracker(mode: DuplicateMode = "pin+serial"): DuplicateTracker {
  const pins = mode === "serial" ? undefined : new Map<string, number>();
  const serials = mode === "pin" ? undefined : new Map<string, number>();
  return {
    add(key, line) {
      let out: DuplicateKey[] | undefined;
      if (pins) {
        const first = pins.get(key.pin);
        if (first === undefined) pins.set(key.pin, line);
        else (out ??= []).push({ field: "pin", line, firstLine: first });
      }
      if (serials && key.serial !== undefined) {
        const first = serials.get(key.serial);
        if (first === undefined) serials.set(key.serial, line);
        else (out ??= []).push({ field: "serial", line, firstLine: first });
      }
      return out ?? [];
    },
  };
}
