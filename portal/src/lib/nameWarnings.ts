import { assessNameConfusability, type NameWarning } from "../../../lib/text/assessNameConfusability.ts";
import { readProfileName } from "../../../lib/parties/readProfileName.ts";
import { displayText } from "./display.ts";
import { readExport } from "./readExport.ts";

/** A look-alike warning ready to print: the kind, and for `imitates` the other name (sanitised). */
export type PartyNameWarning = { kind: "mixed-script"; word: string } | { kind: "imitates"; other: string };

let cache: Map<string, PartyNameWarning[]> | undefined;

/**
 * Look-alike warnings for every registered party with a display name: a name mixing scripts the way
 * look-alike names do, or one that looks like another party's name (see
 * `lib/text/assessNameConfusability.ts`). Build time only: it pulls in the ENSIP-15 tables, which
 * must never reach the verify page's script.
 *
 * @returns warnings by lower-case address (parties without warnings are absent).
 * @example
 * partyNameWarnings().get("0xabc…")?.[0]?.kind // "imitates"
 */
export function partyNameWarnings(): Map<string, PartyNameWarning[]> {
  if (cache) return cache;
  const named = readExport()
    .parties.map((p) => ({ address: p.address.toLowerCase(), name: readProfileName(p.profileURI) }))
    .filter((p): p is { address: string; name: string } => !!p.name);
  const out = new Map<string, PartyNameWarning[]>();
  for (const p of named) {
    const others = named.filter((o) => o.address !== p.address).map((o) => o.name);
    const warnings = assessNameConfusability(p.name, others).map((w: NameWarning): PartyNameWarning =>
      w.kind === "imitates"
        ? { kind: "imitates", other: displayText(w.other) }
        : { kind: w.kind, word: displayText(w.word) },
    );
    if (warnings.length > 0) out.set(p.address, warnings);
  }
  cache = out;
  return out;
}
