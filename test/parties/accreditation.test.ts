import { describe, expect, it } from "vitest";
import { isAccredited } from "../../lib/parties/isAccredited.js";

describe("isAccredited: a party's accreditation as the ledger judges it", () => {
  it("accreditedUntil 0 means accredited forever (registered with no expiry)", () => {
    expect(isAccredited(0, 1_795_000_000)).toBe(true);
    expect(isAccredited(0n, 2n ** 40n)).toBe(true);
  });

  it("is accredited up to and including accreditedUntil, expired one second later (KeyLedger._notExpired)", () => {
    const until = 1_830_297_599; // 2027-12-31T23:59:59Z
    expect(isAccredited(until, until - 1)).toBe(true);
    expect(isAccredited(until, until)).toBe(true);
    expect(isAccredited(until, until + 1)).toBe(false);
    expect(isAccredited(BigInt(until), BigInt(until) + 1n)).toBe(false);
  });
});
