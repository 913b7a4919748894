/**
 * The verify page (/v/ and /en/v/). Reads the payload from the URL fragment (never sent anywhere),
 * from a camera scan, an uploaded photo or a pasted link; verifies it in the browser with
 * lib/verify against the live chain; shows the verdict card (what was checked: the code, or the code
 * and a key the shopper typed; product, face value, expiry, issuer, seller; the next step), the custody
 * timeline from the static export cross-checked against the live holder, and the technical details
 * (facts, what was checked offline and online) behind one control. All data is rendered as text.
 */
import { publicConfig as cfg } from "../config/publicConfig.ts";
import type { Lang } from "../i18n/lang.ts";
import type { Verdict, VerdictStrings } from "../i18n/verdictStrings.ts";
import { parsePayloadInput } from "../../../lib/payload/parsePayloadInput.js";
import type { DecodedPayload } from "../../../lib/schemas/payload.js";
import type { CardKey } from "../../../lib/keys/normaliseKey.js";
import type { VerifyCheck, VerifyResult } from "../../../lib/verify/types.js";
import { runVerification, type TrustShown } from "./runVerification.ts";
import { renderTimeline } from "./renderTimeline.ts";
import { renderCard } from "./renderCard.ts";
import { byId, el, fill } from "./dom.ts";

// Marks from navigation start (the portal bench reads every `keytrail:` mark): the page's script has loaded.
performance.mark("keytrail:script");
const lang: Lang = document.documentElement.lang === "en" ? "en" : "zh-CN";
// This page's language only: the strings travel in the page as a JSON data block, not in the script.
const t = JSON.parse(byId("verify-strings").textContent ?? "{}") as VerdictStrings;
const msg = byId("msg").dataset;
const status = byId("status");
const verdictBox = byId("verdict");
const details = byId("details");
const facts = byId("facts");
const checks = byId("checks");
const sellerInput = byId<HTMLInputElement>("seller-input");
const pasteInput = byId<HTMLInputElement>("paste-input");

let current: { payload: DecodedPayload; result: VerifyResult; raw: string } | undefined;
let runId = 0;

function setStatus(text: string, shownInCard = false): void {
  status.textContent = text;
  // With a verdict the card shows the words: the live region still announces them, once, unseen.
  status.classList.toggle("visually-hidden", shownInCard);
}

/** Keys the verdict's words: genuine and sold-to-you say more once a typed key matched. */
const keyed = (verdict: Verdict, checked: "code" | "key") =>
  checked === "key" && (verdict === "genuine" || verdict === "sold-to-you") ? `${verdict}Key` : verdict;

function fact(label: string, value: string | Node, mono = false): void {
  facts.append(el("dt", {}, label), el("dd", mono ? { class: "mono" } : {}, value));
}

function showVerdict(
  verdict: Verdict,
  checked: "code" | "key",
  extra?: string,
  title = t.verdicts[verdict].title,
  detail = checked === "key" && verdict === "genuine" ? t.card.keyDetail : t.verdicts[verdict].detail,
): void {
  verdictBox.hidden = false;
  verdictBox.dataset.verdict = verdict;
  verdictBox.dataset.checked = checked;
  byId("verdict-title").textContent = title;
  // Only where the verdict speaks about the code's authenticity (not for a code that is unreadable, for
  // another chain, not in its batch, or not confirmed by the chain).
  const what = QUALIFIED.has(verdict) ? (checked === "key" ? t.card.checkedKey : t.card.checkedCode) : "";
  byId("verdict-checked").textContent = what;
  const next = t.next[keyed(verdict, checked)] ?? "";
  byId("next-step").textContent = next;
  byId("verdict-detail").textContent = extra ? `${detail} ${extra}` : detail;
  document.title = `${title} · KeyTrail`;
  const stop = lang === "en" ? ". " : "。";
  setStatus([title, what, next].filter(Boolean).join(stop), true);
  performance.mark("keytrail:verdict");
  document.documentElement.dataset.verdictMs = String(Math.round(performance.now()));
  verdictBox.focus({ preventScroll: false });
}

