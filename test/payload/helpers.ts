import type { Hex } from "viem";

/** base64url without padding, via Node (independent of the codec's own encoder). */
export const b64u = (bytes: Uint8Array | number[]): string => Buffer.from(Uint8Array.from(bytes)).toString("base64url");
export const unb64u = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64url"));
export const hexBytes = (h: string): number[] => [...Buffer.from(h.replace(/^0x/, ""), "hex")];
export const fill = (byte: number, n = 32): Hex => `0x${byte.toString(16).padStart(2, "0").repeat(n)}` as Hex;

/** Canonical LEB128 of a non-negative integer. */
export function leb(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    const b = Number(v & 127n);
    v >>= 7n;
    out.push(v > 0n ? b | 128 : b);
  } while (v > 0n);
  return out;
}

export const LEDGER = "0x5fbdb2315678afecb367f032d93f642f64180aa3" as const;
export const SELLER = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" as const;
/** A receipt secret (16 bytes) for codec tests. */
export const RECEIPT = "0x5eceb7a1c0ffee0ddba11ad5ca1ab1e5" as const;

/** Bytes of a payload built field by field, as docs/FORMATS.md lays them out. */
export function payloadBytes(p: {
  version?: number;
  flags: number;
  chainId?: number[];
  index?: number[];
  tail?: number[];
}): number[] {
  return [
    p.version ?? 1,
    p.flags,
    ...(p.chainId ?? leb(31337)),
    ...hexBytes(LEDGER),
    ...hexBytes(fill(0xb1)),
    ...(p.index ?? leb(7)),
    ...hexBytes(fill(0x5a)),
    ...(p.tail ?? []),
  ];
}
