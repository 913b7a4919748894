import { keccak256, toHex, type Address, type ContractErrorName } from "viem";
import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { assertNever } from "../../../lib/errors/assertNever.js";
import { REVOCATION_REASONS } from "../../../lib/verify/revocationReasons.js";
import { formatRange } from "../parse/formatRange.js";
import { reasonName } from "../parse/reasonName.js";
import type { RangeHolder } from "./readRangeHolders.js";

/** Context that makes the sentence name the caller (and, for a range not held, each holder). */
export type DescribeContext = {
  account?: Address | undefined;
  /** For KeyLedgerRangeNotHeld: who holds each part of the range, read from the chain (see readRangeHolders). */
  holders?: readonly RangeHolder[] | undefined;
};

const ROLE_NAMES: Record<string, string> = {
  "0x0000000000000000000000000000000000000000000000000000000000000000": "DEFAULT_ADMIN_ROLE",
  [keccak256(toHex("REGISTRAR_ROLE"))]: "REGISTRAR_ROLE",
  [keccak256(toHex("REGULATOR_ROLE"))]: "REGULATOR_ROLE",
};

/** Names of the ledger's custom errors (from the ABIs of both versions; v2's include its sale module's). */
type LedgerErrorName = ContractErrorName<typeof keyLedgerAbi> | ContractErrorName<typeof keyLedgerV2Abi>;
const LEDGER_ERRORS: ReadonlySet<string> = new Set(
  [...keyLedgerAbi, ...keyLedgerV2Abi].flatMap((item) => (item.type === "error" ? [item.name] : [])),
);
const isLedgerError = (name: string): name is LedgerErrorName => LEDGER_ERRORS.has(name);

const KINDS = ["None", "Supplier", "Distributor", "Retailer"];