/** The trust tier of the status read, shown in the card. */
function showTrust(trust: TrustShown | undefined): void {
  const p = byId("trust");
  p.hidden = !trust;
  p.dataset.trust = trust?.method ?? "";
  if (!trust) return void (p.textContent = "");
  if (trust.method === "disagree") p.textContent = fill(t.trust.disagree, { block: String(trust.block) });
  else if (trust.method === "call" && trust.block !== undefined && trust.agreeing !== undefined)
    p.textContent = fill(trust.agreeing === 1 ? t.trust.callOne : t.trust.callAgree, {
      k: trust.agreeing,
      n: trust.asked ?? trust.agreeing,
      block: String(trust.block),
    });
  else if (trust.method === "call") p.textContent = trust.reason === "v1" ? t.trust.callV1 : t.trust.callNoProof;
  else
    p.textContent = fill(trust.agreeing === 1 ? t.trust.one : t.trust.agree, {
      k: trust.agreeing,
      n: trust.asked,
      block: String(trust.block),
    });
}

function clear(keepKeyResult = false): void {
  current = undefined;
  showTrust(undefined);
  verdictBox.hidden = true;
  verdictBox.dataset.verdict = "";
  verdictBox.dataset.checked = "";
  verdictBox.dataset.card = "";
  details.hidden = true;
  byId("timeline-section").hidden = true;
  facts.replaceChildren();
  checks.replaceChildren();
  byId("card-facts").replaceChildren();
  byId("card-note").textContent = "";
  if (!keepKeyResult) {
    byId("key-result").textContent = "";
    delete byId("key-result").dataset.match;
  }
  byId("order-section").hidden = true;
}

/** A bytes32 shop or till label as text when it is printable ASCII padded with zeros (else the hex). */
function bytes32Label(b: string): string {
  const hex = b.replace(/^0x/, "").replace(/(00)+$/, "");
  if (hex.length === 0) return "";
  const codes = (hex.match(/../g) ?? []).map((x) => parseInt(x, 16));
  return codes.every((c) => c >= 0x20 && c < 0x7f) ? String.fromCharCode(...codes) : b;
}

