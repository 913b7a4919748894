/**
 * The facts of the verdict card a shopper needs above the fold: product, face value, expiry, issuer
 * (name and accreditation), the seller and whether it holds the key, and for a sale "sold to you by …
 * on …". Holder, supplier, expiry and the sale come from the chain (what lib/verify read); the product
 * words and face value from the build's `data/batch/<id>.json`, shown only when its root and supplier
 * match the chain and marked as the published index's; names from `data/parties.json`.
 */
import type { Lang } from "../i18n/lang.ts";
import type { VerdictStrings } from "../i18n/verdictStrings.ts";
import { formatDateLocale, formatMoneyLocale, shortHex } from "../lib/format.ts";
import { displayText } from "../lib/display.ts";
import { isAccredited } from "../../../lib/parties/isAccredited.ts";
import type { VerifyResult } from "../../../lib/verify/types.js";
import { byId, el, fill } from "./dom.ts";
import { loadBatchFacts, loadParties, type PartyFacts } from "./exportData.ts";

const same = (a: string | undefined, b: string | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

/**
 * Renders the card's facts into #card-facts and its footnote into #card-note (nothing for a code that
 * did not decode, is for another chain or is not in its batch), then marks #verdict `data-card="done"`.
 *
 * @param lang - page language
 * @param t - the page's verify strings
 * @param r - the verification result
 * @param isCurrent - false once a newer verification started (nothing is written then)
 * @example
 * await renderCard("en", strings, result, () => id === runId);
 */
export async function renderCard(
  lang: Lang,
  t: VerdictStrings,
  r: VerifyResult,
  isCurrent: () => boolean,
): Promise<void> {
  const c = t.card;
  const dl = byId("card-facts");
  const note = byId("card-note");
  const done = () => void (byId("verdict").dataset.card = "done");
  // A code that is not this ledger's, or not in its batch, gets no product facts: they would lend it the
  // batch's name and value.
  if (!r.batchId || r.verdict === "malformed" || r.verdict === "wrong-chain" || r.verdict === "not-in-batch")
    return done();
  const [batch, { at, parties }] = await Promise.all([loadBatchFacts(r.batchId), loadParties()]);
  if (!isCurrent()) return;
  const rows: [string, string, ...(Node | string)[]][] = [];
  const now = at || Math.floor(Date.now() / 1000);
  const party = (address: string, tail: (Node | string)[] = []): (Node | string)[] => {
    const p: PartyFacts | undefined = parties[address.toLowerCase()];
    const name = displayText(p?.name) || t.kinds[p?.kind ?? ""] || t.labels.unregistered;
    const out: (Node | string)[] = [`${name} `, el("code", { title: address }, shortHex(address))];
    if (p?.suspended) out.push(" ", el("span", { class: "badge bad" }, `✕ ${t.labels.suspended}`));
    else if (p && isAccredited(p.accreditedUntil, now))
      out.push(" ", el("span", { class: "badge ok" }, `✓ ${t.labels.accredited}`));
    else if (p) out.push(" ", el("span", { class: "badge bad" }, `✕ ${t.labels.accreditationExpired}`));
    return [...out, ...tail];
  };
  // The chain decides whether the published facts are this batch's: a root or supplier the chain read
  // contradicts means the index is wrong (or stale), and nothing from it is shown.
  const chainRoot = r.root;
  const disagrees =
    !!batch && ((!!chainRoot && !same(batch.root, chainRoot)) || (!!r.supplier && !same(batch.supplier, r.supplier)));
  const confirmed = !!batch && !disagrees && !!chainRoot;
  const product = batch && !disagrees ? batch : undefined;
  const mark = confirmed ? " *" : ` (${c.unconfirmed})`;
  if (product) {
    rows.push(["product", c.product, `${displayText(product.label) || c.unnamed}${mark}`]);
    rows.push(["face", c.faceValue, `${formatMoneyLocale(product.faceValue, product.currency, lang)}${mark}`]);
  }
  const expiresAt = r.status?.expiresAt ?? product?.expiresAt;
  if (expiresAt !== undefined) {
    const expiry: (Node | string)[] = [formatDateLocale(expiresAt, lang, false, c.noExpiry)];
    if (r.expired) expiry.push(" ", el("span", { class: "badge bad" }, `✕ ${c.expired}`));
    if (!r.status) expiry.push(` (${c.unconfirmed})`);
    rows.push(["expiry", c.expiry, ...expiry]);
  }
  const issuer = r.supplier ?? product?.supplier;
  if (issuer) rows.push(["issuer", c.issuer, ...party(issuer, r.supplier ? [] : [` (${c.unconfirmed})`])]);
  if (r.verdict === "sold-to-you") {
    const s = r.sale;
    const seller = displayText(parties[s.seller.toLowerCase()]?.name) || shortHex(s.seller);
    const text = fill(c.soldToYou, {
      seller,
      date: formatDateLocale(s.soldAt, lang, true),
      amount: formatMoneyLocale(s.amount, s.currency, lang),
    });
    rows.push(["sale", t.labels.sale, text]);
  } else if (r.seller) {
    const holds = r.holder ? same(r.seller, r.holder) : undefined;
    const tail =
      holds === undefined
        ? [` (${c.unconfirmed})`]
        : [
            " ",
            el(
              "span",
              { class: `badge ${holds ? "ok" : "bad"}` },
              holds ? `✓ ${c.sellerHolds}` : `✕ ${fill(c.sellerNotHolder, { holder: shortHex(r.holder!) })}`,
            ),
          ];
    rows.push(["seller", c.seller, ...party(r.seller, tail)]);
  } else if (r.holder) rows.push(["holder", c.holder, ...party(r.holder)]);
  dl.replaceChildren(
    ...rows.flatMap(([key, label, ...value]) => [
      el("dt", { "data-fact": key }, label),
      el("dd", { "data-fact": key }, ...value),
    ]),
  );
  note.textContent = disagrees ? c.indexDisagrees : confirmed ? c.fromIndex : "";
  done();
}