function when(t: bigint): string {
  return t === 0n ? "never" : new Date(Number(t) * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * Turns one of the ledger's custom errors (v1 or v2, sale module included; name and decoded
 * arguments) into a plain sentence that names the values, e.g. "range 0-9999 of batch 0x… is not held by you (0x…): 0x… holds it."
 *
 * @param errorName - the custom error's name.
 * @param args - its decoded arguments, in ABI order.
 * @param context - who sent the call.
 * @returns the sentence.
 * @example
 * describeLedgerError("KeyLedgerPartySuspended", ["0xabc…"], {}) // "party 0xabc… is suspended."
 */
export function describeLedgerError(errorName: string, args: readonly unknown[], context: DescribeContext): string {
  const a = args as readonly (string | bigint | number | boolean)[];
  const you = context.account ? `you (${context.account})` : "the sender";
  if (!isLedgerError(errorName)) {
    return `The ledger refused with ${errorName}(${a.map((x) => String(x)).join(", ")}).`;
  }
  switch (errorName) {
    case "KeyLedgerPartyAlreadyRegistered":
      return `Party ${a[0]} is already registered.`;
    case "KeyLedgerPartyNotRegistered":
      return `${a[0]} is not a registered party (register it first: keytrail party register).`;
    case "KeyLedgerPartySuspended":
      return `Party ${a[0]} is suspended.`;
    case "KeyLedgerPartyNotSuspended":
      return `Party ${a[0]} is not suspended; there is nothing to reinstate.`;
    case "KeyLedgerAccreditationExpired":
      return `Party ${a[0]}'s accreditation expired at ${when(BigInt(a[1] as bigint))}.`;
    case "KeyLedgerInvalidKind":
      return `Party ${a[0]} is of kind ${KINDS[Number(a[1])] ?? String(a[1])}, which cannot do this.`;
    case "KeyLedgerNotSupplier":
      return `${a[0]} is not an active registered supplier.`;
    case "KeyLedgerBatchExists":
      return `Batch ${a[0]} (label ${JSON.stringify(a[1])}) already exists.`;
    case "KeyLedgerBatchNotFound":
      return `There is no batch ${a[0]} on this ledger.`;
    case "KeyLedgerInvalidCount":
      return `Key count ${a[0]} is invalid: expected 1 to 2^48-1.`;
    case "KeyLedgerZeroRoot":
      return a.length >= 2
        ? `The Merkle root of batch ${a[0]} (label ${JSON.stringify(a[1])}) is zero.`
        : "The Merkle root is zero.";
    case "KeyLedgerZeroAddress":
      return a.length >= 1
        ? `The zero address is not a valid ${String(a[0])}.`
        : "The zero address is not a valid party, admin or redeemer.";
    case "KeyLedgerInvalidExpiry":
      return `Expiry ${a[0]} does not fit 40 bits of Unix seconds.`;
    case "KeyLedgerInvalidRange":
      return `Range ${formatRange(a[1] as bigint, a[2] as bigint)} of batch ${a[0]} is empty or outside the batch's indices 0-${BigInt(a[3] as bigint) - 1n}.`;
    case "KeyLedgerRangeNotHeld": {
      const holder = a[3] as string;
      const range = `Range ${formatRange(a[1] as bigint, a[2] as bigint)} of batch ${a[0]} is not held by ${you}`;
      const parts = context.holders;
      if (parts && parts.length > 0 && !(parts.length === 1 && parts[0]!.end >= BigInt(a[2] as bigint))) {
        const name = (h: string) =>
          context.account && h.toLowerCase() === context.account.toLowerCase()
            ? "you"
            : /^0x0{40}$/i.test(h)
              ? "nobody"
              : h;
        const listed = parts.map((p) => `${formatRange(p.start, p.end)} held by ${name(p.holder)}`).join(", ");
        const more =
          parts.at(-1)!.end < BigInt(a[2] as bigint)
            ? `, and further parts up to key ${BigInt(a[2] as bigint) - 1n}`
            : "";
        return `${range}: keys ${listed}${more}.`;
      }
      const who = /^0x0{40}$/i.test(holder) ? "nobody holds it" : `${holder} holds it`;
      return `${range}: ${who}.`;
    }
    case "KeyLedgerRangeFrozen": {
      const by = a[4] === true ? " by a regulator" : a[4] === false ? " by the supplier" : "";
      return `Range ${formatRange(a[1] as bigint, a[2] as bigint)} of batch ${a[0]} is frozen${by} (revoked: ${reasonName(Number(a[3]))}); frozen keys cannot move, be sold or be redeemed.`;
    }
    case "KeyLedgerNotFrozen":
      return `Range ${formatRange(a[1] as bigint, a[2] as bigint)} of batch ${a[0]} has no freeze you can lift: it is not frozen, or only a regulator's freeze (which only a regulator lifts) covers it.`;
    case "KeyLedgerRegulatorSuspension":
      return `Party ${a[0]} was suspended by a regulator: only a regulator can reinstate it (${a[1]} cannot).`;
    case "KeyLedgerNotRegistrarOrRegulator":
      return `${a[0]} has neither the REGISTRAR_ROLE nor the REGULATOR_ROLE on this ledger.`;
    case "KeyLedgerPartyIdsExhausted":
      return `No party id is left (next id would be ${a[0]}).`;
    case "KeyLedgerNoPendingRekey":
      return `No re-key of ${a[0]} to ${a[1]} is pending (propose it first: keytrail party rekey propose).`;
    case "KeyLedgerRekeySameAccount":
      return `The re-key of ${a[0]} was proposed by ${a[1]}: a different account with the regulator role must confirm it.`;
    case "KeyLedgerNotSold":
      return `Key ${a[1]} of batch ${a[0]} has not been sold: the batch requires a sale before redemption.`;
    case "KeyLedgerSaleLengths":
      return `Sale of batch ${a[0]} has ${a[1]} indices, ${a[2]} commitments and ${a[3]} order references: they must be equal and non-zero.`;
    case "KeyLedgerSaleOrder":
      return `Sale of batch ${a[0]}: index ${a[2]} follows ${a[1]}; indices must be strictly increasing.`;
    case "KeyLedgerZeroCommitment":
      return `Sale of key ${a[1]} of batch ${a[0]} has a zero receipt commitment.`;
    case "KeyLedgerAlreadySold":
      return `Key ${a[1]} of batch ${a[0]} is already sold (sale ${a[2]}); a key cannot be sold twice unless refunded and reinstated.`;
    case "KeyLedgerKeyRedeemed":
      return `Key ${a[1]} of batch ${a[0]} is already redeemed.`;
    case "KeyLedgerSellerNotAuthorized":
      return `Batch ${a[0]} is restricted and its supplier ${a[1]} has not authorised seller ${a[2]} (or the authorisation expired).`;
    case "KeyLedgerNoSale":
      return `Key ${a[1]} of batch ${a[0]} has no live sale to refund (never sold, or already refunded).`;
    case "KeyLedgerNotSeller":
      return `Key ${a[1]} of batch ${a[0]} was not sold by ${a[2]}: only its seller can refund it.`;
    case "KeyLedgerBadReceipt":
      return `The receipt for key ${a[1]} of batch ${a[0]} (order reference hash ${a[2]}) does not match its sale: wrong order reference or receipt secret.`;
    case "KeyLedgerSaleNumbersExhausted":
      return `Batch ${a[0]} has used all its sale numbers.`;
    case "KeyLedgerOnlyDelegated":
      return `The sale module ${a[0]} was called directly: call the ledger instead.`;
    case "AccessControlEnforcedDefaultAdminDelay":
      return `The admin change can only be completed after ${when(BigInt(a[0] as bigint))}.`;
    case "AccessControlEnforcedDefaultAdminRules":
      return "The admin role changes only through the delayed admin transfer (begin, wait, accept).";
    case "AccessControlInvalidDefaultAdmin":
      return `${a[0]} is not the pending admin.`;
    case "SafeCastOverflowedUintDowncast":
      return `Value ${a[1]} does not fit ${a[0]} bits.`;
    case "KeyLedgerRecipientNotAuthorized":
      return `Batch ${a[0]} is restricted and its supplier ${a[1]} has not authorised recipient ${a[2]} (or the authorisation expired).`;
    case "KeyLedgerSelfTransfer":
      return `Sender and recipient are the same account (${a[0]}).`;
    case "KeyLedgerBadHint":
      return `Hint ${a[1]} is not a segment start at or below index ${a[2]} of batch ${a[0]} (re-run: hints are recomputed from the chain).`;
    case "KeyLedgerNotBatchAuthority":
      return `${a[1]} is neither the supplier of batch ${a[0]} nor a regulator.`;
    case "KeyLedgerNotRedeemer":
      return `${a[1]} is neither the supplier of batch ${a[0]} nor a redeemer it delegated.`;
    case "KeyLedgerAlreadyRedeemed": {
      const word = BigInt(a[1] as bigint);
      const bits = BigInt(a[2] as bigint);
      const idx: string[] = [];
      for (let i = 0n; i < 256n && idx.length < 10; i++) if ((bits >> i) & 1n) idx.push(String(word * 256n + i));
      return `Keys ${idx.join(", ")}${idx.length === 10 ? ", …" : ""} of batch ${a[0]} were already redeemed.`;
    }
    case "KeyLedgerInvalidMask":
      return `Redemption of word ${a[1]} of batch ${a[0]} is empty or reaches past the batch's last key.`;
    case "KeyLedgerInvalidReason":
      return `Revocation reason ${a[0]} is not valid: expected one of ${REVOCATION_REASONS.slice(1, 6).join(", ")}.`;
    case "KeyLedgerInvalidAuthorization":
      return `Authorisation of ${a[0]} with tier ${a[1]} until ${when(BigInt(a[2] as bigint))} is invalid: the tier must be at least 1 and the expiry in the future.`;
    case "KeyLedgerNotAuthorized":
      return `Distributor ${a[1]} is not authorised by supplier ${a[0]}.`;
    case "AccessControlUnauthorizedAccount":
      return `${a[0]} lacks the role ${ROLE_NAMES[String(a[1]).toLowerCase()] ?? a[1]} on this ledger.`;
    case "AccessControlBadConfirmation":
      return "Role renouncement must be confirmed by the account itself.";
    default:
      return assertNever(errorName, "ledger error");
  }
}
