import { BaseError } from "../errors/BaseError.js";

/**
 * Why a payload could not be decoded (or encoded). Stable strings: the portal maps them to
 * messages, the CLI prints them, tests assert them.
 */
export type PayloadErrorCode =
  | "EMPTY" // nothing to decode
  | "OVERSIZED" // longer than MAX_PAYLOAD_CHARS
  | "BASE64" // a character outside base64url, padding, impossible length, non-zero spare bits
  | "URL" // a link that carries no payload fragment
  | "LINK" // a GS1 Digital Link path that is not valid (AI order, GTIN check digit, character set 82, %-escapes)
  | "LINK_MISMATCH" // a Digital Link path whose GTIN, lot or serial differ from the payload's
  | "TRUNCATED" // the bytes end inside a field
  | "VERSION" // an unsupported format version
  | "FLAGS" // reserved flag bits set, or an impossible combination
  | "VARINT_NON_CANONICAL" // a varint with a redundant trailing zero group
  | "VARINT_OVERFLOW" // a varint longer than 8 bytes or above 2^53 - 1
  | "CHAIN_ID" // chain id 0
  | "INDEX_RANGE" // index >= 2^48
  | "PROOF_LENGTH" // proof bytes not a multiple of 32
  | "PROOF_TOO_DEEP" // more than 48 proof nodes
  | "GS1" // an invalid GTIN, lot or serial
  | "EXPIRY" // a GS1 expiry date that does not exist
  | "TRAILING_BYTES" // bytes after the last field
  | "FIELD"; // encode: a field does not fit the format

/** A payload could not be decoded or encoded; `code` says why, the message quotes the input. */
export class PayloadError extends BaseError {
  override name = "PayloadError";
  readonly code: PayloadErrorCode;
  /** Byte offset in the decoded payload where the problem was found (when known). */
  readonly offset: number | undefined;

  constructor(
    code: PayloadErrorCode,
    shortMessage: string,
    parameters: { offset?: number; details?: string; cause?: unknown } = {},
  ) {
    super(`Invalid KeyTrail payload (${code}): ${shortMessage}`, {
      details: parameters.details,
      cause: parameters.cause,
    });
    this.code = code;
    this.offset = parameters.offset;
  }
}
