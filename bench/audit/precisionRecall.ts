/**
 * Audit v2 quality: precision and recall of the landed rules and of Audit v2 on the same traffic.
 *
 * bench/audit/_auditTraffic.ts generates seeded honest traffic (60 days: suppliers, tier 1 and
 * tier 2 distributors, retailers, sales, redemptions, refunds, freezes) with planted schemes: the
 * controls and evasions of the Audit v2 issue and variations (structuring at varied sizes and
 * spacings, one or many recipients, with the value unknown; hops spaced past the landed window;
 * loops through a second identity sharing a profile hash, a licence certificate, a confusable name,
 * or a re-key; parking with a sham retailer on batches with and without sales; freezes lifted by
 * another party; acts of suspended and re-keyed-away suppliers; refund rates and keys refunded
 * twice). Each rule set runs over the same events: the landed rules with their shipped defaults
 * (the anchor), the landed rules with their large-transfer limit set to v2's volume limit, and
 * Audit v2 with its defaults. A finding is a true positive when the transaction it is anchored at
 * belongs to a planted scheme; a scheme is detected when one of its family's rules fires at one of
 * its transactions (FAMILY_RULES).
 *
 *   npx tsx bench/audit/precisionRecall.ts [--quick] [--json]
 */
import { auditEvents } from "../../audit/rules/auditEvents.js";
import { auditRulesV2, landedAuditRules } from "../../audit/rules/auditRulesV2.js";
import type { AuditFinding } from "../../lib/formats/auditReport.js";
import type { BenchOptions, BenchResult } from "../types.js";
import { generateAuditTraffic, scoreFindings, type PlantedScheme, type Score } from "./_auditTraffic.js";

type Totals = Map<string, { schemes: number; detected: number; findings: number; tp: number }>;

function add(totals: Totals, rows: Score[]): void {
  for (const r of rows) {
    const t = totals.get(r.family) ?? { schemes: 0, detected: 0, findings: 0, tp: 0 };
    t.schemes += r.schemes;
    t.detected += r.detected;
    t.findings += r.findings;
    t.tp += r.truePositives;
    totals.set(r.family, t);
  }
}

const fmt = (x: number) => x.toFixed(3);

type RuleTotals = Map<string, { findings: number; tp: number; caught: Set<PlantedScheme> }>;

/** Per rule: findings, those at a planted scheme's transaction, and the schemes it fires at. */
function perRule(totals: RuleTotals, findings: readonly AuditFinding[], schemes: readonly PlantedScheme[]): void {
  const byTx = new Map<string, PlantedScheme>();
  for (const s of schemes) for (const t of s.txs) byTx.set(t, s);
  for (const f of findings) {
    const t = totals.get(f.ruleId) ?? { findings: 0, tp: 0, caught: new Set<PlantedScheme>() };
    t.findings++;
    const s = byTx.get(f.txHash);
    if (s) {
      t.tp++;
      t.caught.add(s);
    }
    totals.set(f.ruleId, t);
  }
}

/** Runs the three rule sets over `seeds` generated histories and returns per-family totals. */
export function measure(seeds: readonly number[], days: number) {
  const sets = {
    landed: new Map(),
    "landed (v2 limits)": new Map(),
    v2: new Map(),
    "v2 + gas funding": new Map(),
  } as Record<string, Totals>;
  let events = 0;
  let schemes = 0;
  let seconds = 0;
  const byRule: RuleTotals = new Map();
  const byRuleLanded: RuleTotals = new Map();
  for (const seed of seeds) {
    const g = generateAuditTraffic({ seed, days });
    events += g.events.length;
    schemes += g.schemes.length;
    const run = (name: string, set: "landed" | "v2", f: () => AuditFinding[], s: readonly PlantedScheme[]) => {
      const t = performance.now();
      const findings = f();
      if (name === "v2") seconds += (performance.now() - t) / 1000;
      add(sets[name]!, scoreFindings(findings, s, set));
    };
    run(
      "landed",
      "landed",
      () => {
        const f = auditEvents(g.events, { rules: landedAuditRules }).findings;
        perRule(byRuleLanded, f, g.schemes);
        return f;
      },
      g.schemes,
    );
    run(
      "landed (v2 limits)",
      "landed",
      () =>
        auditEvents(g.events, {
          rules: landedAuditRules,
          largeTransferValue: g.volumeLimitValue,
          largeTransferKeys: 200_000,
        }).findings,
      g.schemes,
    );
    run(
      "v2",
      "v2",
      () => {
        const f = auditEvents(g.events, { rules: auditRulesV2 }).findings;
        perRule(byRule, f, g.schemes);
        return f;
      },
      g.schemes,
    );
    run(
      "v2 + gas funding",
      "v2",
      () =>
        auditEvents(g.events, {
          rules: auditRulesV2,
          gasFunding: g.gasFunding,
          ignoreFunders: g.exchangeFunders,
        }).findings,
      g.schemes,
    );
  }
  return { sets, events, schemes, seconds, byRule, byRuleLanded };
}

