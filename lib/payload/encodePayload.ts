import { PayloadError } from "./errors.js";
import type { PayloadFields } from "../schemas/payload.js";
import {
  FLAG_COMMITMENT,
  FLAG_FULL,
  FLAG_GS1,
  FLAG_KEY_UPPER,
  FLAG_RECEIPT,
  FLAG_SELLER,
  GS1_EXPIRY,
  GS1_LOT,
  GS1_SERIAL,
  INDEX_LIMIT,
  MAX_PAYLOAD_BYTES,
  MAX_PROOF_NODES,
  PAYLOAD_VERSION,
  PAYLOAD_VERSION_PUBLIC,
  PAYLOAD_VERSION_RECEIPT,
  RECEIPT_SECRET_SIZE,
  FLAG_PUBLIC,
} from "./constants.js";
import { base64urlEncode } from "./internal/base64urlEncode.js";
import { writeHex } from "./internal/hex.js";
import { writeVarint } from "./internal/varint.js";
import { CSET82, expiryOk, gtinCheckDigitOk } from "./internal/gs1.js";

/** Error type of {@link encodePayload}. */
export type EncodePayloadErrorType = PayloadError;

const scratch = new Uint8Array(MAX_PAYLOAD_BYTES);

function fail(field: string, value: unknown, expected: string): never {
  throw new PayloadError("FIELD", `${field} ${JSON.stringify(value)}: expected ${expected}.`);
}

function writeAscii(s: string, out: Uint8Array, offset: number): number {
  out[offset++] = s.length;
  for (let i = 0; i < s.length; i++) out[offset++] = s.charCodeAt(i);
  return offset;
}

/**
 * Encodes payload fields as the compact binary payload of docs/FORMATS.md ("QR payload"),
 * base64url without padding, ready for a URL fragment (see `payloadUrl`).
 *
 * @param p The fields; `form: "full"` needs `commitment` and `proof`, `form: "short"` takes no proof.
 *   `receiptSecret` (16 bytes, the buyer's receipt of a sale) makes it a version 2 payload; without it the
 *   payload is version 1, byte for byte as before. The version follows from `receiptSecret`: a `version`
 *   field (1 or 2, e.g. from a decoded payload) is accepted and not written. The public form (version 3: no salt,
 *   see `toPublicPayload`) is asked for explicitly: `version: 3` and no `salt`.
 * @returns The payload string (canonical: `decodePayload` then `encodePayload` gives it back).
 * @throws {PayloadError} code `FIELD` when a field does not fit the format.
 *
 * @example
 * const payload = encodePayload({ form: "short", chainId: 31337, ledger, batchId, index: 7, salt });
 * const url = payloadUrl("https://verify.example", payload);
 */
