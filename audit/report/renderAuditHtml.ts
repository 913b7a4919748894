import type { AuditReport } from "../../lib/formats/auditReport.js";
import { readProfileName } from "../../lib/parties/readProfileName.js";
import { assessNameConfusability } from "../../lib/text/assessNameConfusability.js";
import { sanitiseDisplayText } from "../../lib/text/sanitiseDisplayText.js";

const esc = (s: unknown) =>
  String(s ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
/**
 * Chain-sourced text for the report: hidden characters shown as `⟨U+202E⟩` marks (a regulator sees
 * them), line breaks as spaces, capped, then HTML-escaped.
 */
const txt = (s: unknown, maxLength = 2_000) => esc(sanitiseDisplayText(s, { maxLength, showRemoved: true }).text);
const short = (a: string) => (a.length > 14 ? `${a.slice(0, 6)}…${a.slice(-4)}` : a);
const SEV_COLOR = { critical: "#8b0000", high: "#d9480f", medium: "#e8a200", low: "#5c7cfa" } as const;
const SEVERITIES = ["critical", "high", "medium", "low"] as const;

/** Inline SVG: custody flows between parties on a circle, arrow width by keys moved (log scale). */
function flowChart(report: AuditReport): string {
  const flows = report.flows;
  if (flows.length === 0) return `<p class="muted">No custody transfers.</p>`;
  const parties = [...new Set(flows.flatMap((f) => [f.from, f.to]))].sort();
  const W = 640;
  const H = 640;
  const cx = W / 2;
  const cy = H / 2;
  const R = 230;
  const pos = new Map(
    parties.map((p, i) => {
      const a = (2 * Math.PI * i) / parties.length - Math.PI / 2;
      return [p, { x: cx + R * Math.cos(a), y: cy + R * Math.sin(a) }];
    }),
  );
  const maxKeys = Math.max(...flows.map((f) => f.keys), 1);
  const suppliers = new Set(report.scorecards.suppliers.map((s) => s.supplier));
  const edges = flows
    .map((f) => {
      const a = pos.get(f.from)!;
      const b = pos.get(f.to)!;
      const mx = (a.x + b.x) / 2 + (cy - (a.y + b.y) / 2) * 0.25;
      const my = (a.y + b.y) / 2 - (cx - (a.x + b.x) / 2) * 0.25;
      const w = 1 + 5 * (Math.log10(1 + f.keys) / Math.log10(1 + maxKeys));
      return `<path d="M${a.x.toFixed(1)},${a.y.toFixed(1)} Q${mx.toFixed(1)},${my.toFixed(1)} ${b.x.toFixed(1)},${b.y.toFixed(1)}" stroke="#4263eb" stroke-opacity="0.55" stroke-width="${w.toFixed(2)}" fill="none" marker-end="url(#arrow)"><title>${esc(f.from)} → ${esc(f.to)}: ${f.keys} keys in ${f.transfers} transfers</title></path>`;
    })
    .join("");
  const nodes = parties
    .map((p) => {
      const { x, y } = pos.get(p)!;
      const fill = suppliers.has(p) ? "#2b8a3e" : "#495057";
      const lx = x + (x - cx) * 0.12;
      const ly = y + (y - cy) * 0.12;
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="9" fill="${fill}"><title>${esc(p)}</title></circle><text x="${lx.toFixed(1)}" y="${ly.toFixed(1)}" font-size="11" text-anchor="middle" dominant-baseline="middle">${esc(short(p))}</text>`;
    })
    .join("");
  return `<svg id="flows" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Custody flows between parties"><defs><marker id="arrow" viewBox="0 0 10 10" refX="18" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#4263eb"/></marker></defs>${edges}${nodes}</svg>`;
}

/** Inline SVG: findings per day, stacked by severity. */
function timelineChart(report: AuditReport): string {
  const days = report.timeline;
  if (days.length === 0) return `<p class="muted">No findings.</p>`;
  const W = 640;
  const H = 220;
  const pad = 30;
  const max = Math.max(...days.map((d) => d.critical + d.high + d.medium + d.low), 1);
  const bw = Math.max(4, Math.min(40, (W - 2 * pad) / days.length - 4));
  const bars = days
    .map((d, i) => {
      const x = pad + i * ((W - 2 * pad) / days.length);
      let y = H - pad;
      let out = "";
      for (const s of SEVERITIES) {
        const h = ((H - 2 * pad) * d[s]) / max;
        if (h <= 0) continue;
        y -= h;
        out += `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" fill="${SEV_COLOR[s]}"><title>${esc(d.day)}: ${d[s]} ${s}</title></rect>`;
      }
      return (
        out +
        `<text x="${(x + bw / 2).toFixed(1)}" y="${H - pad + 14}" font-size="10" text-anchor="middle">${esc(d.day.slice(5))}</text>`
      );
    })
    .join("");
  return `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Findings over time"><line x1="${pad}" y1="${H - pad}" x2="${W - pad}" y2="${H - pad}" stroke="#868e96"/><text x="${pad}" y="${pad - 8}" font-size="11">max ${max} per day</text>${bars}</svg>`;
}