/** bench/runAll.ts entry: one row per family (and overall) for recall and for precision, v2 vs landed. */
export async function run(opts: BenchOptions = {}): Promise<BenchResult[]> {
  const seeds = opts.quick ? [1] : [1, 2, 3, 4, 5];
  const days = opts.quick ? 30 : 60;
  const { sets, events, schemes, seconds, byRule, byRuleLanded } = measure(seeds, days);
  const v2 = sets.v2!;
  const anchor = sets.landed!;
  const calibrated = sets["landed (v2 limits)"]!;
  const funded = sets["v2 + gas funding"]!;
  process.stdout.write(
    `    ${seeds.length} seeds x ${days} days: ${events} events, ${schemes} planted schemes\n` +
      `    family              | landed recall / precision | landed (v2 limits)   | v2 recall / precision | v2 + gas funding\n`,
  );
  const out: BenchResult[] = [];
  for (const [family, t] of v2) {
    const a = anchor.get(family)!;
    const c = calibrated.get(family)!;
    const rp = (x: { schemes: number; detected: number; findings: number; tp: number }) =>
      `${fmt(x.schemes ? x.detected / x.schemes : 1)} / ${fmt(x.findings ? x.tp / x.findings : 1)} (${x.findings})`;
    const g = funded.get(family)!;
    process.stdout.write(
      `    ${family.padEnd(19)} | ${rp(a).padEnd(25)} | ${rp(c).padEnd(20)} | ${rp(t).padEnd(21)} | ${rp(g)}\n`,
    );
    if (family === "cycles" || family === "all")
      for (const [k, v, w] of [
        ["recall", g.schemes ? g.detected / g.schemes : 1, t.schemes ? t.detected / t.schemes : 1],
        ["precision", g.findings ? g.tp / g.findings : 1, t.findings ? t.tp / t.findings : 1],
      ] as const)
        out.push({
          name: `audit ${k}, ${family} (Audit v2 with gas funding links)`,
          unit: k,
          value: v,
          anchor: { name: "Audit v2 without gas funding", value: w },
          ...(w > 0 ? { ratio: v / w } : {}),
          notes: `higher is better; exchange hot wallet ignored; ${g.findings} vs ${t.findings} findings, ${seeds.length} seeds x ${days} days`,
        });
    const recall = t.schemes ? t.detected / t.schemes : 1;
    const landedRecall = a.schemes ? a.detected / a.schemes : 1;
    const precision = t.findings ? t.tp / t.findings : 1;
    const landedPrecision = a.findings ? a.tp / a.findings : 1;
    const note = `${t.schemes} planted schemes, ${seeds.length} seeds x ${days} days; landed with v2's limits: recall ${fmt(c.schemes ? c.detected / c.schemes : 1)}, precision ${fmt(c.findings ? c.tp / c.findings : 1)}`;
    out.push({
      name: `audit recall, ${family} (Audit v2)`,
      unit: "recall",
      value: recall,
      anchor: { name: "landed rules, shipped defaults", value: landedRecall },
      ...(landedRecall > 0 ? { ratio: recall / landedRecall } : {}),
      notes: `higher is better; ${note}`,
    });
    out.push({
      name: `audit precision, ${family} (Audit v2)`,
      unit: "precision",
      value: precision,
      anchor: { name: "landed rules, shipped defaults", value: landedPrecision },
      ...(landedPrecision > 0 ? { ratio: precision / landedPrecision } : {}),
      notes: `higher is better; ${t.findings} v2 findings vs ${a.findings} landed; ${note}`,
    });
  }
  for (const [label, totals] of [
    ["landed", byRuleLanded],
    ["v2", byRule],
  ] as const) {
    process.stdout.write(`    per rule (${label}): findings, precision, planted schemes it fires at\n`);
    for (const [rule, t] of [...totals].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
      process.stdout.write(
        `      ${rule.padEnd(28)} ${String(t.findings).padStart(5)}  ${fmt(t.findings ? t.tp / t.findings : 1)}  ${t.caught.size}\n`,
      );
  }
  out.push({
    name: `audit v2 rules engine on generated traffic (${auditRulesV2.length} rules)`,
    unit: "events/s",
    value: Math.round(events / seconds),
    notes: `${events} events; for scale (no anchor)`,
  });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await run({ quick: process.argv.includes("--quick") });
  if (process.argv.includes("--json")) process.stdout.write(`${JSON.stringify({ results }, null, 2)}\n`);
  process.exit(0);
}
