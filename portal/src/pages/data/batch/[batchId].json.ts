import type { APIRoute } from "astro";
import type { ExportBatchDetail } from "../../../../../lib/formats/export.ts";
import { readExport } from "../../../lib/readExport.ts";

/**
 * `data/batch/<batchId>.json`: what the verify page's card shows about a key's batch, in one small file
 * per batch, derived from the export at build time (the export's `batches/<id>.json` also carries every
 * holder's ranges and the redemption bitmap, which a phone should not download to show a product name).
 * The words come from the batch's anchoring event as the indexer read it: the page shows them only when
 * the root and the supplier match what it read from the chain (docs/PORTAL.md, "The verdict card").
 * Shape: `{ batchId, supplier, root, label, productId, faceValue, currency, expiresAt, saleRequired }`.
 */
export function getStaticPaths() {
  return readExport().batches.map((batch) => ({ params: { batchId: batch.batchId }, props: { batch } }));
}

export const GET: APIRoute = ({ props }) => {
  const b = (props as { batch: ExportBatchDetail }).batch;
  const body = {
    batchId: b.batchId,
    supplier: b.supplier,
    root: b.root,
    label: b.label,
    productId: b.productId,
    faceValue: b.faceValue,
    currency: b.currency,
    expiresAt: b.expiresAt,
    saleRequired: b.saleRequired,
  };
  return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
};
