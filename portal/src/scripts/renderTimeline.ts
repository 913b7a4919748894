/**
 * The custody timeline of one key: issuer -> each distributor tier -> current holder, from the
 * static export (`batches/<id>/custody.json`, `data/parties.json`), each hop with date, tx link,
 * authorisation badge and accreditation; the last hop is cross-checked against the live holder.
 */
import { publicConfig as cfg } from "../config/publicConfig.ts";
import { localePath, type Lang } from "../i18n/lang.ts";
import type { VerdictStrings } from "../i18n/verdictStrings.ts";
import { explorerLink, formatTime, shortHex } from "../lib/format.ts";
import { isAccredited } from "../../../lib/parties/isAccredited.ts";
import type { DecodedPayload } from "../../../lib/schemas/payload.js";
import type { ExportCustody } from "../../../lib/formats/export.ts";
import { byId, el, fill } from "./dom.ts";
import { fetchExport } from "./runVerification.ts";

type PartyFacts = {
  name?: string;
  kind: string;
  accreditedUntil: number;
  suspended: boolean;
  tiers: Record<string, { tier: number; valid: boolean }>;
};
let partiesFile: Promise<{ at: number; parties: Record<string, PartyFacts> }> | undefined;

function badge(kind: "ok" | "bad" | "warn", text: string): HTMLElement {
  return el("span", { class: `badge ${kind}` }, text);
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
  let custody: ExportCustody;
  try {
    custody = (await (
      await fetchExport(`export/batches/${payload.batchId.toLowerCase()}/custody.json`)
    ).json()) as ExportCustody;
  } catch {
    note.textContent = t.noHistory;
    return;
  }
  partiesFile ??= fetchExport("data/parties.json")
    .then((r) => r.json())
    .catch(() => ({ at: 0, parties: {} }));
  const { at, parties } = await partiesFile;
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
    const label = p?.name ? `${p.name} · ${kindName} ` : `${kindName} `;
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
  const last = hops[hops.length - 1]?.to.toLowerCase();
  const live = liveHolder?.toLowerCase();
  if (live && last === live) {
    list.lastElementChild?.append(el("div", { "data-live": "confirmed" }, badge("ok", `✓ ${t.holderNow}`)));
  } else if (!live) {
    note.textContent = t.holderUnconfirmed;
  } else if (last !== live) {
    note.dataset.stale = "yes";
    note.textContent = fill(t.holderStale, { holder: live });
  }
}
