import { describe, expect, it } from "vitest";
import { assertNever, UnreachableCaseError } from "../../lib/errors/assertNever.js";
import type { DecodedLedgerLog, LedgerEventName } from "../../lib/events/types.js";

/** Handles every event but one: the compiler must refuse the assertNever call (checked by tsc on this file). */
function missesOne(log: DecodedLedgerLog): string {
  switch (log.eventName) {
    case "BatchAnchored":
    case "CustodyTransferred":
    case "DefaultAdminDelayChangeCanceled":
    case "DefaultAdminDelayChangeScheduled":
    case "DefaultAdminTransferCanceled":
    case "DefaultAdminTransferScheduled":
    case "DistributorAuthorized":
    case "DistributorDeauthorized":
    case "KeysRedeemed":
    case "KeysReinstated":
    case "KeysRevoked":
    case "KeysSold":
    case "PartyRegistered":
    case "PartyRekeyed":
    case "PartyReinstated":
    case "PartySuspended":
    case "PartyUpdated":
    case "RedeemerSet":
    case "RekeyProposed":
    case "RoleAdminChanged":
    case "RoleGranted":
    case "SaleRefunded":
      return log.eventName;
    default:
      // @ts-expect-error RoleRevoked is not handled, so `log` is not `never` here.
      return assertNever(log, "ledger event");
  }
}

describe("assertNever", () => {
  it("is a compile error while a case is missing, and throws naming the value at run time", () => {
    const args = { role: "0x00", account: "0x00", sender: "0x00" } as const;
    expect(missesOne({ eventName: "RoleGranted", args })).toBe("RoleGranted");
    const unknownEvent = { eventName: "KeysTestOnly", args: {} } as unknown as never;
    expect(() => assertNever(unknownEvent, "ledger event")).toThrow(UnreachableCaseError);
    expect(() => assertNever(unknownEvent, "ledger event")).toThrow('Unhandled ledger event "KeysTestOnly".');
    expect(() => missesOne({ eventName: "RoleRevoked", args })).toThrow(/"RoleRevoked"/);
    expect(() => assertNever("wrong-verdict" as never, "verdict")).toThrow('Unhandled verdict "wrong-verdict".');
  });

  it("the event names are exactly the ABI's (a union, not string)", () => {
    const name: LedgerEventName = "KeysRevoked";
    // @ts-expect-error not an event of the ABI
    const bad: LedgerEventName = "NotAnEvent";
    expect([name, bad]).toHaveLength(2);
  });
});
