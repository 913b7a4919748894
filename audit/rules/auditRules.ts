import type { AuditRule } from "../types.js";
import { anchoredPastAccreditation } from "./checks/anchoredPastAccreditation.js";
import { batchOutlivesAccreditation } from "./checks/batchOutlivesAccreditation.js";
import { circularFlow } from "./checks/circularFlow.js";
import { custodyPartition } from "./checks/custodyPartition.js";
import { doubleRedemption } from "./checks/doubleRedemption.js";
import { expiredAccreditationAction } from "./checks/expiredAccreditationAction.js";
import { expiredAuthorisationUse } from "./checks/expiredAuthorisationUse.js";
import { frozenKeyMoved } from "./checks/frozenKeyMoved.js";
import { frozenKeyRedeemed } from "./checks/frozenKeyRedeemed.js";
import { largeTransfer } from "./checks/largeTransfer.js";
import { partyRekeyed } from "./checks/partyRekeyed.js";
import { rapidHops } from "./checks/rapidHops.js";
import { redeemedUpstream } from "./checks/redeemedUpstream.js";
import { redeemedWithoutSale } from "./checks/redeemedWithoutSale.js";
import { sellerRefunds } from "./checks/sellerRefunds.js";
import { soldAfterExpiry } from "./checks/soldAfterExpiry.js";
import { suspendedPartyAction } from "./checks/suspendedPartyAction.js";
import { unauthorisedActor } from "./checks/unauthorisedActor.js";
import { unauthorisedHop } from "./checks/unauthorisedHop.js";

/**
 * Every audit rule, in report order (most severe first). Each has an id, a severity, a
 * description and whether the contract already refuses what it looks for.
 */
export const auditRules: readonly AuditRule[] = [
  custodyPartition,
  frozenKeyMoved,
  frozenKeyRedeemed,
  doubleRedemption,
  unauthorisedActor,
  unauthorisedHop,
  suspendedPartyAction,
  expiredAccreditationAction,
  soldAfterExpiry,
  anchoredPastAccreditation,
  redeemedUpstream,
  expiredAuthorisationUse,
  partyRekeyed,
  sellerRefunds,
  largeTransfer,
  rapidHops,
  circularFlow,
  batchOutlivesAccreditation,
  redeemedWithoutSale,
];
