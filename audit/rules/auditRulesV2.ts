import type { AuditRule } from "../types.js";
import { auditRules } from "./auditRules.js";
import { freezeLiftedByOther } from "./checks/v2/freezeLiftedByOther.js";
import { hopSpeed } from "./checks/v2/hopSpeed.js";
import { inactiveSupplierAct } from "./checks/v2/inactiveSupplierAct.js";
import { linkedCircularFlow } from "./checks/v2/linkedCircularFlow.js";
import { parkedBeforeRedemption } from "./checks/v2/parkedBeforeRedemption.js";
import { refundFarming } from "./checks/v2/refundFarming.js";
import { sharedFunder } from "./checks/v2/sharedFunder.js";
import { structuring } from "./checks/v2/structuring.js";
import { volumeWindow } from "./checks/v2/volumeWindow.js";

/** Landed rules that Audit v2 replaces with rules over time. */
const replaced = new Set(["large-transfer", "rapid-hops", "circular-flow", "seller-refunds"]);

/**
 * The landed rules as they were first released (`keytrail audit --rules landed`): kept runnable as
 * the anchor the Audit v2 rules are measured against (bench/audit/precisionRecall.ts).
 */
export const landedAuditRules: readonly AuditRule[] = auditRules;

/**
 * Audit v2 (`keytrail audit --rules v2`): the landed rules, with the per-transaction ones replaced
 * by rules over time — rolling volumes (volume-window), structuring, graded hop speed, loops through
 * linked identities, refund farming — plus keys parked with a retailer before redemption, freezes
 * lifted by another party, and acts of re-keyed-away accounts or suspended suppliers.
 */
export const auditRulesV2: readonly AuditRule[] = [
  ...auditRules.filter(
    (r) => !replaced.has(r.id) && r.id !== "batch-outlives-accreditation" && r.id !== "redeemed-without-sale",
  ),
  structuring,
  parkedBeforeRedemption,
  freezeLiftedByOther,
  inactiveSupplierAct,
  volumeWindow,
  hopSpeed,
  linkedCircularFlow,
  refundFarming,
  sharedFunder,
  ...auditRules.filter((r) => r.id === "batch-outlives-accreditation" || r.id === "redeemed-without-sale"),
];