/** Shortens untrusted text for display (it is still only ever text). */
function quote(s: string, max = 160): string {
  const oneLine = s.replace(/[\u0000-\u001f\u007f]/g, " ");
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/** A parameter that reads as words (a component's own technical message), not as an address, hash, number or URL. */
const WORDS = /[A-Za-z]{2,}[\s,:;]+[A-Za-z]{2,}/;

/**
 * A check's detail line in the page's language: the sentence of its code (lib/verify/checkDetails.ts), each
 * parameter isolated in a <bdi>; a parameter that is a component's English message is marked `lang="en"`.
 */
function checkDetail(c: VerifyCheck): HTMLElement | null {
  if (!c.detail) return null;
  const template = c.detailCode ? t.checkDetails[c.detailCode] : undefined;
  if (template === undefined) return el("div", { class: "muted mono", lang: "en" }, quote(c.detail, 200));
  const params: Record<string, string | number> = { ...c.detailParams };
  if (typeof params.form === "string") params.form = t.forms[params.form] ?? params.form;
  if (c.detailCode === "decode-failed") params.reason = t.payloadErrors[String(params.code)] ?? t.payloadErrorOther;
  const parts = template.split(/(\{\w+\})/).map((part) => {
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    const value = name === undefined ? undefined : params[name];
    if (name === undefined || value === undefined) return part;
    const text = quote(String(value), 200);
    // the reason is this page's own words; the rest is data
    if (name === "reason") return text;
    return el("bdi", { class: "mono", "data-param": name, ...(WORDS.test(text) ? { lang: "en" } : {}) }, text);
  });
  return el("div", { class: "muted", "data-detail": c.detailCode ?? "" }, ...parts);
}

async function run(raw: string, orderReference?: string, key?: CardKey): Promise<void> {
  const id = ++runId;
  clear(key !== undefined);
  setStatus(msg.working ?? "…");
  const seller = sellerInput.value.trim();
  const r = await runVerification(raw, {
    ...(/^0x[0-9a-fA-F]{40}$/.test(seller) ? { seller: seller.toLowerCase() as `0x${string}` } : {}),
    ...(orderReference ? { orderReference } : {}),
    ...(key ? { key } : {}),
  });
  if (id !== runId) return;
  const payload = r.payload;
  if (payload) current = { payload, result: r, raw };
  const notes: string[] = [];
  if (r.verdict === "revoked") {
    notes.push(`${t.labels.reason}: ${t.reasons[r.reason] ?? r.reason}.`);
    if (r.reason === "refunded") notes.push(t.labels.refundedDetail);
    else if (r.frozenByRegulator === true) notes.push(t.labels.frozenByRegulator);
    else if (r.frozenByRegulator === false) notes.push(t.labels.frozenBySupplier);
  } else if (r.expired) notes.push(t.labels.expired);
  if (r.verdict === "sold-to-another") notes.push(t.labels.contactSeller);
  if (r.issuerSuspended) notes.push(t.labels.issuerSuspended);
  if (r.publicForm) notes.push(t.labels.publicForm);
  const disagree = r.verdict === "unreachable" && r.trust?.method === "disagree";
  // someone else's proof data is at fault, not the chain's reachability and not the seller
  const proofData =
    r.verdict === "unreachable" && r.cannotConfirm.startsWith("proof-data-")
      ? r.cannotConfirm === "proof-data-unavailable"
        ? t.trust.proofDataUnavailable
        : t.trust.proofDataMismatch
      : undefined;
  showTrust(r.trust);
  showVerdict(
    r.verdict,
    r.checked,
    notes.length > 0 ? notes.join(" ") : undefined,
    disagree ? t.trust.disagreeTitle : proofData ? t.trust.proofDataTitle : undefined,
    disagree ? t.trust.disagreeDetail : proofData,
  );
  byId("order-section").hidden = r.verdict !== "sold-to-you";
  byId("key-form").hidden = !ASKS_KEY.has(r.verdict);
  if (key && r.keyCheck !== "not-checked") showKeyResult(r.keyCheck === "match");
  void renderCard(lang, t, r, () => id === runId).catch(() => undefined);
  details.hidden = false;
  if (r.verdict === "malformed") fact(t.labels.problem, quote(r.error.shortMessage));
  if (r.verdict === "wrong-chain") {
    if (r.payloadChainId !== cfg.chainId) {
      const name = t.chains[r.payloadChainId];
      fact(
        t.labels.chainFor,
        `${name ? `${name}, ` : ""}${fill(t.labels.chainId, { id: r.payloadChainId })} — ${fill(t.labels.chainHere, { name: cfg.chainName, id: cfg.chainId })}`,
      );
    } else
      fact(
        t.labels.chainFor,
        `${t.labels.ledger} ${r.payloadLedger} — ${fill(t.labels.ledgerHere, { ledger: cfg.ledger })}`,
      );
  }
  if (r.verdict === "revoked") fact(t.labels.reason, t.reasons[r.reason] ?? r.reason);
  if (r.issuerSuspended) fact(t.labels.issuer, el("span", { class: "notice" }, t.labels.issuerSuspended));
  if (r.verdict === "revoked" && r.frozenByRegulator !== undefined)
    fact(t.labels.status, r.frozenByRegulator ? t.labels.frozenByRegulator : t.labels.frozenBySupplier);
  if (r.sale) {
    const s = r.sale;
    fact(t.labels.sale, fill(t.labels.saleNo, { n: s.saleNo }));
    fact(t.labels.soldBy, s.seller, true);
    fact(t.labels.soldAt, new Date(s.soldAt * 1000).toLocaleString(lang));
    const store = bytes32Label(s.store);
    const terminal = bytes32Label(s.terminal);
    if (store) fact(t.labels.store, store, store.startsWith("0x"));
    if (terminal) fact(t.labels.terminal, terminal, terminal.startsWith("0x"));
    fact(t.labels.amount, `${s.amount} ${s.currency}`);
    fact(t.labels.saleTx, s.tx, true);
    if (s.orderRefMatches !== undefined) {
      const out = byId("order-result");
      out.dataset.match = s.orderRefMatches ? "yes" : "no";
      out.textContent = s.orderRefMatches ? t.labels.orderRefMatch : t.labels.orderRefMismatch;
      fact(t.labels.orderRef, s.orderRefMatches ? t.labels.orderRefMatch : t.labels.orderRefMismatch);
    }
  }
  if (r.receiptCheck === "none" && r.verdict === "sold-to-another") fact(t.checks.receipt ?? "", t.labels.receiptNone);
  if (r.receiptCheck === "mismatch") fact(t.checks.receipt ?? "", t.labels.receiptMismatch);
  if (r.receiptCheck === "no-live-sale") fact(t.checks.receipt ?? "", t.labels.receiptNoLiveSale);
  if (payload) {
    fact(t.labels.batch, payload.batchId, true);
    fact(t.labels.index, String(payload.index));
  }
  if (r.supplier) fact(t.labels.issuer, r.supplier, true);
  if (r.holder) fact(t.labels.holder, r.holder, true);
  if (r.seller) fact(t.labels.seller, r.seller, true);
  if (r.commitment) fact(t.labels.commitment, r.commitment, true);
  if (r.proof) fact(t.labels.proof, r.proof.length ? r.proof.join(" ") : "[]", true);
  if (r.root) fact(t.labels.root, r.root, true);
  else if (r.computedRoot) fact(t.labels.computedRoot, r.computedRoot, true);
  if (payload) fact(t.labels.ledger, payload.ledger, true);
  if (r.verdict === "not-in-batch") fact(t.labels.problem, t.causes[r.cause] ?? r.cause);
  if (r.verdict === "unreachable") {
    const e = r.error as { message?: unknown } | undefined;
    if (e && typeof e.message === "string") fact(t.labels.problem, quote(e.message));
  }
  for (const c of r.checks) {
    const mark = c.ok === true ? "✓" : c.ok === false ? "✕" : "–";
    const state = c.ok === true ? t.labels.checkOk : c.ok === false ? t.labels.checkFail : t.labels.checkSkip;
    const where = c.online ? t.labels.online : t.labels.offline;
    const detail = checkDetail(c);
    checks.append(
      el(
        "li",
        { "data-mark": mark, "data-check": c.name, "data-ok": String(c.ok), "data-online": String(c.online) },
        `${t.checks[c.name] ?? c.label}: ${state} (${where})`,
        detail,
      ),
    );
  }
  if (
    payload &&
    r.verdict !== "malformed" &&
    r.verdict !== "wrong-chain" &&
    !(r.verdict === "not-in-batch" && r.cause !== "key")
  ) {
    void renderTimeline(lang, t, payload, r.holder).catch(() => undefined);
  }
}

/** Verdicts whose card asks for the key (the code is fine; the key in hand is what is left to check). */
const ASKS_KEY = new Set<Verdict>(["genuine", "sold-to-you", "not-yet-sold", "holder-mismatch", "sold-to-another"]);
/** Verdicts whose card says what was checked (the code, or the code and the key). */
const QUALIFIED = new Set<Verdict>([...ASKS_KEY, "revoked", "redeemed"]);

function showKeyResult(match: boolean): void {
  const out = byId("key-result");
  out.dataset.match = match ? "yes" : "no";
  out.textContent = match ? t.labels.keyMatch : t.labels.keyMismatch;
}

/** Keeps the language switch on the same code. */
function syncLanguageSwitch(): void {
  const a = document.getElementById("lang-switch") as HTMLAnchorElement | null;
  if (!a) return;
  const u = new URL(a.href);
  u.hash = location.hash;
  a.href = u.href;
}

/** The verify page's own path: on a GS1 Digital Link path (`…/01/<gtin>/21/<serial>`), the `/v/` page above it. */
function verifyPath(): string {
  const at = location.pathname.indexOf("/01/");
  return at < 0 ? location.pathname : `${location.pathname.slice(0, at)}/v/`;
}

function fromHash(): void {
  syncLanguageSwitch();
  const h = location.hash.slice(1);
  // On a Digital Link path the whole link is verified: its path must agree with the payload (parsePayloadInput).
  if (h) void run(location.pathname.includes("/01/") ? `${location.pathname}#${h}` : h);
}

addEventListener("hashchange", fromHash);

byId<HTMLFormElement>("paste-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const v = pasteInput.value;
  let payload = v;
  try {
    payload = parsePayloadInput(v).payload;
  } catch {
    void run(v);
    return;
  }
  if (location.hash.slice(1) !== payload || verifyPath() !== location.pathname)
    history.replaceState(null, "", `${verifyPath()}#${payload}`);
  syncLanguageSwitch();
  void run(payload);
});

