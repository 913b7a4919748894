import type { Hex } from "viem";
import type { CardKey } from "../keys/normaliseKey.js";
import { normaliseKey } from "../keys/normaliseKey.js";
import { encodeKeyBytes } from "../keys/encodeKeyBytes.js";
import { computeCommitment } from "./computeCommitment.js";

/**
 * The commitment of a key as someone typed it: normalised (`normaliseKey`, case-insensitively when the
 * batch's keys are upper case), encoded (`encodeKeyBytes`) and committed with the key's salt
 * (`computeCommitment`). One module on its own so that a verifier can load key normalisation and hashing
 * only when a key is actually typed (the verify page and `verifyPayload` import it dynamically).
 *
 * @param salt The key's salt (from the payload).
 * @param key The key as typed.
 * @param caseInsensitive Whether the batch's keys compare case-insensitively (the payload's `keyCase` is "upper").
 * @returns The 32-byte commitment.
 * @throws KeyFormatError / CommitArgumentError for an empty or unusable key or a malformed salt.
 *
 * @example
 * commitTypedKey(payload.salt, { pin: "j4h9d-u7794-g9dpm" }, payload.keyCase === "upper") === payload.commitment
 */
export function commitTypedKey(salt: Hex, key: CardKey, caseInsensitive: boolean): Hex {
  return computeCommitment(salt, encodeKeyBytes(normaliseKey(key, { caseInsensitive })));
}
