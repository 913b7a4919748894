import type { Evidence } from "../../../lib/formats/auditReport.js";
import type { LedgerEvent } from "../../../lib/state/types.js";
import type { Hop } from "../../types.js";
import { evidenceOf } from "./helpers.js";

/**
 * The evidence of a finding over custody hops: each hop's `CustodyTransferred`, then the event that raised it.
 *
 * @param hops - the hops, in order
 * @param event - the event being checked
 * @returns the evidence records
 * @example
 * const evidence = hopEvidence(loop.hops, event);
 */
export function hopEvidence(hops: readonly Hop[], event: LedgerEvent): Evidence[] {
  return [
    ...hops.map((h) => ({
      txHash: h.txHash,
      blockNumber: h.blockNumber,
      logIndex: h.logIndex,
      timestamp: h.timestamp,
      event: "CustodyTransferred" as const,
    })),
    evidenceOf(event),
  ];
}
