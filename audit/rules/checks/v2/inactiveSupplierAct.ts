import type { Address } from "viem";
import type { AuditRule } from "../../../types.js";
import type { LedgerEvent } from "../../../../lib/state/types.js";
import type { Severity } from "../../../../lib/formats/auditReport.js";
import { evidenceOf, lc } from "../../internal/helpers.js";

/** The account acting in an event (the transaction's party in the event), with the act's name. */
function actingAccount(e: LedgerEvent): { account: Address; act: string } | null {
  switch (e.eventName) {
    case "KeysRevoked":
      return { account: lc(e.args.by), act: "revoked keys" };
    case "KeysReinstated":
      return { account: lc(e.args.by), act: "reinstated keys" };
    case "DistributorAuthorized":
      return { account: lc(e.args.supplier), act: "authorised a distributor" };
    case "DistributorDeauthorized":
      return { account: lc(e.args.supplier), act: "withdrew an authorisation" };
    case "RedeemerSet":
      return { account: lc(e.args.supplier), act: e.args.allowed ? "delegated a redeemer" : "withdrew a redeemer" };
    case "BatchAnchored":
      return { account: lc(e.args.supplier), act: "anchored a batch" };
    case "CustodyTransferred":
      return { account: lc(e.args.from), act: "sent keys" };
    case "KeysSold":
      return { account: lc(e.args.seller), act: "sold keys" };
    case "SaleRefunded":
      return { account: lc(e.args.seller), act: "refunded a sale" };
    case "KeysRedeemed":
      return { account: lc(e.args.by), act: "redeemed keys" };
    default:
      return null;
  }
}

/** Acts suspended-party-action already reports for any suspended party. */
const reportedElsewhere = new Set<LedgerEvent["eventName"]>([
  "CustodyTransferred",
  "BatchAnchored",
  "DistributorAuthorized",
  "KeysRedeemed",
  "KeysSold",
]);

/**
 * inactive-supplier-act (Audit v2): any act of an account re-keyed away (its party moved to
 * another account: the old key acting is a stolen or kept key), and the acts of a suspended
 * supplier that suspended-party-action leaves alone because the contract allows them (revoking,
 * reinstating, withdrawing, refunding): a suspended supplier lifting freezes is undoing the
 * regulator's reason to suspend it.
 */
export const inactiveSupplierAct: AuditRule = {
  id: "inactive-supplier-act",
  title: "Act of a re-keyed-away account or a suspended supplier",
  severity: "medium",
  description:
    "An account whose party was re-keyed to another account acts (high); a suspended supplier reinstates keys (high), refunds (medium), or revokes or withdraws (low).",
  enforcedByContract: "partly",
  create() {
    const rekeyedAway = new Map<Address, Address>();
    return {
      check({ event, state }) {
        if (event.eventName === "PartyRekeyed") {
          rekeyedAway.set(lc(event.args.oldAccount), lc(event.args.newAccount));
          return [];
        }
        const a = actingAccount(event);
        if (!a) return [];
        const batchId = "batchId" in event.args ? lc(event.args.batchId) : null;
        const supplier = batchId ? (state.batches.get(batchId)?.record.supplier ?? null) : null;
        const successor = rekeyedAway.get(a.account);
        const party = state.parties.get(a.account);
        let severity: Severity;
        let why: string;
        if (successor !== undefined && !party) {
          severity = "high";
          why = `after its party was re-keyed to ${successor}`;
        } else if (party?.kind === 1 && party.suspended && !reportedElsewhere.has(event.eventName)) {
          severity =
            event.eventName === "KeysReinstated" ? "high" : event.eventName === "SaleRefunded" ? "medium" : "low";
          why = "while suspended";
        } else return [];
        return [
          {
            severity,
            message: `${a.account} ${a.act} ${why} (${event.eventName}).`,
            batchId,
            supplier: supplier ?? (party?.kind === 1 ? a.account : null),
            parties: successor ? [a.account, successor] : [a.account],
            ranges:
              "start" in event.args && "end" in event.args
                ? [{ start: Number(event.args.start), end: Number(event.args.end) }]
                : [],
            evidence: [evidenceOf(event)],
            details: { act: a.act, rekeyedTo: successor ?? null, suspended: party?.suspended ?? false },
          },
        ];
      },
    };
  },
};