/** Inline SVG: one supplier's five score dimensions as bars. */
function dimensionBars(d: Record<string, number>): string {
  const keys = Object.keys(d);
  const rows = keys
    .map(
      (k, i) =>
        `<rect x="80" y="${i * 14}" width="${(d[k]! * 1.2).toFixed(1)}" height="10" fill="#2b8a3e"/><text x="0" y="${i * 14 + 9}" font-size="10">${esc(k)}</text><text x="${(84 + d[k]! * 1.2).toFixed(1)}" y="${i * 14 + 9}" font-size="10">${d[k]}</text>`,
    )
    .join("");
  return `<svg class="dims" xmlns="http://www.w3.org/2000/svg" width="240" height="${keys.length * 14}" viewBox="0 0 240 ${keys.length * 14}" role="img" aria-label="Score dimensions">${rows}</svg>`;
}

const SEV_RANK = { critical: 0, high: 1, medium: 2, low: 3 } as const;
/** Parties drawn at most in one party's evidence graph (the busiest hops first). */
const MAX_GRAPH_NODES = 10;
/** Parties listed in "Findings by party", and findings listed under each (all are in "Findings by rule"). */
const MAX_PARTIES = 60;
const MAX_PARTY_FINDINGS = 50;

type Edge = { from: string; to: string; keys: number; transfers: number };

/**
 * Inline SVG: the custody hops of one party's evidence. The party sits in the middle, the others
 * on a circle; an arrow per (from, to) pair labelled with the keys moved (and transfers).
 */
function partyFlowGraph(party: string, edges: readonly Edge[], index: number): string {
  const drawn: Edge[] = [];
  const nodes = new Set<string>([party]);
  for (const e of [...edges].sort((a, b) => b.keys - a.keys || (a.from + a.to < b.from + b.to ? -1 : 1))) {
    if (e.from === e.to) continue;
    const extra = [e.from, e.to].filter((n) => !nodes.has(n)).length;
    if (nodes.size + extra > MAX_GRAPH_NODES) continue;
    nodes.add(e.from);
    nodes.add(e.to);
    drawn.push(e);
  }
  if (drawn.length === 0) return `<p class="muted">No custody hop in the evidence.</p>`;
  const W = 420;
  const H = 300;
  const cx = W / 2;
  const cy = H / 2;
  const others = [...nodes].filter((n) => n !== party).sort();
  const pos = new Map<string, { x: number; y: number }>([[party, { x: cx, y: cy }]]);
  others.forEach((n, i) => {
    const a = (2 * Math.PI * i) / others.length - Math.PI / 2;
    pos.set(n, { x: cx + 160 * Math.cos(a), y: cy + 110 * Math.sin(a) });
  });
  const marker = `arrow-p${index}`;
  const arrows = drawn
    .map((e) => {
      const a = pos.get(e.from)!;
      const b = pos.get(e.to)!;
      // Curved so that A -> B and B -> A do not overlap.
      const mx = (a.x + b.x) / 2 + (b.y - a.y) * 0.18;
      const my = (a.y + b.y) / 2 - (b.x - a.x) * 0.18;
      const lx = (a.x + 2 * mx + b.x) / 4;
      const ly = (a.y + 2 * my + b.y) / 4;
      const label = `${e.keys} key${e.keys === 1 ? "" : "s"}${e.transfers > 1 ? ` / ${e.transfers} tx` : ""}`;
      return (
        `<path class="hop" d="M${a.x.toFixed(1)},${a.y.toFixed(1)} Q${mx.toFixed(1)},${my.toFixed(1)} ` +
        `${b.x.toFixed(1)},${b.y.toFixed(1)}" stroke="#4263eb" stroke-width="1.6" fill="none" ` +
        `marker-end="url(#${marker})"><title>${esc(e.from)} → ${esc(e.to)}: ${esc(label)}</title></path>` +
        `<text class="hop-label" x="${lx.toFixed(1)}" y="${(ly - 3).toFixed(1)}" font-size="10" ` +
        `text-anchor="middle" fill="#364fc7">${esc(label)}</text>`
      );
    })
    .join("");
  const circles = [...nodes]
    .map((n) => {
      const { x, y } = pos.get(n)!;
      const me = n === party;
      return (
        `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${me ? 11 : 8}" fill="${me ? "#c92a2a" : "#495057"}">` +
        `<title>${esc(n)}</title></circle><text x="${x.toFixed(1)}" y="${(y + (me ? 24 : 20)).toFixed(1)}" ` +
        `font-size="10" text-anchor="middle">${esc(short(n))}</text>`
      );
    })
    .join("");
  const hidden = edges.length - drawn.length;
  return (
    `<svg class="party-flow" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" ` +
    `role="img" aria-label="Custody hops in the evidence of ${esc(party)}"><defs><marker id="${marker}" ` +
    `viewBox="0 0 10 10" refX="19" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">` +
    `<path d="M0,0 L10,5 L0,10 z" fill="#4263eb"/></marker></defs>${arrows}${circles}</svg>` +
    (hidden > 0 ? `<p class="muted">${hidden} more hop pairs not drawn (busiest first).</p>` : "")
  );
}

