import type { Address } from "viem";
import { decodePayload } from "./decodePayload.js";
import { encodePayload } from "./encodePayload.js";
import type { DecodedPayload } from "../schemas/payload.js";

/**
 * Returns the payload with `seller` set: a retailer delivering a key names itself, so the
 * verifier can check that the seller is the key's current holder on chain. A seller already in
 * the payload is replaced (the last seller is the one the consumer bought from).
 *
 * @param payload A payload string or a decoded payload.
 * @param seller The retailer's address.
 * @returns The new payload string.
 * @throws {PayloadError} when the payload does not decode or `seller` is not an address.
 *
 * @example
 * const url = payloadUrl(portal, addSeller(payloadFromSupplier, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"));
 */
export function addSeller(payload: string | DecodedPayload, seller: Address): string {
  const d = typeof payload === "string" ? decodePayload(payload) : payload;
  return encodePayload({ ...d, seller });
}
