/**
 * The verify page's reads of the build's derived files: `data/parties.json` (names, kinds and
 * accreditation of the parties, for the card and the timeline) and `data/batch/<batchId>.json` (the
 * batch's product facts, for the card). Both are fetched once per page and come from the static export:
 * they are what the indexer published, not what the chain proves (docs/PORTAL.md).
 */
import { fetchExport } from "./runVerification.ts";

/** A party's facts in `data/parties.json`. */
export type PartyFacts = {
  name?: string;
  kind: string;
  accreditedUntil: number;
  suspended: boolean;
  tiers: Record<string, { tier: number; valid: boolean }>;
};

/** A batch's facts in `data/batch/<batchId>.json`. */
export type BatchFacts = {
  batchId: string;
  supplier: string;
  root: string;
  label: string;
  productId: string;
  faceValue: string;
  currency: string;
  expiresAt: number;
  saleRequired: boolean;
};

let partiesFile: Promise<{ at: number; parties: Record<string, PartyFacts> }> | undefined;
const batches = new Map<string, Promise<BatchFacts | undefined>>();

/**
 * The parties file (an empty one when it cannot be read: names are then missing, never invented).
 *
 * @returns the export time (`at`, Unix seconds; 0 when unknown) and the parties by lower-case address
 * @example
 * const { parties } = await loadParties();
 */
export function loadParties(): Promise<{ at: number; parties: Record<string, PartyFacts> }> {
  partiesFile ??= fetchExport("data/parties.json")
    .then((r) => r.json() as Promise<{ at?: unknown; parties?: unknown }>)
    .then((j) => ({
      at: typeof j.at === "number" ? j.at : 0,
      parties: j.parties && typeof j.parties === "object" ? (j.parties as Record<string, PartyFacts>) : {},
    }))
    .catch(() => ({ at: 0, parties: {} }));
  return partiesFile;
}

/**
 * A batch's published facts, or undefined when this portal has none for it (or the file is unusable).
 *
 * @param batchId - 0x + 64 hex
 * @returns the facts as published
 * @example
 * const facts = await loadBatchFacts(payload.batchId);
 */
export function loadBatchFacts(batchId: string): Promise<BatchFacts | undefined> {
  const id = batchId.toLowerCase();
  if (!/^0x[0-9a-f]{64}$/.test(id)) return Promise.resolve(undefined);
  let p = batches.get(id);
  if (!p) {
    p = fetchExport(`data/batch/${id}.json`)
      .then((r) => r.json() as Promise<BatchFacts>)
      .then((j) => (j && typeof j.root === "string" && typeof j.supplier === "string" ? j : undefined))
      .catch(() => undefined);
    batches.set(id, p);
  }
  return p;
}
