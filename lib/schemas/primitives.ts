import { z } from "zod";
import type { Address, Hex } from "viem";

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const HEX24 = /^0x[0-9a-fA-F]{48}$/;
const HEX16 = /^0x[0-9a-fA-F]{32}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** A 32-byte value as `0x` + 64 hex digits (either case). */
export const hex32Schema = z.custom<Hex>((v) => typeof v === "string" && HEX32.test(v), {
  message: "expected 0x followed by 64 hex digits (32 bytes)",
});

/** A 24-byte value (the first 24 bytes of a sale's root, as the ledger stores it) as `0x` + 48 hex digits. */
export const hex24Schema = z.custom<Hex>((v) => typeof v === "string" && HEX24.test(v), {
  message: "expected 0x followed by 48 hex digits (24 bytes)",
});

/** A 16-byte value (a receipt secret) as `0x` + 32 hex digits (either case). */
export const hex16Schema = z.custom<Hex>((v) => typeof v === "string" && HEX16.test(v), {
  message: "expected 0x followed by 32 hex digits (16 bytes)",
});

/** A 20-byte address as `0x` + 40 hex digits (either case; the checksum is not enforced). */
export const addressSchema = z.custom<Address>((v) => typeof v === "string" && ADDRESS.test(v), {
  message: "expected 0x followed by 40 hex digits (an address)",
});

/** A key index inside a batch: 0 <= index < 2^48. */
export const keyIndexSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 48 - 1);

/** An EVM chain id: 1 <= chainId <= 2^53 - 1. */
export const chainIdSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
