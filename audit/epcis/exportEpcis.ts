import type { Address, Hex } from "viem";
import type { LedgerEvent } from "../../lib/state/types.js";
import { REVOCATION_REASONS } from "../../lib/verify/revocationReasons.js";
import { currencyText, lc, maskRanges, mergeRanges, popcount } from "../rules/internal/helpers.js";
import { computeEpcisEventHash } from "./computeEpcisEventHash.js";
import type { Json } from "./epcisPreHash.js";
import { KEYTRAIL_NS } from "./epcisPreHash.js";
import { gtinFromProductId } from "./gtinFromProductId.js";
import { assertNever } from "../../lib/errors/assertNever.js";
import type { KeyRange } from "../../lib/formats/auditReport.js";

/** Parameters of {@link exportEpcis}. */
export type ExportEpcisParameters = {
  chainId: number;
  ledger: Address;
  /** eventTimeZoneOffset of every event (default "+00:00"; "+08:00" for China Standard Time). */
  timeZoneOffset?: string;
  /** Time of the document (Unix seconds): creationDate, and batches expired by then get an "expired" event. Default: the last event's time. */
  asOf?: bigint;
  /** GTIN-14 per batchId, overriding what the productId carries (e.g. from manifests). */
  gtins?: Record<string, string>;
};

/** An EPCIS 2.0 JSON-LD document. */
export type EpcisDocument = {
  "@context": (string | Record<string, string>)[];
  type: "EPCISDocument";
  schemaVersion: "2.0";
  creationDate: string;
  epcisBody: { eventList: Record<string, Json>[] };
};

const iso = (t: bigint) => new Date(Number(t) * 1000).toISOString();
const rangesText = (rs: readonly KeyRange[]) => rs.map((r) => `${r.start}-${r.end}`).join(" ");
/** GS1 AI 82 character set, at most 20 characters: usable as a lot (AI 10). */
const AI82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/;

type BatchInfo = {
  gtin: string | null;
  epcClass: string;
  count: bigint;
  expiresAt: bigint;
  redeemed: number;
  expiredEmitted: boolean;
  supplier: Address;
};

/**
 * Every ledger event as an EPCIS 2.0 JSON-LD ObjectEvent: anchoring = commissioning (ADD,
 * active); a transfer = shipping by the sender (OBSERVE, in_transit) and receiving by the
 * recipient (OBSERVE, active); revocation = OBSERVE with disposition stolen (reason stolen, also
 * set as persistent disposition) or inactive (other reasons); reinstatement = active;
 * redemption = decommissioning (DELETE, inactive); a sale (`KeysSold`) = retail_selling (OBSERVE,
 * retail_sold); a refund (`SaleRefunded`) = receiving (OBSERVE, returned); a batch whose expiry passed by `asOf` gets one
 * derived OBSERVE event with disposition expired. Keys are counted in a quantityList with a
 * class-level identifier per batch — a GS1 Digital Link `https://id.gs1.org/01/{GTIN}/10/{lot}`
 * when the batch carries a GTIN (lot = the label when it fits AI 10, else the first 20 hex digits
 * of the batchId), else `urn:keytrail:class:{chainId}:{ledger}:{batchId}` — and the exact index
 * ranges in `keytrail:ranges`. Parties are `did:pkh:eip155:{chainId}:{address}`. eventIDs are CBV
 * 2.0 event hashes (docs/AUDIT.md lists the deviations). Party and authorisation events carry no
 * objects and are not exported. No secrets are involved: the ledger holds none.
 *
 * @param events Decoded ledger events in chain order.
 * @param parameters Chain id, ledger, time-zone offset, document time, GTIN overrides.
 * @returns The EPCIS document.
 * @example
 * const doc = exportEpcis(events, { chainId: 31337, ledger, timeZoneOffset: "+08:00" });
 * await writeFile("epcis.jsonld", JSON.stringify(doc, null, 2));
 */
