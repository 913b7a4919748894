import { PAYLOAD_VERSION_PUBLIC } from "./constants.js";
import { decodePayload } from "./decodePayload.js";
import { encodePayload } from "./encodePayload.js";
import type { DecodedPayload } from "../schemas/payload.js";

/**
 * The public form of a payload (version 3, docs/FORMATS.md): the same key, without the salt (and without a
 * receipt secret). It proves batch membership and status, but a typed key cannot be checked with it, and nobody who
 * sees it can test guesses of the key offline: the form to print where a code is visible before purchase (card
 * backs, shop displays, shelf labels). The private form, with the salt, belongs only where the key itself is.
 *
 * @param payload A payload string or a decoded payload (any version).
 * @returns The public payload string.
 * @throws {PayloadError} when the payload does not decode.
 *
 * @example
 * digitalLinkUrl("https://verify.example", toPublicPayload(privatePayload))
 */
export function toPublicPayload(payload: string | DecodedPayload): string {
  const d = typeof payload === "string" ? decodePayload(payload) : payload;
  const { salt: _salt, receiptSecret: _receipt, ...rest } = d;
  return encodePayload({ ...rest, version: PAYLOAD_VERSION_PUBLIC });
}
