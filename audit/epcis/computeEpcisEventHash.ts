import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { epcisPreHash, type Json } from "./epcisPreHash.js";

/**
 * The CBV 2.0 event hash ID of an ObjectEvent: `ni:///sha-256;<hex>?ver=CBV2.0` over the UTF-8
 * pre-hash string of {@link epcisPreHash}.
 *
 * @param event The event.
 * @returns The event ID.
 * @example
 * event.eventID = computeEpcisEventHash(event);
 */
export function computeEpcisEventHash(event: Record<string, Json>): string {
  return `ni:///sha-256;${bytesToHex(sha256(new TextEncoder().encode(epcisPreHash(event))))}?ver=CBV2.0`;
}
