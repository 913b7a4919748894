import { PayloadError } from "./errors.js";
import type { PayloadErrorCode } from "./errors.js";
import type { DecodedPayload } from "../schemas/payload.js";
import {
  FLAG_COMMITMENT,
  FLAG_FULL,
  FLAG_GS1,
  FLAG_KEY_UPPER,
  FLAG_RECEIPT,
  FLAG_SELLER,
  FLAGS_KNOWN,
  FLAGS_KNOWN_V2,
  FLAGS_KNOWN_V3,
  FLAG_PUBLIC,
  GS1_EXPIRY,
  GS1_KNOWN,
  GS1_LOT,
  GS1_SERIAL,
  GTIN_MAX,
  INDEX_LIMIT,
  MAX_PAYLOAD_CHARS,
  MAX_PROOF_NODES,
  PAYLOAD_VERSION,
  PAYLOAD_VERSION_PUBLIC,
  PAYLOAD_VERSION_RECEIPT,
  RECEIPT_SECRET_SIZE,
} from "./constants.js";
import { base64urlDecode } from "./internal/base64url.js";
import { bytesToHexString } from "./internal/hex.js";
import { readVarint } from "./internal/varint.js";
import { CSET82, gs1DateProblem, gtinCheckDigitOk } from "./internal/gs1.js";

/** Error type of {@link decodePayload}. */
export type DecodePayloadErrorType = PayloadError;

/**
 * Decodes a payload string (base64url, docs/FORMATS.md "QR payload"). Strict: hostile input
 * always ends in a {@link PayloadError} with a `code`, never in a crash, a hang or a partial result.
 *
 * @param s The payload (the URL fragment after `#`; use `parsePayloadInput` for a whole link).
 * @returns The fields, hex in lower case; `encodePayload(decodePayload(s)) === s`. Version 2 (flag `RECEIPT`)
 *   adds `receiptSecret`; version 3 (flag `PUBLIC`, the public form) has no `salt`; version 1 links decode as before. The result always
 *   satisfies `decodedPayloadSchema` (lib/schemas; asserted by the fuzz tests), without loading zod here:
 *   this runs in the portal's small bundle.
 * @throws {PayloadError} EMPTY, OVERSIZED, BASE64, TRUNCATED, VERSION, FLAGS, VARINT_NON_CANONICAL, EXPIRY,
 *   VARINT_OVERFLOW, CHAIN_ID, INDEX_RANGE, GS1, PROOF_LENGTH, PROOF_TOO_DEEP, TRAILING_BYTES.
 *
 * @example
 * const p = decodePayload("AQMC...");
 * if (p.form === "full") console.log(p.proof.length);
 */
