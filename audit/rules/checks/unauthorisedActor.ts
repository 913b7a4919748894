import { keccak256, toBytes } from "viem";
import type { AuditRule, FindingDraft } from "../../types.js";
import { evidenceOf, lc } from "../internal/helpers.js";
import { assertNever } from "../../../lib/errors/assertNever.js";

/** keccak256("REGULATOR_ROLE"). */
const REGULATOR_ROLE = keccak256(toBytes("REGULATOR_ROLE"));

/**
 * unauthorised-actor: an action by an account without the right to it — a transfer from or to an
 * unregistered account, an anchor or authorisation by an account that is not a registered
 * supplier, a redemption by someone other than the batch's supplier or a redeemer it delegated,
 * a revocation or reinstatement by someone other than the batch's supplier or a regulator.
 */
export const unauthorisedActor: AuditRule = {
  id: "unauthorised-actor",
  title: "Action without the right to it",
  severity: "critical",
  description:
    "Transfer from/to an unregistered account; anchoring or authorising by a non-supplier; redemption by an account the batch's supplier did not delegate; revocation or reinstatement by neither the supplier nor a regulator.",
  enforcedByContract: "yes",
  create() {
    return {
      check({ event, state }) {
        const out: FindingDraft[] = [];
        const report = (party: string, role: string, batchId: string | null, supplier: string | null) =>
          out.push({
            message: `${party} acted as ${role} without the right to${batchId ? ` (batch ${batchId})` : ""}.`,
            batchId: (batchId as FindingDraft["batchId"]) ?? null,
            supplier: (supplier as FindingDraft["supplier"]) ?? null,
            parties: [party as FindingDraft["parties"][number]],
            ranges:
              event.eventName === "CustodyTransferred" ||
              event.eventName === "KeysRevoked" ||
              event.eventName === "KeysReinstated"
                ? [{ start: Number(event.args.start), end: Number(event.args.end) }]
                : [],
            evidence: [evidenceOf(event)],
            details: { role },
          });
        switch (event.eventName) {
          case "CustodyTransferred": {
            const batchId = lc(event.args.batchId);
            const supplier = state.batches.get(batchId)?.record.supplier ?? null;
            for (const [p, role] of [
              [lc(event.args.from), "sender"],
              [lc(event.args.to), "recipient"],
            ] as const) {
              if (!state.parties.has(p)) report(p, `${role} (unregistered)`, batchId, supplier);
            }
            break;
          }
          case "BatchAnchored":
          case "DistributorAuthorized": {
            const s = lc(event.args.supplier);
            if (state.parties.get(s)?.kind !== 1) {
              report(
                s,
                event.eventName === "BatchAnchored"
                  ? "anchoring supplier (not a registered supplier)"
                  : "authorising supplier (not a registered supplier)",
                event.eventName === "BatchAnchored" ? lc(event.args.batchId) : null,
                s,
              );
            }
            break;
          }
          case "KeysRedeemed": {
            const batchId = lc(event.args.batchId);
            const supplier = state.batches.get(batchId)?.record.supplier;
            const by = lc(event.args.by);
            if (supplier && by !== supplier && !state.redeemers.has(`${supplier}:${by}`)) {
              report(by, "redeemer (not delegated by the supplier)", batchId, supplier);
            }
            break;
          }
          case "KeysRevoked":
          case "KeysReinstated": {
            const batchId = lc(event.args.batchId);
            const supplier = state.batches.get(batchId)?.record.supplier;
            const by = lc(event.args.by);
            const regulator = state.roles.get(REGULATOR_ROLE)?.has(by) ?? false;
            const act = event.eventName === "KeysRevoked" ? "revoker" : "reinstater";
            // Version 2: a regulator-layer act needs the regulator role; a supplier-layer act the
            // supplier, a regulator, or (a Refunded freeze) the refunding seller.
            const refund = event.eventName === "KeysRevoked" && event.args.reason === 6 && !event.args.byRegulator;
            if (supplier && event.args.byRegulator && !regulator) {
              report(by, `${act} on the regulator layer (not a regulator)`, batchId, supplier);
            } else if (supplier && !event.args.byRegulator && by !== supplier && !regulator && !refund) {
              report(by, `${act} (neither supplier nor regulator)`, batchId, supplier);
            }
            break;
          }
          // Acts the contract restricts itself (registrar, supplier, admin roles): nothing to check.
          case "DistributorDeauthorized":
          case "PartyRegistered":
          case "PartyReinstated":
          case "PartySuspended":
          case "PartyUpdated":
          case "RedeemerSet":
          case "RoleAdminChanged":
          case "RoleGranted":
          case "RoleRevoked":
          case "KeysSold":
          case "SaleRefunded":
          case "RekeyProposed":
          case "PartyRekeyed":
          case "DefaultAdminDelayChangeCanceled":
          case "DefaultAdminDelayChangeScheduled":
          case "DefaultAdminTransferCanceled":
          case "DefaultAdminTransferScheduled":
            break;
          default:
            assertNever(event, "ledger event");
        }
        return out;
      },
    };
  },
};
