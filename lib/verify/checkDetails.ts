/**
 * The detail line of each check a verification runs, as a stable code with parameters. lib/verify
 * renders the English sentence from these templates (`VerifyCheck.detail`, what the CLI prints);
 * the portal renders the same code and parameters in the page's language (its build resolves this
 * module, for verifyPayload, to portal/src/lib/checkDetailsPage.ts: the page's own templates, so the
 * English ones stay out of its script). A code's parameters are data (addresses, hashes, numbers, a
 * proof shard's location); a parameter named `error` is a component's own technical message, quoted
 * as it is.
 */

/** The English sentence of each detail code; `{name}` is a parameter. */
export const CHECK_DETAILS_EN = {
  "decode-failed": "{error}",
  "decode-form": "{form} form",
  "decode-form-receipt": "{form} form with a receipt",
  "chain-other": "payload is for chain {chainId}, this verifier reads chain {expected}",
  "ledger-other": "payload names ledger {ledger}, this verifier reads {expected}",
  "chain-ok": "chain {chainId}, ledger {ledger}",
  "key-public-form": "the public form carries no salt: a typed key cannot be checked with it",
  "key-match": "computed locally with the payload's salt",
  "key-mismatch": "the typed key, normalised, does not give this commitment",
  "shard-read": "{where}: {shardSize} keys per shard",
  "shard-failed": "{error}",
  "status-read": "holder {holder}",
  "status-failed": "{error}",
  "status-none": "no status source configured",
  "root-unknown": "no batch with this id on the ledger",
  "root-read": "{root}",
  "root-failed": "{error}",
  "proof-shard-folds": "{where} folds to the batch root",
  "proof-commitment-differs": "the payload's commitment differs from the published one",
  "proof-data-mismatch": "{error}",
  "proof-unconfirmed": "folds to root {computed}, which could not be confirmed",
  "proof-checked": "{nodes} nodes against root {root}",
  "proof-checked-given": "{nodes} nodes against root {root} (given)",
  "receipt-v1": "this ledger (version 1) records no sales",
  "sale-none": "no sale source configured",
  "sale-confirmed": "sale {saleNo} by {seller}, confirmed by verifyReceipt",
  "sale-failed": "{error}",
  "receipt-none": "this link carries no receipt and the key is sold",
  "receipt-unchecked": "the key's sale could not be read, so the receipt was not checked",
  "receipt-another": "the live receipt of sale {saleNo} is another one",
  "receipt-match": "sale {saleNo}, confirmed by the ledger",
  "receipt-refunded": "the sale this receipt belongs to was refunded; the key is not sold now",
  "receipt-no-live-sale": "the key has no live sale",
  "order-ref-invalid": "the order reference is empty or longer than 128 characters",
  "order-ref-match": "computed locally with the link's receipt",
  "order-ref-mismatch": "the typed order reference does not give the recorded hash",
  "seller-holds": "seller {seller} holds the key",
  "seller-not-holder": "seller {seller}, holder {holder}",
} as const;

/** A check's detail code (stable: the portal translates by it, tests and scripts may match it). */
export type CheckDetailCode = keyof typeof CHECK_DETAILS_EN;

/** The parameters of a detail code. */
export type CheckDetailParams = Record<string, string | number>;

/** Every detail code, in a fixed order. */
export const CHECK_DETAIL_CODES = Object.keys(CHECK_DETAILS_EN) as CheckDetailCode[];

/**
 * Fills a detail template: each `{name}` becomes the parameter's value (an unknown name stays as written).
 *
 * @param template - a template such as `holder {holder}`
 * @param params - the parameters
 * @returns the sentence
 * @example
 * fillCheckDetail("sale {saleNo}, confirmed by the ledger", { saleNo: 3 }) // "sale 3, confirmed by the ledger"
 */
export function fillCheckDetail(template: string, params: CheckDetailParams = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, k: string) =>
    Object.prototype.hasOwnProperty.call(params, k) ? String(params[k]) : whole,
  );
}

/**
 * The sentence of a check's detail (what `VerifyCheck.detail` carries): English here; in the portal's
 * build, the page's language.
 *
 * @param code - the detail code
 * @param params - its parameters
 * @returns the sentence
 * @example
 * checkDetailText("status-read", { holder: "0xabc…" }) // "holder 0xabc…"
 */
export function checkDetailText(code: CheckDetailCode, params: CheckDetailParams = {}): string {
  return fillCheckDetail(CHECK_DETAILS_EN[code], params);
}
