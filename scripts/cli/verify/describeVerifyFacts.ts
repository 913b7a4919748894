import type { VerifyResult } from "../../../lib/verify/types.js";

/** A bytes32 shop or till identifier as text when it is printable ASCII padded with zeros, else hex. */
function label(b: string): string {
  const hex = b.replace(/^0x/, "").replace(/(00)+$/, "");
  if (hex.length === 0) return "";
  const bytes = hex.match(/../g)!.map((x) => parseInt(x, 16));
  return bytes.every((c) => c >= 0x20 && c < 0x7f) ? String.fromCharCode(...bytes) : b;
}

/**
 * The v2 facts of a verification as lines for `keytrail verify` (besides the verdict and checks): the
 * key's sale (number, seller, time, shop, till, amount, transaction), whether a typed order
 * reference (订单号) matches, the receipt check, a regulator's freeze, a suspended issuer. Never the
 * receipt secret or the order reference itself.
 *
 * @param r - the result of verifyPayload.
 * @returns lines, empty for a v1 verification.
 * @example
 * for (const line of describeVerifyFacts(result)) out.info(`  ${line}`);
 */
export function describeVerifyFacts(r: VerifyResult): string[] {
  const lines: string[] = [];
  if (r.ledgerVersion !== undefined) lines.push(`ledger version ${r.ledgerVersion}`);
  if (r.issuerSuspended) lines.push("issuer (发行方) suspended on the ledger");
  if (r.verdict === "revoked" && r.frozenByRegulator !== undefined)
    lines.push(
      r.frozenByRegulator ? "frozen by a regulator (监管方): only a regulator lifts it" : "frozen by the supplier",
    );
  if (r.saleRequired) lines.push("batch requires a recorded sale before redemption");
  const s = r.sale;
  if (s) {
    const where = [label(s.store), label(s.terminal)].filter((x) => x.length > 0).join(" / ");
    lines.push(
      `sale (销售) ${s.saleNo} by ${s.seller} at ${new Date(s.soldAt * 1000).toISOString()}` +
        `${where ? `, ${where}` : ""}, ${s.amount} ${s.currency} (minor units), tx ${s.tx}`,
    );
    if (s.orderRefMatches !== undefined)
      lines.push(s.orderRefMatches ? "order reference (订单号) matches" : "order reference (订单号) does NOT match");
  }
  const receipt: Record<string, string> = {
    match: "receipt (购买凭证): this link's receipt is the live sale's",
    mismatch: "receipt (购买凭证): the live sale's receipt is another one",
    "no-live-sale": "receipt (购买凭证): the key has no live sale (refunded or never sold)",
    none: "receipt (购买凭证): none in this link",
    "not-checked": "receipt (购买凭证): not checked",
  };
  if (r.receiptCheck !== undefined && r.ledgerVersion === 2) lines.push(receipt[r.receiptCheck]!);
  return lines;
}
