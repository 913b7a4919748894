/**
 * The verify page's stand-ins for lib/proof's viem helpers (portal/src/lib/proofViem.ts) give viem's
 * results on random and edge inputs, and refuse what viem refuses for the inputs lib/proof passes.
 */
import { randomBytes } from "node:crypto";
import * as viem from "viem";
import { describe, expect, it } from "vitest";
import * as shim from "../../portal/src/lib/proofViem.js";

const hex = (n: number) => viem.bytesToHex(randomBytes(n));

describe("portal proof helpers match viem", () => {
  it("hex and bytes, keccak256, numberToHex (random and edge values)", () => {
    for (let k = 0; k < 200; k++) {
      const h = hex(k % 70);
      expect(shim.hexToBytes(h)).toEqual(viem.hexToBytes(h));
      expect(shim.bytesToHex(viem.hexToBytes(h))).toBe(viem.bytesToHex(viem.hexToBytes(h)));
      expect(shim.keccak256(h)).toBe(viem.keccak256(h));
      const n = BigInt(hex(1 + (k % 32)));
      expect(shim.numberToHex(n, { size: 32 })).toBe(viem.numberToHex(n, { size: 32 }));
    }
    expect(shim.hexToBytes("0xabc")).toEqual(viem.hexToBytes("0xabc"));
    expect(shim.numberToHex(0n, { size: 20 })).toBe(viem.numberToHex(0n, { size: 20 }));
    expect(() => shim.numberToHex(1n << 256n, { size: 32 })).toThrow(/does not fit in 32 bytes/);
    expect(() => viem.numberToHex(1n << 256n, { size: 32 })).toThrow();
    expect(() => shim.numberToHex(-1n, { size: 32 })).toThrow(/-1 does not fit/);
    expect(() => shim.hexToBytes("0xzz" as viem.Hex)).toThrow(/"0xzz" is not hex/);
  });

  it("encodeAbiParameters of (bytes32, uint256) and getAddress", () => {
    const types = [{ type: "bytes32" }, { type: "uint256" }] as const;
    for (let k = 0; k < 100; k++) {
      const key = hex(32);
      const slot = BigInt(hex(32));
      expect(shim.encodeAbiParameters(types, [key, slot])).toBe(viem.encodeAbiParameters(types, [key, slot]));
      const a = hex(20);
      expect(shim.getAddress(a)).toBe(viem.getAddress(a));
    }
    expect(shim.getAddress(`0x${"0".repeat(40)}`)).toBe(viem.getAddress(`0x${"0".repeat(40)}`));
    expect(() => shim.encodeAbiParameters(types, [hex(31), 1n])).toThrow(/as bytes32/);
    expect(() => shim.getAddress("0x1234")).toThrow(/"0x1234" is not an address/);
  });
});