export function exportEpcis(events: readonly LedgerEvent[], parameters: ExportEpcisParameters): EpcisDocument {
  const { chainId } = parameters;
  const ledger = lc(parameters.ledger);
  const tz = parameters.timeZoneOffset ?? "+00:00";
  const party = (a: Address) => `did:pkh:eip155:${chainId}:${lc(a)}`;
  const batches = new Map<Hex, BatchInfo>();
  const out: Record<string, Json>[] = [];
  const last = events.length ? events[events.length - 1]!.timestamp : 0n;
  const asOf = parameters.asOf ?? last;

  const push = (e: Record<string, Json>) => {
    e.eventID = computeEpcisEventHash(e);
    out.push(e);
  };
  const base = (t: bigint): Record<string, Json> => ({
    type: "ObjectEvent",
    eventTime: iso(t),
    eventTimeZoneOffset: tz,
  });
  const ext = (ev: LedgerEvent, batchId: Hex, ranges: readonly KeyRange[]): Record<string, Json> => ({
    "keytrail:batchId": batchId,
    "keytrail:ranges": rangesText(ranges),
    "keytrail:event": ev.eventName,
    "keytrail:txHash": ev.txHash,
    "keytrail:blockNumber": Number(ev.blockNumber),
    "keytrail:logIndex": ev.logIndex,
  });
  const qty = (b: BatchInfo, n: number): Json => [{ epcClass: b.epcClass, quantity: n }];
  const emitExpiries = (until: bigint) => {
    for (const [batchId, b] of batches) {
      if (b.expiredEmitted || b.expiresAt === 0n || b.expiresAt >= until) continue;
      b.expiredEmitted = true;
      const remaining = Number(b.count) - b.redeemed;
      if (remaining <= 0) continue;
      push({
        ...base(b.expiresAt),
        quantityList: qty(b, remaining),
        action: "OBSERVE",
        disposition: "expired",
        "keytrail:batchId": batchId,
        "keytrail:event": "BatchExpired",
        "keytrail:derived": true,
      });
    }
  };

  for (const ev of events) {
    emitExpiries(ev.timestamp);
    switch (ev.eventName) {
      case "BatchAnchored": {
        const a = ev.args;
        const batchId = lc(a.batchId);
        if (batches.has(batchId)) break;
        const gtin = parameters.gtins?.[batchId] ?? gtinFromProductId(a.productId);
        const lot = AI82.test(a.label) ? a.label : batchId.slice(2, 22);
        const epcClass = gtin
          ? `https://id.gs1.org/01/${gtin}/10/${encodeURIComponent(lot)}`
          : `urn:keytrail:class:${chainId}:${ledger}:${batchId}`;
        const b: BatchInfo = {
          gtin,
          epcClass,
          count: a.count,
          expiresAt: a.expiresAt,
          redeemed: 0,
          expiredEmitted: false,
          supplier: lc(a.supplier),
        };
        batches.set(batchId, b);
        push({
          ...base(ev.timestamp),
          quantityList: qty(b, Number(a.count)),
          action: "ADD",
          bizStep: "commissioning",
          disposition: "active",
          destinationList: [{ type: "owning_party", destination: party(a.supplier) }],
          ...ext(ev, batchId, [{ start: 0, end: Number(a.count) }]),
          "keytrail:label": a.label,
          "keytrail:root": lc(a.root),
          "keytrail:faceValue": a.faceValue.toString(),
          "keytrail:currency": currencyText(a.currency),
          "keytrail:expiresAt": Number(a.expiresAt),
          "keytrail:restricted": a.restricted,
          "keytrail:manifestHash": lc(a.manifestHash),
          "keytrail:manifestURI": a.manifestURI,
        });
        break;
      }
      case "CustodyTransferred": {
        const a = ev.args;
        const batchId = lc(a.batchId);
        const b = batches.get(batchId);
        if (!b) break;
        const n = Number(a.end - a.start);
        const ranges = [{ start: Number(a.start), end: Number(a.end) }];
        const common = {
          quantityList: qty(b, n),
          action: "OBSERVE",
          sourceList: [
            { type: "owning_party", source: party(a.from) },
            { type: "possessing_party", source: party(a.from) },
          ],
          destinationList: [
            { type: "owning_party", destination: party(a.to) },
            { type: "possessing_party", destination: party(a.to) },
          ],
          ...ext(ev, batchId, ranges),
          "keytrail:memo": lc(a.memo),
        };
        push({ ...base(ev.timestamp), ...common, bizStep: "shipping", disposition: "in_transit" });
        push({ ...base(ev.timestamp), ...common, bizStep: "receiving", disposition: "active" });
        break;
      }
      case "KeysRevoked": {
        const a = ev.args;
        const batchId = lc(a.batchId);
        const b = batches.get(batchId);
        if (!b) break;
        const stolen = Number(a.reason) === 1;
        push({
          ...base(ev.timestamp),
          quantityList: qty(b, Number(a.end - a.start)),
          action: "OBSERVE",
          disposition: stolen ? "stolen" : "inactive",
          ...(stolen ? { persistentDisposition: { set: ["stolen"] } } : {}),
          ...ext(ev, batchId, [{ start: Number(a.start), end: Number(a.end) }]),
          "keytrail:revocationReason": REVOCATION_REASONS[Number(a.reason)] ?? String(a.reason),
          "keytrail:by": party(a.by),
        });
        break;
      }
      case "KeysReinstated": {
        const a = ev.args;
        const batchId = lc(a.batchId);
        const b = batches.get(batchId);
        if (!b) break;
        push({
          ...base(ev.timestamp),
          quantityList: qty(b, Number(a.end - a.start)),
          action: "OBSERVE",
          disposition: "active",
          ...ext(ev, batchId, [{ start: Number(a.start), end: Number(a.end) }]),
          "keytrail:by": party(a.by),
        });
        break;
      }
      case "KeysRedeemed": {
        const a = ev.args;
        const batchId = lc(a.batchId);
        const b = batches.get(batchId);
        if (!b) break;
        const n = popcount(a.mask);
        b.redeemed += n;
        push({
          ...base(ev.timestamp),
          quantityList: qty(b, n),
          action: "DELETE",
          bizStep: "decommissioning",
          disposition: "inactive",
          ...ext(ev, batchId, mergeRanges(maskRanges(a.wordIndex, a.mask))),
          "keytrail:by": party(a.by),
        });
        break;
      }
      case "KeysSold": {
        // A sale to end buyers: CBV bizStep retail_selling, disposition retail_sold (one event per group).
        const a = ev.args;
        const batchId = lc(a.batchId);
        const b = batches.get(batchId);
        if (!b) break;
        const ranges = mergeRanges(a.indices.map((i) => ({ start: Number(i), end: Number(i) + 1 })));
        push({
          ...base(ev.timestamp),
          quantityList: qty(b, a.indices.length),
          action: "OBSERVE",
          bizStep: "retail_selling",
          disposition: "retail_sold",
          ...ext(ev, batchId, ranges),
          "keytrail:by": party(a.seller),
          "keytrail:saleNo": a.saleNo,
        });
        break;
      }
      case "SaleRefunded": {
        // A refund takes the key back: CBV 2.0 has no "returning" step, so the seller's receipt of
        // the returned key is bizStep receiving with disposition returned.
        const a = ev.args;
        const batchId = lc(a.batchId);
        const b = batches.get(batchId);
        if (!b) break;
        push({
          ...base(ev.timestamp),
          quantityList: qty(b, 1),
          action: "OBSERVE",
          bizStep: "receiving",
          disposition: "returned",
          ...ext(ev, batchId, [{ start: Number(a.index), end: Number(a.index) + 1 }]),
          "keytrail:by": party(a.seller),
          "keytrail:saleNo": a.saleNo,
        });
        break;
      }
      // Registry, authorisation, re-key, role and admin events: not movements of keys, no EPCIS event.
      case "DistributorAuthorized":
      case "DistributorDeauthorized":
      case "PartyRegistered":
      case "PartyReinstated":
      case "PartySuspended":
      case "PartyUpdated":
      case "RedeemerSet":
      case "RoleAdminChanged":
      case "RoleGranted":
      case "RoleRevoked":
      case "RekeyProposed":
      case "PartyRekeyed":
      case "DefaultAdminDelayChangeCanceled":
      case "DefaultAdminDelayChangeScheduled":
      case "DefaultAdminTransferCanceled":
      case "DefaultAdminTransferScheduled":
        break;
      default:
        assertNever(ev, "ledger event");
    }
  }
  emitExpiries(asOf + 1n);
  return {
    "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", { keytrail: KEYTRAIL_NS }],
    type: "EPCISDocument",
    schemaVersion: "2.0",
    creationDate: iso(asOf),
    epcisBody: { eventList: out },
  };
}
