/**
 * The custody timeline of one key: issuer -> each distributor tier -> current holder, then the
 * key's sales ("sold by ... at ...", refunds), from the static export (only the key's custody
 * shard `batches/<id>/custody/<shard>.json`, or the whole-batch `custody.json` of an older export;
 * `data/parties.json`), each hop with date, tx link, authorisation badge and accreditation; the
 * last hop is cross-checked against the live holder.
 */
import { publicConfig as cfg } from "../config/publicConfig.ts";
import { localePath, type Lang } from "../i18n/lang.ts";
import type { VerdictStrings } from "../i18n/verdictStrings.ts";
import { explorerLink, formatTime, shortHex } from "../lib/format.ts";
import { displayText } from "../lib/display.ts";
import { isAccredited } from "../../../lib/parties/isAccredited.ts";
import type { DecodedPayload } from "../../../lib/schemas/payload.js";
import { DEFAULT_CUSTODY_SHARD_SIZE } from "../../../lib/formats/export.ts";
import type { ExportCustody, ExportCustodyShard } from "../../../lib/formats/export.ts";
import { byId, el, fill } from "./dom.ts";
import { fetchExport } from "./runVerification.ts";
import { loadParties } from "./exportData.ts";

function badge(kind: "ok" | "bad" | "warn", text: string): HTMLElement {
  return el("span", { class: `badge ${kind}` }, text);
}

/** What the timeline needs of a custody file: a shard, or the whole batch (older exports). */
type CustodyPart = Pick<ExportCustody, "events" | "intervals"> & { sales?: ExportCustodyShard["sales"] };

async function fetchJson<T>(path: string): Promise<T | undefined> {
  try {
    const r = await fetchExport(path);
    if (!r.ok) return undefined;
    return (await r.json()) as T;
  } catch {
    return undefined;
  }
}

/**
 * Downloads only the custody shard holding key `index` (default shard size; a shard of another
 * size names its size, and the right one is fetched), or the whole-batch file of an older export.
 */
async function fetchCustody(batchId: string, index: number): Promise<CustodyPart | undefined> {
  const base = `export/batches/${batchId}`;
  let shard = await fetchJson<ExportCustodyShard>(
    `${base}/custody/${Math.floor(index / DEFAULT_CUSTODY_SHARD_SIZE)}.json`,
  );
  const size = shard?.shardSize;
  if (shard && size !== DEFAULT_CUSTODY_SHARD_SIZE && Number.isSafeInteger(size) && size! > 0)
    shard = await fetchJson<ExportCustodyShard>(`${base}/custody/${Math.floor(index / size!)}.json`);
  if (shard && index >= shard.start && index < shard.end) return shard;
  return fetchJson<ExportCustody>(`${base}/custody.json`);
}

/**
 * Renders the timeline into #timeline (or a note when the export has no history for the key).
 *
 * @param lang - page language
 * @param strings - the page's verify strings
 * @param payload - the decoded payload
 * @param liveHolder - the holder read from the chain (undefined when the chain was not reached)
 * @example
 * await renderTimeline("en", strings, payload, result.holder);
 */