/** "Findings by party": every party a finding names, worst first, with its evidence graph and findings. */
function findingsByParty(report: AuditReport, nameOf: (a: string) => string): string {
  const byParty = new Map<string, AuditReport["findings"]>();
  for (const f of report.findings)
    for (const p of new Set(f.parties.map((x) => x.toLowerCase()))) byParty.set(p, [...(byParty.get(p) ?? []), f]);
  if (byParty.size === 0) return `<p class="muted">No findings.</p>`;
  const hopsByTx = new Map<string, NonNullable<AuditReport["evidenceHops"]>>();
  for (const h of report.evidenceHops ?? []) hopsByTx.set(h.txHash, [...(hopsByTx.get(h.txHash) ?? []), h]);
  const worst = (fs: AuditReport["findings"]) => Math.min(...fs.map((f) => SEV_RANK[f.severity]));
  const parties = [...byParty.entries()].sort(
    ([a, fa], [b, fb]) => worst(fa) - worst(fb) || fb.length - fa.length || (a < b ? -1 : 1),
  );
  const sections = parties.slice(0, MAX_PARTIES).map(([party, fs], i) => {
    const txs = new Set(fs.flatMap((f) => [f.txHash, ...f.evidence.map((e) => e.txHash)]));
    const edges = new Map<string, Edge>();
    for (const tx of txs)
      for (const h of hopsByTx.get(tx) ?? []) {
        const k = `${h.from}:${h.to}`;
        const e = edges.get(k) ?? { from: h.from, to: h.to, keys: 0, transfers: 0 };
        e.keys += h.keys;
        e.transfers++;
        edges.set(k, e);
      }
    const counts = SEVERITIES.map((s) => [s, fs.filter((f) => f.severity === s).length] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `<span class="sev" style="background:${SEV_COLOR[s]}">${n} ${s}</span>`)
      .join(" ");
    const rows = fs
      .slice(0, MAX_PARTY_FINDINGS)
      .map(
        (f) =>
          `<li><span class="sev" style="background:${SEV_COLOR[f.severity]}">${esc(f.severity)}</span> ` +
          `<code>${esc(f.id)}</code> ${txt(f.message)}</li>`,
      )
      .join("");
    const more =
      fs.length > MAX_PARTY_FINDINGS ? `<li class="muted">… ${fs.length - MAX_PARTY_FINDINGS} more</li>` : "";
    return (
      `<section class="party" data-party="${esc(party)}">` +
      `<h3><code>${esc(party)}</code>${nameOf(party)} ${counts}</h3>` +
      `<div class="party-body">${partyFlowGraph(party, [...edges.values()], i)}<ul>${rows}${more}</ul></div></section>`
    );
  });
  const cut =
    parties.length > MAX_PARTIES
      ? `<p class="muted">${parties.length - MAX_PARTIES} more parties with findings: see the findings by rule.</p>`
      : "";
  return sections.join("") + cut;
}