async function handleText(text: string | null): Promise<void> {
  if (text === null) {
    clear();
    setStatus(msg.noQr ?? "");
    return;
  }
  pasteInput.value = text.slice(0, 8192);
  let payload: string;
  try {
    payload = parsePayloadInput(text).payload;
  } catch {
    await run(text);
    return;
  }
  history.replaceState(null, "", `${verifyPath()}#${payload}`);
  syncLanguageSwitch();
  await run(payload);
}

/** QR decoding (and its jsQR fallback) loads with the first upload or scan, not with the page. */
const loadQr = () => import("./qr.ts");

byId<HTMLInputElement>("upload-input").addEventListener("change", async (e) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0];
  input.value = "";
  if (!file) return;
  const qr = await loadQr().catch(() => undefined);
  if (!qr) {
    clear();
    setStatus(msg.noQr ?? "");
    return;
  }
  if (file.size > qr.MAX_BYTES) {
    clear();
    setStatus(msg.badImage ?? "");
    return;
  }
  setStatus(msg.working ?? "…");
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    clear();
    setStatus(msg.badImage ?? "");
    return;
  }
  try {
    await handleText(await qr.decodeQr(bitmap, bitmap.width, bitmap.height));
  } catch {
    clear();
    setStatus(msg.noQr ?? "");
  } finally {
    bitmap.close();
  }
});