export function decodePayload(s: string): DecodedPayload {
  if (typeof s !== "string" || s.length === 0) throw new PayloadError("EMPTY", "the payload is empty.");
  if (s.length > MAX_PAYLOAD_CHARS)
    throw new PayloadError("OVERSIZED", `${s.length} characters, at most ${MAX_PAYLOAD_CHARS} expected.`);
  const b64 = base64urlDecode(s);
  if (!b64.ok) {
    const what =
      b64.problem === "character"
        ? `character ${JSON.stringify(s[b64.position])} at position ${b64.position} is not base64url (A-Z a-z 0-9 - _, no padding)`
        : b64.problem === "length"
          ? `a length of ${s.length} characters is impossible for base64url`
          : `the last character ${JSON.stringify(s[b64.position])} has non-zero unused bits (not the canonical encoding)`;
    throw new PayloadError("BASE64", `${what}.`);
  }
  const b = b64.bytes;
  const n = b.length;
  let o = 0;
  const hex = bytesToHexString(b);
  const readHex = (_: Uint8Array, at: number, size: number) =>
    ("0x" + hex.slice(2 * at, 2 * (at + size))) as `0x${string}`;

  const need = (size: number, field: string) => {
    if (o + size > n)
      throw new PayloadError("TRUNCATED", `the payload ends inside ${field} (byte ${o} of ${n}, ${size} needed).`, {
        offset: o,
      });
  };
  const varint = (field: string): number => {
    const r = readVarint(b, o);
    if (!r.ok) {
      const code: PayloadErrorCode =
        r.problem === "truncated"
          ? "TRUNCATED"
          : r.problem === "non-canonical"
            ? "VARINT_NON_CANONICAL"
            : "VARINT_OVERFLOW";
      const text =
        r.problem === "truncated"
          ? "ends inside"
          : r.problem === "non-canonical"
            ? "is not minimally encoded in"
            : "overflows";
      throw new PayloadError(code, `the varint at byte ${o} ${text} ${field}.`, { offset: o });
    }
    o = r.next;
    return r.value;
  };

  // Precedence (docs/FORMATS.md §7.6): fields in layout order; a field's bytes must be there before its value is
  // judged, so a lone wrong version byte is VERSION and a lone right one TRUNCATED.
  need(1, "the version");
  const version = b[0]!;
  if (version !== PAYLOAD_VERSION && version !== PAYLOAD_VERSION_RECEIPT && version !== PAYLOAD_VERSION_PUBLIC)
    throw new PayloadError(
      "VERSION",
      `version ${version}, expected ${PAYLOAD_VERSION}, ${PAYLOAD_VERSION_RECEIPT} or ${PAYLOAD_VERSION_PUBLIC}.`,
      { offset: 0 },
    );
  need(2, "the header");
  const flags = b[1]!;
  const known =
    version === PAYLOAD_VERSION ? FLAGS_KNOWN : version === PAYLOAD_VERSION_RECEIPT ? FLAGS_KNOWN_V2 : FLAGS_KNOWN_V3;
  if ((flags & ~known) !== 0)
    throw new PayloadError(
      "FLAGS",
      `flags 0x${flags.toString(16).padStart(2, "0")} set reserved bits of version ${version} ` +
        `(known: 0x${known.toString(16)}).`,
      { offset: 1 },
    );
  const receipt = (flags & FLAG_RECEIPT) !== 0;
  if (version === PAYLOAD_VERSION_RECEIPT && !receipt)
    throw new PayloadError(
      "FLAGS",
      `flags 0x${flags.toString(16).padStart(2, "0")}: a version 2 payload must carry the receipt secret.`,
      { offset: 1 },
    );
  const isPublic = (flags & FLAG_PUBLIC) !== 0;
  if (version === PAYLOAD_VERSION_PUBLIC && !isPublic)
    throw new PayloadError(
      "FLAGS",
      `flags 0x${flags.toString(16).padStart(2, "0")}: a version 3 payload must set the PUBLIC flag (0x40).`,
      { offset: 1 },
    );
  const full = (flags & FLAG_FULL) !== 0;
  if (full && (flags & FLAG_COMMITMENT) === 0)
    throw new PayloadError(
      "FLAGS",
      `flags 0x${flags.toString(16).padStart(2, "0")}: a full-form payload must carry the commitment.`,
      { offset: 1 },
    );
  o = 2;

  const chainId = varint("chainId");
  if (chainId === 0) throw new PayloadError("CHAIN_ID", "chain id 0, expected 1 or more.", { offset: 2 });
  need(52, "ledger and batchId");
  const ledger = readHex(b, o, 20);
  const batchId = readHex(b, o + 20, 32);
  o += 52;
  const indexAt = o;
  const index = varint("index");
  if (index >= INDEX_LIMIT)
    throw new PayloadError("INDEX_RANGE", `index ${index}, expected below 2^48.`, { offset: indexAt });
  let salt: `0x${string}` | undefined;
  if (!isPublic) {
    need(32, "salt");
    salt = readHex(b, o, 32);
    o += 32;
  }

  const out: DecodedPayload = {
    version: receipt ? PAYLOAD_VERSION_RECEIPT : isPublic ? PAYLOAD_VERSION_PUBLIC : PAYLOAD_VERSION,
    form: full ? "full" : "short",
    chainId,
    ledger,
    batchId,
    index,
    ...(salt !== undefined ? { salt } : {}),
    keyCase: (flags & FLAG_KEY_UPPER) !== 0 ? "upper" : "exact",
  };
  if ((flags & FLAG_COMMITMENT) !== 0) {
    need(32, "commitment");
    out.commitment = readHex(b, o, 32);
    o += 32;
  }
  if ((flags & FLAG_SELLER) !== 0) {
    need(20, "seller");
    out.seller = readHex(b, o, 20);
    o += 20;
  }
  if (receipt) {
    need(RECEIPT_SECRET_SIZE, "the receipt secret");
    out.receiptSecret = readHex(b, o, RECEIPT_SECRET_SIZE);
    o += RECEIPT_SECRET_SIZE;
  }
  if ((flags & FLAG_GS1) !== 0) {
    need(1, "the GS1 flags");
    const g = b[o]!;
    if ((g & ~GS1_KNOWN) !== 0)
      throw new PayloadError(
        "FLAGS",
        `GS1 flags 0x${g.toString(16).padStart(2, "0")} set reserved bits (known: 0x0${GS1_KNOWN}).`,
        { offset: o },
      );
    o++;
    const gtinAt = o;
    const gtinNum = varint("the GTIN");
    if (gtinNum > GTIN_MAX)
      throw new PayloadError("GS1", `GTIN ${gtinNum} has more than 14 digits.`, { offset: gtinAt });
    const gs1: NonNullable<DecodedPayload["gs1"]> = { gtin: String(gtinNum).padStart(14, "0") };
    if (!gtinCheckDigitOk(gs1.gtin))
      throw new PayloadError("GS1", `GTIN ${gs1.gtin} has a wrong check digit.`, { offset: gtinAt });
    const text = (field: "lot" | "serial") => {
      need(1, `the GS1 ${field} length`);
      const len = b[o]!;
      if (len < 1 || len > 20)
        throw new PayloadError("GS1", `GS1 ${field} length ${len}, expected 1-20.`, { offset: o });
      o++;
      need(len, `the GS1 ${field}`);
      const v = String.fromCharCode(...b.subarray(o, o + len));
      if (!CSET82.test(v))
        throw new PayloadError("GS1", `GS1 ${field} ${JSON.stringify(v)} is outside GS1 character set 82.`, {
          offset: o,
        });
      o += len;
      gs1[field] = v;
    };
    if ((g & GS1_LOT) !== 0) text("lot");
    if ((g & GS1_SERIAL) !== 0) text("serial");
    if ((g & GS1_EXPIRY) !== 0) {
      need(3, "the GS1 expiry");
      const [yy, mm, dd] = [b[o]!, b[o + 1]!, b[o + 2]!];
      const problem = gs1DateProblem(yy, mm, dd);
      if (problem !== undefined)
        throw new PayloadError("EXPIRY", `GS1 expiry bytes ${yy},${mm},${dd} are not a YYMMDD date: ${problem}.`, {
          offset: o,
        });
      gs1.expiry = [yy, mm, dd].map((v) => String(v).padStart(2, "0")).join("");
      o += 3;
    }
    out.gs1 = gs1;
  }
  if (full) {
    need(1, "the proof length");
    const count = b[o]!;
    if (count > MAX_PROOF_NODES)
      throw new PayloadError("PROOF_TOO_DEEP", `${count} proof nodes, at most ${MAX_PROOF_NODES} expected.`, {
        offset: o,
      });
    o++;
    const rest = n - o;
    if (rest !== count * 32) {
      if (rest % 32 !== 0)
        throw new PayloadError(
          "PROOF_LENGTH",
          `${rest} proof bytes, a multiple of 32 expected (${count} nodes declared).`,
          { offset: o },
        );
      if (rest < count * 32)
        throw new PayloadError("TRUNCATED", `${rest / 32} proof nodes present, ${count} declared.`, { offset: o });
    }
    const proof: `0x${string}`[] = new Array(count);
    for (let i = 0; i < count; i++, o += 32) proof[i] = readHex(b, o, 32);
    out.proof = proof;
  }
  if (o !== n)
    throw new PayloadError("TRAILING_BYTES", `${n - o} bytes after the last field (byte ${o} of ${n}).`, { offset: o });
  return out;
}
