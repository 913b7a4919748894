/** Constants of the buyer receipt (docs/FORMATS.md, "Buyer receipt"). */

/** Bytes of a receipt secret: 128 random bits, carried only by the buyer's link. */
export const RECEIPT_SECRET_BYTES = 16;
/** Domain tag of the receipt commitment (version 1 of the derivation). */
export const RECEIPT_TAG = "keytrail-receipt-v1";
/** Domain tag of the order-reference hash (version 1 of the derivation). */
export const ORDER_REF_TAG = "keytrail-order-v1";