// Camera scanning.
const video = byId<HTMLVideoElement>("camera");
const scanButton = byId<HTMLButtonElement>("scan-button");
let stream: MediaStream | undefined;

function stopScan(): void {
  stream?.getTracks().forEach((tr) => tr.stop());
  stream = undefined;
  video.srcObject = null;
  video.hidden = true;
  scanButton.textContent = scanButton.dataset.start ?? "";
}

scanButton.addEventListener("click", async () => {
  if (stream) return stopScan();
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch {
    setStatus(msg.noCamera ?? "");
    return;
  }
  video.srcObject = stream;
  video.hidden = false;
  scanButton.textContent = scanButton.dataset.stop ?? "";
  await video.play().catch(() => undefined);
  const tick = async (): Promise<void> => {
    if (!stream) return;
    if (video.readyState >= 2 && video.videoWidth > 0) {
      const text = await loadQr()
        .then((qr) => qr.decodeQr(video, video.videoWidth, video.videoHeight))
        .catch(() => null);
      if (text) {
        stopScan();
        await handleText(text);
        return;
      }
    }
    setTimeout(() => requestAnimationFrame(() => void tick()), 200);
  };
  void tick();
});

// "Check your order reference": hashed here with the link's receipt secret, nothing is sent.
byId<HTMLFormElement>("order-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const ref = byId<HTMLInputElement>("order-input").value;
  if (!current || ref.trim().length === 0) return;
  void run(current.raw, ref);
});

// "Type your key": hashed here, nothing is sent. A match verifies the code again with the key, so that the
// verdict says the key is confirmed (lib/verify's `checked: "key"`); a mismatch leaves the code's verdict.
// Key normalisation and hashing load with the first submission, not with the page.
const keyForm = byId<HTMLFormElement>("key-form");
// Starts loading the hashing as soon as the shopper starts typing, so that the answer is there on submit.
keyForm.addEventListener("focusin", () => void import("../../../lib/commit/commitTypedKey.js").catch(() => undefined), {
  once: true,
});
keyForm.addEventListener("submit", (e) => {
  e.preventDefault();
  void checkTypedKey();
});

async function checkTypedKey(): Promise<void> {
  const out = byId("key-result");
  const commitment = current?.result.commitment ?? current?.payload.commitment;
  if (!current || !commitment) {
    out.textContent = t.labels.keyNeedsPayload;
    delete out.dataset.match;
    return;
  }
  const salt = current.payload.salt;
  if (salt === undefined) {
    // the public form (version 3) carries no salt: a typed key cannot be checked with it
    out.textContent = t.labels.publicForm;
    out.dataset.match = "unknown";
    return;
  }
  const serial = byId<HTMLInputElement>("key-serial").value;
  const pin = byId<HTMLInputElement>("key-pin").value;
  const key: CardKey = serial.trim() ? { serial, pin } : { pin };
  const raw = current.raw;
  delete out.dataset.match; // no answer until this key's hashing has run (it may still be loading)
  const { commitTypedKey } = await import("../../../lib/commit/commitTypedKey.js");
  // Another code was verified while the hashing loaded: this key was typed for the earlier one.
  if (!current || current.raw !== raw) return;
  let match = false;
  try {
    match = commitTypedKey(salt, key, current.payload.keyCase === "upper") === commitment.toLowerCase();
  } catch {
    match = false;
  }
  showKeyResult(match);
  if (match) void run(current.raw, undefined, key);
  else if (current.result.checked === "key") {
    // The earlier key matched, this one does not: the card goes back to saying what the code alone shows.
    runId++;
    const r = current.result;
    byId("verdict-checked").textContent = t.card.checkedCode;
    verdictBox.dataset.checked = "code";
    byId("next-step").textContent = t.next[r.verdict] ?? "";
    if (r.verdict === "genuine") byId("verdict-detail").textContent = t.verdicts.genuine.detail;
    current = { ...current, result: { ...r, checked: "code", keyCheck: "mismatch" } };
  }
}

fromHash();
