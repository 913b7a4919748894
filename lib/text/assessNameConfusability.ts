import { ens_normalize } from "@adraffy/ens-normalize";
import { sanitiseDisplayText } from "./sanitiseDisplayText.js";

/**
 * Letters that look like Latin letters in common fonts (a subset of Unicode's confusables.txt:
 * the Cyrillic, Greek and Armenian letters and full-width forms seen in look-alike names),
 * mapped to the Latin letter they imitate. Digits 0 and 1 map to o and l as in UTS #39.
 */
const LOOKALIKE: Record<string, string> = {
  а: "a",
  в: "b",
  е: "e",
  ё: "e",
  к: "k",
  м: "m",
  н: "h",
  о: "o",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  і: "i",
  ї: "i",
  ј: "j",
  ѕ: "s",
  ԁ: "d",
  ԛ: "q",
  ԝ: "w",
  ӏ: "l",
  һ: "h",
  ү: "y",
  ɡ: "g",
  α: "a",
  β: "b",
  ε: "e",
  η: "n",
  ι: "i",
  κ: "k",
  ν: "v",
  ο: "o",
  ρ: "p",
  τ: "t",
  υ: "u",
  χ: "x",
  ω: "w",
  օ: "o",
  ս: "u",
  ց: "g",
  զ: "q",
  հ: "h",
  ո: "n",
  "0": "o",
  "1": "l",
  "|": "l",
  I: "l",
  Ι: "l",
  І: "l",
  Ӏ: "l",
};

/**
 * A name's skeleton for look-alike comparison: NFKD (full-width forms become ASCII), capital I as l, lower case,
 * combining marks and everything but letters and digits dropped, look-alike letters mapped to
 * Latin, `rn` read as `m` and `vv` as `w`. Two different names with equal skeletons look alike.
 *
 * @param name - a display name.
 * @returns the skeleton.
 * @example
 * nameSkeleton("Тencent") === nameSkeleton("Tencent") // true (Cyrillic Т)
 */
export function nameSkeleton(name: string): string {
  const folded = sanitiseDisplayText(name, { maxLength: 1_000 })
    .text.normalize("NFKD")
    .replace(/\p{M}+/gu, "");
  let out = "";
  for (const ch of folded) {
    if (!/[\p{L}\p{N}|]/u.test(ch)) continue;
    out += LOOKALIKE[ch] ?? ch.toLowerCase();
  }
  let mapped = "";
  for (const ch of out) mapped += LOOKALIKE[ch] ?? ch;
  return mapped.replace(/rn/g, "m").replace(/vv/g, "w");
}

/** A reason to warn about a party name. */
export type NameWarning = { kind: "mixed-script"; word: string; detail: string } | { kind: "imitates"; other: string };

/**
 * Why a party name may deceive: a word mixing scripts the way look-alike names do (e.g. Latin
 * with one Cyrillic letter; Latin with Han, as in "QQ卡盟", is normal and allowed — the UTS #39
 * "highly restrictive" profile as ENSIP-15 implements it, in `@adraffy/ens-normalize`), or a
 * name that looks like another registered name without being it (equal {@link nameSkeleton}s).
 *
 * @param name - the party's display name (untrusted).
 * @param others - the other registered parties' names.
 * @returns the warnings (empty when none).
 * @example
 * assessNameConfusability("Тencent Card", ["Tencent Card"]) // mixed-script + imitates
 */
export function assessNameConfusability(name: string, others: Iterable<string> = []): NameWarning[] {
  const warnings: NameWarning[] = [];
  const text = sanitiseDisplayText(name, { maxLength: 1_000 }).text;
  for (const word of text.split(/[\s\p{P}\p{S}]+/u)) {
    if (!word) continue;
    try {
      ens_normalize(word.toLowerCase());
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      if (/mixture|confusable/i.test(detail)) warnings.push({ kind: "mixed-script", word, detail });
    }
  }
  const skeleton = nameSkeleton(text);
  if (skeleton) {
    for (const other of others) {
      const o = sanitiseDisplayText(other, { maxLength: 1_000 }).text;
      if (o !== text && nameSkeleton(o) === skeleton) {
        warnings.push({ kind: "imitates", other: o });
        break;
      }
    }
  }
  return warnings;
}