/** Inline SVG sparkline of a supplier's scores (0–100), gaps where it had none. */
function sparkline(scores: readonly ({ score: number } | null)[]): string {
  const W = 160;
  const H = 36;
  const step = scores.length > 1 ? (W - 8) / (scores.length - 1) : 0;
  const pts = scores.map((s, i) => (s ? { x: 4 + i * step, y: H - 4 - ((H - 8) * s.score) / 100 } : null));
  const segments: string[] = [];
  let run: string[] = [];
  for (const p of [...pts, null]) {
    if (p) run.push(`${p.x.toFixed(1)},${p.y.toFixed(1)}`);
    else if (run.length) {
      segments.push(run.join(" "));
      run = [];
    }
  }
  const lines = segments
    .map((pp) =>
      pp.includes(" ")
        ? `<polyline points="${pp}" fill="none" stroke="#2b8a3e" stroke-width="1.5"/>`
        : `<circle cx="${pp.split(",")[0]}" cy="${pp.split(",")[1]}" r="2" fill="#2b8a3e"/>`,
    )
    .join("");
  return (
    `<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
    `role="img" aria-label="Score over the periods"><line x1="4" y1="${H - 4}" x2="${W - 4}" y2="${H - 4}" ` +
    `stroke="#dee2e6"/>${lines}</svg>`
  );
}

/** The scorecard history table: one row per supplier, one cell per period, and a sparkline. */
function scorecardHistory(report: AuditReport, nameOf: (a: string) => string): string {
  const h = report.scorecardHistory;
  if (!h || h.suppliers.length === 0) return `<p class="muted" id="scorecard-history">No supplier history.</p>`;
  const head = h.periods.map((p) => `<th>${esc(p.label)}</th>`).join("");
  const rows = h.suppliers
    .map(
      (s) =>
        `<tr><td><code>${esc(s.supplier)}</code>${nameOf(s.supplier)}</td>` +
        s.scores
          .map((c) =>
            c
              ? `<td class="grade-${c.grade}" title="${c.keysAnchored} keys anchored, ${c.anomalies} findings">` +
                `${c.score}</td>`
              : `<td class="muted">–</td>`,
          )
          .join("") +
        `<td>${sparkline(s.scores)}</td></tr>`,
    )
    .join("");
  return (
    `<table id="scorecard-history"><thead><tr><th>supplier</th>${head}<th>trend</th></tr></thead>` +
    `<tbody>${rows}</tbody></table>`
  );
}

/** A registered party as {@link renderAuditHtml} names it: its address and on-chain profile URI. */
export type AuditHtmlParty = { address: string; profileURI?: string | null | undefined };

/** Options of {@link renderAuditHtml}. */
export type RenderAuditHtmlOptions = {
  /** Registered parties (e.g. the replayed state's): their display names are shown and checked for look-alikes. */
  parties?: Iterable<AuditHtmlParty>;
};

/** A profile URI as text with its percent- or base64-encoding undone (a data: URI's name is encoded). */
function decodedUri(uri: string): string {
  const b64 = /^data:[^,]*;base64,(.*)$/s.exec(uri);
  try {
    if (b64) return new TextDecoder().decode(Uint8Array.from(atob(b64[1]!), (c) => c.charCodeAt(0)));
    return decodeURIComponent(uri);
  } catch {
    return uri;
  }
}

/** The parties table and the look-alike names, from the parties' profile URIs. */
function partiesSection(parties: readonly AuditHtmlParty[]): { names: Map<string, string>; html: string } {
  const names = new Map<string, string>();
  const raw: { address: string; name: string }[] = [];
  for (const p of parties) {
    const name = readProfileName(p.profileURI);
    if (!name) continue;
    raw.push({ address: p.address.toLowerCase(), name });
    names.set(p.address.toLowerCase(), txt(name, 120));
  }
  if (parties.length === 0) return { names, html: "" };
  const rows = parties
    .map((p) => {
      const a = p.address.toLowerCase();
      const uri = sanitiseDisplayText(p.profileURI ?? "", { maxLength: 80, showRemoved: true });
      const removed = sanitiseDisplayText(decodedUri(p.profileURI ?? ""), { maxLength: 1 }).removed;
      const hidden = removed.length ? `<span class="bad">${esc(removed.join(" "))}</span>` : "–";
      return (
        `<tr><td><code>${esc(a)}</code></td><td>${names.get(a) ?? "–"}</td>` +
        `<td><code>${esc(uri.text)}</code></td><td>${hidden}</td></tr>`
      );
    })
    .join("");
  const lookalikes = raw
    .map((p) => {
      const others = raw.filter((o) => o.address !== p.address).map((o) => o.name);
      const why = assessNameConfusability(p.name, others).map((w) =>
        w.kind === "imitates" ? `looks like “${txt(w.other, 120)}”` : `mixes scripts in “${txt(w.word, 120)}”`,
      );
      return why.length
        ? `<li data-lookalike="${esc(p.address)}"><code>${esc(p.address)}</code> ` +
            `“${names.get(p.address)}”: ${why.join("; ")}</li>`
        : "";
    })
    .join("");
  const html =
    `<h2>Parties</h2><table id="parties"><thead><tr><th>party</th><th>name</th><th>profile URI</th>` +
    `<th>hidden characters</th></tr></thead><tbody>${rows}</tbody></table><h3>Look-alike party names</h3>` +
    (lookalikes ? `<ul id="lookalikes">${lookalikes}</ul>` : `<p class="muted" id="lookalikes">None.</p>`);
  return { names, html };
}

/**
 * Renders the audit report as one self-contained HTML page: summary, digest and indexer
 * comparison, inline-SVG charts (custody flows between parties, findings over time), supplier
 * scorecards and their history over recent periods (table and sparkline), the findings grouped by
 * party with a flow graph of each party's evidence (report.evidenceHops), and every finding by rule.
 * No scripts, styles or fonts are loaded from anywhere.
 *
 * Chain-sourced text (party names, profile URIs, finding messages) goes through `sanitiseDisplayText`
 * with its hidden characters made visible; with `options.parties`, a parties table and the
 * look-alike party names are included.
 *
 * @param report The audit report.
 * @param options Registered parties to name (optional).
 * @returns The HTML document.
 * @example
 * writeFileSync("report.html", renderAuditHtml(report));
 */
export function renderAuditHtml(report: AuditReport, options: RenderAuditHtmlOptions = {}): string {
  const parties = partiesSection([...(options.parties ?? [])]);
  const nameOf = (a: string) => (parties.names.has(a.toLowerCase()) ? ` ${parties.names.get(a.toLowerCase())}` : "");
  const s = report.summary;
  const ix = report.indexer;
  const indexerBlock = !ix
    ? `<p class="muted">No indexer was compared.</p>`
    : ix.match
      ? `<p class="ok">Indexer <code>${esc(ix.source)}</code> at block ${ix.block}: digest matches (<code>${esc(ix.indexerDigest)}</code>).</p>`
      : `<p class="bad">Indexer <code>${esc(ix.source)}</code> at block ${ix.block} diverges: replay <code>${esc(ix.replayDigest)}</code>, indexer <code>${esc(ix.indexerDigest)}</code>.</p><p id="divergence">${txt(ix.firstDivergence?.message ?? "")}</p>`;
  const cards = report.scorecards.suppliers
    .map(
      (c) =>
        `<tr><td><code>${esc(c.supplier)}</code>${nameOf(c.supplier)}</td><td class="grade-${c.grade}">${esc(c.grade)}</td><td>${c.score}</td><td class="dims">${dimensionBars(c.dimensions)}</td><td>${c.ageDays}</td><td>${c.keysAnchored}</td><td>${(c.revocationRate * 100).toFixed(2)}%</td><td>${(c.redemptionRate * 100).toFixed(2)}%</td><td>${c.medianDaysToRedemption ?? "–"}</td><td>${(c.unauthorisedHopShare * 100).toFixed(1)}%</td><td>${c.anomalies}</td></tr>`,
    )
    .join("");
  const byRule = report.rules
    .map((r) => {
      const fs = report.findings.filter((f) => f.ruleId === r.id);
      const rows = fs
        .map(
          (f) =>
            `<tr><td><code>${esc(f.id)}</code></td><td>${f.blockNumber}</td><td><code>${esc(short(f.txHash))}</code></td><td>${f.batchId ? `<code>${esc(short(f.batchId))}</code>` : ""}</td><td>${f.ranges.map((x) => `[${x.start}, ${x.end})`).join(" ")}</td><td>${txt(f.message)}</td></tr>`,
        )
        .join("");
      return `<section class="rule" id="rule-${esc(r.id)}"><h3><span class="sev" style="background:${SEV_COLOR[r.severity]}">${esc(r.severity)}</span> ${esc(r.title)} <code>${esc(r.id)}</code> — ${fs.length}</h3><p class="muted">${esc(r.description)} Contract enforces: ${esc(r.enforcedByContract)}.</p>${fs.length ? `<table><thead><tr><th>finding</th><th>block</th><th>tx</th><th>batch</th><th>keys</th><th>what</th></tr></thead><tbody>${rows}</tbody></table>` : ""}</section>`;
    })
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>KeyTrail audit — ledger ${esc(report.chain.ledger)} at block ${report.chain.toBlock}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#212529}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}td,th{border-bottom:1px solid #dee2e6;padding:.3rem .4rem;text-align:left;vertical-align:top;font-size:.9rem}
.muted{color:#868e96}.ok{color:#2b8a3e}.bad{color:#c92a2a;font-weight:600}
.sev{color:#fff;border-radius:3px;padding:0 .35rem;font-size:.8rem}
.grade-gold{color:#b8860b;font-weight:700}.grade-silver{color:#868e96;font-weight:700}.grade-bronze{color:#a0522d;font-weight:700}.grade-watch{color:#c92a2a;font-weight:700}
.kpi{display:flex;gap:1.5rem;flex-wrap:wrap}.kpi div{background:#f1f3f5;border-radius:6px;padding:.6rem 1rem}
svg{max-width:100%;height:auto}svg.sparkline{max-width:none}.party{border-top:1px solid #dee2e6;margin-top:1rem}
.party-body{display:flex;gap:1rem;flex-wrap:wrap;align-items:flex-start}
.party-body ul{flex:1;min-width:280px;font-size:.9rem}
svg.dims{max-width:none;width:240px;height:auto}td.dims{min-width:250px}
</style></head><body>
<h1>KeyTrail audit</h1>
<p>Ledger <code>${esc(report.chain.ledger)}</code> on chain ${report.chain.chainId}, blocks ${report.chain.fromBlock}–${report.chain.toBlock}${report.chain.blockHash ? ` (<code>${esc(report.chain.blockHash)}</code>)` : ""}. Replayed ${report.replay.events} events from raw logs. Report schema <code>${esc(report.schema)}</code>.</p>
<div class="kpi"><div>findings <b>${s.findings}</b></div>${SEVERITIES.map((k) => `<div>${k} <b>${s.bySeverity[k]}</b></div>`).join("")}<div>parties <b>${s.parties}</b></div><div>batches <b>${s.batches}</b></div><div>keys <b>${s.keys}</b></div></div>
<h2>State digest</h2><p><code id="digest">${esc(report.digest)}</code></p>${indexerBlock}
<h2>Custody flows between parties</h2>${flowChart(report)}
<h2>Anomalies over time</h2>${timelineChart(report)}
${parties.html}
<h2>Supplier scorecards (${esc(report.scorecards.period.label)}, formula <code>${esc(report.scorecards.formula)}</code>)</h2>
<table><thead><tr><th>supplier</th><th>grade</th><th>score</th><th>dimensions</th><th>age (days)</th><th>keys anchored</th><th>revoked</th><th>redeemed</th><th>median days to redemption</th><th>unauthorised hops</th><th>anomalies</th></tr></thead><tbody>${cards}</tbody></table>
<h2>Scorecard history (${esc(report.scorecardHistory?.periods[0]?.label ?? "")} –
${esc(report.scorecardHistory?.periods.at(-1)?.label ?? "")})</h2>
${scorecardHistory(report, nameOf)}
<h2>Findings by party</h2><p class="muted">Every party a finding names, worst first; the graph shows the custody
hops of the transactions cited as evidence (red: the party).</p>
<div id="findings-by-party">${findingsByParty(report, nameOf)}</div>
<h2>Findings by rule</h2>${byRule}
</body></html>
`;
}