export async function renderTimeline(
  lang: Lang,
  strings: VerdictStrings,
  payload: DecodedPayload,
  liveHolder: string | undefined,
): Promise<void> {
  const t = strings.labels;
  const kinds = strings.kinds;
  const section = byId("timeline-section");
  const list = byId("timeline");
  const note = byId("timeline-note");
  list.replaceChildren();
  note.textContent = "";
  section.hidden = false;
  const custody = await fetchCustody(payload.batchId.toLowerCase(), payload.index);
  if (!custody) {
    note.textContent = t.noHistory;
    return;
  }
  const { at, parties } = await loadParties();
  const intervals = Array.isArray(custody.intervals) ? custody.intervals : [];
  let lo = 0;
  let hi = intervals.length - 1;
  let found: ExportCustody["intervals"][number] | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const iv = intervals[mid]!;
    if (payload.index < iv.start) hi = mid - 1;
    else if (payload.index >= iv.end) lo = mid + 1;
    else {
      found = iv;
      break;
    }
  }
  if (!found) {
    note.textContent = t.noHistory;
    return;
  }
  const hops = found.hops
    .map((h) => custody.events[h])
    .filter((e): e is NonNullable<typeof e> => !!e && typeof e.to === "string");
  const supplier = hops[0]?.to;
  const now = at || Math.floor(Date.now() / 1000);
  hops.forEach((hop, i) => {
    const who = hop.to.toLowerCase();
    const p = parties[who];
    const kindName = kinds[p?.kind ?? ""] ?? t.unregistered;
    const name = displayText(p?.name);
    const label = name ? `${name} · ${kindName} ` : `${kindName} `;
    const line = el(
      "div",
      {},
      el("a", { href: localePath(lang, `p/${who}/`) }, label, el("code", { title: who }, shortHex(who))),
    );
    if (hop.authorized === null || i === 0 || who === supplier) line.append(" ", badge("ok", `✓ ${t.issuerSelf}`));
    else if (hop.authorized) {
      const tier = supplier ? p?.tiers[supplier]?.tier : undefined;
      line.append(" ", badge("ok", `✓ ${tier ? fill(t.authorised, { tier }) : t.authorisedNoTier}`));
    } else line.append(" ", badge("bad", `✕ ${t.notAuthorised}`));
    if (!p) line.append(" ", badge("warn", `? ${t.unregistered}`));
    else if (p.suspended) line.append(" ", badge("bad", `✕ ${t.suspended}`));
    else if (isAccredited(p.accreditedUntil, now)) line.append(" ", badge("ok", `✓ ${t.accredited}`));
    else line.append(" ", badge("bad", `✕ ${t.accreditationExpired}`));
    const txHref = explorerLink(cfg.explorerUrl, "tx", hop.tx);
    const txCode = el("code", { title: hop.tx }, shortHex(hop.tx));
    const when = el(
      "div",
      { class: "muted" },
      `${formatTime(hop.timestamp)} · #${hop.block} · `,
      txHref ? el("a", { href: txHref, rel: "noopener noreferrer" }, txCode) : txCode,
      ` · [${hop.start}, ${hop.end})`,
    );
    const li = el("li", { "data-hop": String(i), "data-party": who }, line, when);
    if (i === hops.length - 1) li.classList.add("current");
    list.append(li);
  });
  const ts = strings.custody;
  const sales = (Array.isArray(custody.sales) ? custody.sales : []).filter(
    (s) => payload.index >= s.start && payload.index < s.end && typeof s.sale?.seller === "string",
  );
  for (const { sale } of sales) {
    const who = sale.seller.toLowerCase();
    const p = parties[who];
    const name = displayText(p?.name) || (kinds[p?.kind ?? ""] ?? t.unregistered);
    const txHref = explorerLink(cfg.explorerUrl, "tx", sale.tx);
    const txCode = el("code", { title: sale.tx }, shortHex(sale.tx));
    const line = el(
      "div",
      {},
      fill(ts.soldBy, { seller: name }),
      " ",
      el("a", { href: localePath(lang, `p/${who}/`) }, el("code", { title: who }, shortHex(who))),
      " · ",
      fill(ts.saleNo, { saleNo: sale.saleNo }),
    );
    const when = el(
      "div",
      { class: "muted" },
      `${formatTime(sale.soldAt)} · #${sale.block} · `,
      txHref ? el("a", { href: txHref, rel: "noopener noreferrer" }, txCode) : txCode,
    );
    const li = el("li", { "data-sale": String(sale.saleNo), "data-party": who }, line, when);
    if (sale.refunded) {
      const rHref = explorerLink(cfg.explorerUrl, "tx", sale.refunded.tx);
      const rCode = el("code", { title: sale.refunded.tx }, shortHex(sale.refunded.tx));
      li.dataset.refunded = "yes";
      li.append(
        el(
          "div",
          { class: "muted" },
          badge("bad", `↩ ${ts.refunded}`),
          ` ${formatTime(sale.refunded.timestamp)} · #${sale.refunded.block} · `,
          rHref ? el("a", { href: rHref, rel: "noopener noreferrer" }, rCode) : rCode,
        ),
      );
    }
    list.append(li);
  }
  const last = hops[hops.length - 1]?.to.toLowerCase();
  const live = liveHolder?.toLowerCase();
  if (live && last === live) {
    list.querySelector("li.current")?.append(el("div", { "data-live": "confirmed" }, badge("ok", `✓ ${t.holderNow}`)));
  } else if (!live) {
    note.textContent = t.holderUnconfirmed;
  } else if (last !== live) {
    note.dataset.stale = "yes";
    note.textContent = fill(t.holderStale, { holder: live });
  }
}