export function encodePayload(p: PayloadFields): string {
  if (p === null || typeof p !== "object") fail("payload", p, "an object of payload fields");
  if (
    p.version !== undefined &&
    p.version !== PAYLOAD_VERSION &&
    p.version !== PAYLOAD_VERSION_RECEIPT &&
    p.version !== PAYLOAD_VERSION_PUBLIC
  )
    fail("version", p.version, `${PAYLOAD_VERSION}, ${PAYLOAD_VERSION_RECEIPT} or ${PAYLOAD_VERSION_PUBLIC} (or none)`);
  const isPublic = p.salt === undefined;
  if (isPublic && p.version !== PAYLOAD_VERSION_PUBLIC)
    fail("salt", "(missing)", `a 32-byte salt, or version: ${PAYLOAD_VERSION_PUBLIC} for the public form (no salt)`);
  if (!isPublic && p.version === PAYLOAD_VERSION_PUBLIC)
    fail("salt", "(present; value not shown)", "no salt in the public form (version 3)");
  if (isPublic && p.receiptSecret !== undefined)
    fail("receiptSecret", "(present; value not shown)", "no receipt secret in the public form (version 3)");
  const full = p.form === "full";
  if (!full && p.form !== "short") fail("form", p.form, `"full" or "short"`);
  if (!Number.isSafeInteger(p.chainId) || p.chainId < 1) fail("chainId", p.chainId, "an integer from 1 to 2^53 - 1");
  if (!Number.isSafeInteger(p.index) || p.index < 0 || p.index >= INDEX_LIMIT)
    fail("index", p.index, "an integer from 0 to 2^48 - 1");
  if (full && (p.commitment === undefined || p.proof === undefined))
    fail("commitment/proof", p.form, "both present in a full-form payload");
  if (!full && p.proof !== undefined) fail("proof", "(present)", 'no proof in a short-form payload (use form: "full")');
  if (p.proof !== undefined && (!Array.isArray(p.proof) || p.proof.length > MAX_PROOF_NODES))
    fail(
      "proof",
      `(${Array.isArray(p.proof) ? p.proof.length : typeof p.proof} nodes)`,
      `an array of at most ${MAX_PROOF_NODES} 32-byte hex nodes`,
    );
  if (p.keyCase !== undefined && p.keyCase !== "exact" && p.keyCase !== "upper")
    fail("keyCase", p.keyCase, `"exact" or "upper"`);
  const gs1 = p.gs1;
  if (gs1 !== undefined) {
    if (gs1 === null || typeof gs1 !== "object") fail("gs1", gs1, "an object { gtin, lot?, serial?, expiry? }");
    for (const k of Object.keys(gs1))
      if (k !== "gtin" && k !== "lot" && k !== "serial" && k !== "expiry")
        fail(`gs1.${k}`, "(unknown field)", "only gtin, lot, serial, expiry");
    if (typeof gs1.gtin !== "string" || !/^\d{14}$/.test(gs1.gtin) || !gtinCheckDigitOk(gs1.gtin))
      fail("gs1.gtin", gs1.gtin, "a GTIN-14: 14 digits with a valid check digit");
    if (gs1.lot !== undefined && (typeof gs1.lot !== "string" || !CSET82.test(gs1.lot)))
      fail("gs1.lot", gs1.lot, "1-20 characters of GS1 character set 82");
    if (gs1.serial !== undefined && (typeof gs1.serial !== "string" || !CSET82.test(gs1.serial)))
      fail("gs1.serial", gs1.serial, "1-20 characters of GS1 character set 82");
    if (gs1.expiry !== undefined && (typeof gs1.expiry !== "string" || !expiryOk(gs1.expiry)))
      fail("gs1.expiry", gs1.expiry, "a real YYMMDD date (day 00 = end of month)");
  }

  const out = scratch;
  let flags = 0;
  if (full) flags |= FLAG_FULL;
  if (p.commitment !== undefined) flags |= FLAG_COMMITMENT;
  if (p.seller !== undefined) flags |= FLAG_SELLER;
  if (gs1 !== undefined) flags |= FLAG_GS1;
  if (p.keyCase === "upper") flags |= FLAG_KEY_UPPER;
  const receipt = p.receiptSecret !== undefined;
  if (receipt) flags |= FLAG_RECEIPT;
  if (isPublic) flags |= FLAG_PUBLIC;
  out[0] = receipt ? PAYLOAD_VERSION_RECEIPT : isPublic ? PAYLOAD_VERSION_PUBLIC : PAYLOAD_VERSION;
  out[1] = flags;
  let o = writeVarint(p.chainId, out, 2);
  if (!writeHex(p.ledger, 20, out, o)) fail("ledger", p.ledger, "an address (0x + 40 hex digits)");
  o += 20;
  if (!writeHex(p.batchId, 32, out, o)) fail("batchId", p.batchId, "0x + 64 hex digits");
  o += 32;
  o = writeVarint(p.index, out, o);
  if (p.salt !== undefined) {
    if (!writeHex(p.salt, 32, out, o)) fail("salt", "(32 bytes expected; value not shown)", "0x + 64 hex digits");
    o += 32;
  }
  if (p.commitment !== undefined) {
    if (!writeHex(p.commitment, 32, out, o)) fail("commitment", p.commitment, "0x + 64 hex digits");
    o += 32;
  }
  if (p.seller !== undefined) {
    if (!writeHex(p.seller, 20, out, o)) fail("seller", p.seller, "an address (0x + 40 hex digits)");
    o += 20;
  }
  if (p.receiptSecret !== undefined) {
    if (!writeHex(p.receiptSecret, RECEIPT_SECRET_SIZE, out, o))
      fail("receiptSecret", "(16 bytes expected; value not shown)", "0x + 32 hex digits");
    o += RECEIPT_SECRET_SIZE;
  }
  if (gs1 !== undefined) {
    out[o++] =
      (gs1.lot !== undefined ? GS1_LOT : 0) |
      (gs1.serial !== undefined ? GS1_SERIAL : 0) |
      (gs1.expiry !== undefined ? GS1_EXPIRY : 0);
    o = writeVarint(Number(gs1.gtin), out, o);
    if (gs1.lot !== undefined) o = writeAscii(gs1.lot, out, o);
    if (gs1.serial !== undefined) o = writeAscii(gs1.serial, out, o);
    if (gs1.expiry !== undefined) {
      out[o++] = Number(gs1.expiry.slice(0, 2));
      out[o++] = Number(gs1.expiry.slice(2, 4));
      out[o++] = Number(gs1.expiry.slice(4, 6));
    }
  }
  if (p.proof !== undefined) {
    const proof = p.proof;
    out[o++] = proof.length;
    for (let i = 0; i < proof.length; i++) {
      if (!writeHex(proof[i]!, 32, out, o)) fail(`proof[${i}]`, proof[i], "0x + 64 hex digits");
      o += 32;
    }
  }
  return base64urlEncode(out, o);
}
