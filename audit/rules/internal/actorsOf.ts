import type { Address } from "viem";
import type { LedgerEvent } from "../../../lib/state/types.js";
import { lc } from "./helpers.js";
import { assertNever } from "../../../lib/errors/assertNever.js";

/** An account acting in an event, and in which role. */
export type Actor = {
  party: Address;
  role:
    | "sender"
    | "recipient"
    | "anchoring supplier"
    | "authorising supplier"
    | "redeemer-granting supplier"
    | "redeemer"
    | "seller";
};

/**
 * The accounts that act in an event in a way a suspended or expired party must not: send or
 * receive keys, anchor, authorise, delegate redemption, redeem, sell. Protective acts (refunds, (revocation,
 * reinstatement of keys, withdrawing an authorisation or a redeemer) are not listed.
 */
export function actorsOf(event: LedgerEvent): Actor[] {
  switch (event.eventName) {
    case "CustodyTransferred":
      return [
        { party: lc(event.args.from), role: "sender" },
        { party: lc(event.args.to), role: "recipient" },
      ];
    case "BatchAnchored":
      return [{ party: lc(event.args.supplier), role: "anchoring supplier" }];
    case "DistributorAuthorized":
      return [{ party: lc(event.args.supplier), role: "authorising supplier" }];
    case "RedeemerSet":
      return event.args.allowed ? [{ party: lc(event.args.supplier), role: "redeemer-granting supplier" }] : [];
    case "KeysRedeemed":
      return [{ party: lc(event.args.by), role: "redeemer" }];
    case "KeysSold":
      return [{ party: lc(event.args.seller), role: "seller" }];
    // Protective acts, registry and role events: nobody acts in the sense above.
    case "DistributorDeauthorized":
    case "KeysReinstated":
    case "KeysRevoked":
    case "PartyRegistered":
    case "PartyReinstated":
    case "PartySuspended":
    case "PartyUpdated":
    case "RoleAdminChanged":
    case "RoleGranted":
    case "RoleRevoked":
    case "SaleRefunded":
    case "RekeyProposed":
    case "PartyRekeyed":
    case "DefaultAdminDelayChangeCanceled":
    case "DefaultAdminDelayChangeScheduled":
    case "DefaultAdminTransferCanceled":
    case "DefaultAdminTransferScheduled":
      return [];
    default:
      return assertNever(event, "ledger event");
  }
}
