/** Byte-format constants of the QR payload (docs/FORMATS.md, "QR payload"). */

/** Payload version of a link without a receipt secret (byte-identical to the first format). */
export const PAYLOAD_VERSION = 1;
/** Payload version of a link that carries the buyer's receipt secret (flag `RECEIPT` set). */
export const PAYLOAD_VERSION_RECEIPT = 2;
/**
 * Payload version of the public form (flag `PUBLIC` set): no salt, so it proves batch membership and status but
 * cannot check a typed key, and whoever sees it cannot test guesses of the key offline. For codes visible before
 * purchase (printed cards, shop displays).
 */
export const PAYLOAD_VERSION_PUBLIC = 3;

/**
 * Flag bits of byte 1. Version 1: bits 5-7 are reserved and must be zero. Version 2: bit 5
 * (`RECEIPT`) must be set, bits 6-7 are reserved. Version 3: bit 6 (`PUBLIC`) must be set, bits 5 and 7 reserved.
 */
export const FLAG_FULL = 0x01;
export const FLAG_COMMITMENT = 0x02;
export const FLAG_SELLER = 0x04;
export const FLAG_GS1 = 0x08;
export const FLAG_KEY_UPPER = 0x10;
export const FLAG_RECEIPT = 0x20;
export const FLAG_PUBLIC = 0x40;
export const FLAGS_KNOWN = 0x1f;
export const FLAGS_KNOWN_V2 = 0x3f;
/** Version 3: bit 6 (`PUBLIC`) must be set; bit 5 (`RECEIPT`) and bit 7 are reserved. */
export const FLAGS_KNOWN_V3 = 0x5f;
/** Bytes of the receipt secret (lib/sale RECEIPT_SECRET_BYTES). */
export const RECEIPT_SECRET_SIZE = 16;

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
 * payload is 1,759 bytes (version 2, every optional field at its longest, 48 proof nodes) = 2,346
 * characters; anything longer is refused unread.
 */
export const MAX_PAYLOAD_BYTES = 1_759;
export const MAX_PAYLOAD_CHARS = 2_346;
