/** Byte-format constants of the QR payload (docs/FORMATS.md, "QR payload"). */

/** The only payload version this codec writes and reads. */
export const PAYLOAD_VERSION = 1;

/** Flag bits of byte 1. Bits 5-7 are reserved and must be zero. */
export const FLAG_FULL = 0x01;
export const FLAG_COMMITMENT = 0x02;
export const FLAG_SELLER = 0x04;
export const FLAG_GS1 = 0x08;
export const FLAG_KEY_UPPER = 0x10;
export const FLAGS_KNOWN = 0x1f;

/** Flag bits of the GS1 block's first byte. Bits 3-7 are reserved and must be zero. */
export const GS1_LOT = 0x01;
export const GS1_SERIAL = 0x02;
export const GS1_EXPIRY = 0x04;
export const GS1_KNOWN = 0x07;

/** Deepest proof (payload codec and payload schema alike): batches hold fewer than 2^48 keys. */
export const MAX_PROOF_NODES = 48;
/** Largest key index + 1. */
export const INDEX_LIMIT = 2 ** 48;
/** Largest GTIN-14 as a number. */
export const GTIN_MAX = 99_999_999_999_999;

/**
 * Longest payload string accepted before decoding (base64url characters). The largest valid
 * payload is 1,743 bytes (every optional field at its longest, 48 proof nodes) = 2,324
 * characters; anything longer is refused unread.
 */
export const MAX_PAYLOAD_BYTES = 1_743;
export const MAX_PAYLOAD_CHARS = 2_324;
