import type { APIRoute } from "astro";
import { readProfileName } from "../../../../lib/parties/readProfileName.ts";
import { readExport } from "../../lib/readExport.ts";

/**
 * `data/parties.json`: the few party facts the verify page needs for a custody timeline, in one
 * small file (display name from the registrar's profile URI, kind, accreditation, suspension, and the tier each supplier granted), derived from
 * the export at build time. Shape: `{ at, parties: { [address]: { name?, kind, accreditedUntil, suspended, tiers: { [supplier]: { tier, valid } } } } }`.
 */
export const GET: APIRoute = () => {
  const ex = readExport();
  const parties: Record<
    string,
    {
      name?: string;
      kind: string;
      accreditedUntil: number;
      suspended: boolean;
      tiers: Record<string, { tier: number; valid: boolean }>;
    }
  > = {};
  for (const p of ex.parties) {
    const tiers: Record<string, { tier: number; valid: boolean }> = {};
    for (const a of p.authorizationsReceived) tiers[a.supplier] = { tier: a.tier, valid: a.valid };
    const name = readProfileName(p.profileURI);
    parties[p.address] = {
      ...(name ? { name } : {}),
      kind: p.kind,
      accreditedUntil: p.accreditedUntil,
      suspended: p.suspended,
      tiers,
    };
  }
  return new Response(
    JSON.stringify({ at: ex.index?.block.timestamp ?? 0, block: ex.index?.block.number ?? null, parties }),
    {
      headers: { "content-type": "application/json" },
    },
  );
};
