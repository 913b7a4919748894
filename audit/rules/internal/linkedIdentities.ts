import type { Address, Hex } from "viem";
import type { LedgerState } from "../../../lib/state/types.js";
import { readProfileName } from "../../../lib/parties/readProfileName.js";
import { nameSkeleton } from "../../../lib/text/assessNameConfusability.js";
import { lc } from "./helpers.js";

const ZERO = `0x${"0".repeat(64)}` as Hex;

/**
 * Why two accounts may be one actor, from chain facts only (docs/AUDIT.md, linked-circular-flow):
 * the same party (same id: a re-key), the same profile hash or profile URI, a licence certificate
 * (the certificate hash of a supplier's authorisation) they both hold, or display names with the same
 * confusable skeleton (lib/text). Returns the reasons (empty when not linked).
 */
export function linkReasons(state: LedgerState, a: Address, b: Address, names: Record<string, string>): string[] {
  const x = lc(a);
  const y = lc(b);
  if (x === y) return ["same account"];
  const p = state.parties.get(x);
  const q = state.parties.get(y);
  const out: string[] = [];
  if (p && q) {
    if (p.id === q.id) out.push("same party id");
    if (p.profileHash !== ZERO && p.profileHash === q.profileHash) out.push("same profile hash");
    if (p.profileURI !== "" && p.profileURI === q.profileURI) out.push("same profile URI");
  }
  const certs = (account: Address) => {
    const s = new Set<Hex>();
    for (const auth of state.authorizations.values())
      if (auth.distributor === account && auth.certificateHash !== ZERO) s.add(auth.certificateHash);
    return s;
  };
  const cx = certs(x);
  if (cx.size > 0) for (const c of certs(y)) if (cx.has(c)) out.push(`same licence certificate ${c}`);
  const nx = names[x] ?? readProfileName(p?.profileURI);
  const ny = names[y] ?? readProfileName(q?.profileURI);
  if (nx && ny) {
    const sx = nameSkeleton(nx);
    if (sx !== "" && sx === nameSkeleton(ny)) out.push(`confusable names "${nx}" / "${ny}"`);
  }
  return out;
}
