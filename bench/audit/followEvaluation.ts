/**
 * `keytrail audit --follow`: the rule work per poll with new events, without a chain, at a given
 * history size: the incremental session taking one new block (then its end-of-replay reports)
 * against every rule re-run over the whole history (the watch as first released), same events,
 * same run. Generated traffic (bench/audit/_auditTraffic.ts), Audit v2 rules.
 *
 * Part of `npm run bench` (45 and 400 days of traffic; 45 with --quick), or alone:
 *
 *   npx tsx bench/audit/followEvaluation.ts [days…]
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { auditEvents, createAuditSession } from "../../audit/rules/auditEvents.js";
import { auditRulesV2 } from "../../audit/rules/auditRulesV2.js";
import type { BenchOptions, BenchResult } from "../types.js";
import { generateAuditTraffic } from "./_auditTraffic.js";

/** The last 20 blocks with events arrive one poll each. */
const POLLS = 20;

type Measured = { events: number; lastBlock: bigint; incrementalMs: number; rerunMs: number };

/** Mean rule work per poll over the last {@link POLLS} blocks of `days` of generated traffic. */
function measure(days: number): Measured {
  if (!Number.isSafeInteger(days) || days < 1) throw new Error(`days must be a positive integer, got ${days}`);
  const { events } = generateAuditTraffic({ seed: 1, days });
  const lastBlock = events.at(-1)!.blockNumber;
  const blocks = [...new Set(events.map((e) => e.blockNumber))].slice(-POLLS);
  const cut = events.findIndex((e) => e.blockNumber === blocks[0]);
  const session = createAuditSession({ rules: auditRulesV2, facts: false });
  session.push(events.slice(0, cut));
  session.finish();
  let inc = 0;
  let rerun = 0;
  for (const b of blocks) {
    const upTo = events.findLastIndex((e) => e.blockNumber === b) + 1;
    const fresh = events.slice(
      events.findIndex((e) => e.blockNumber === b),
      upTo,
    );
    let t = performance.now();
    session.push(fresh);
    session.finish();
    inc += performance.now() - t;
    t = performance.now();
    auditEvents(events.slice(0, upTo), { rules: auditRulesV2 });
    rerun += performance.now() - t;
  }
  return { events: events.length, lastBlock, incrementalMs: inc / blocks.length, rerunMs: rerun / blocks.length };
}

/**
 * Runs the benchmark at 45 and 400 days of traffic (45 only with `quick`).
 *
 * @param opts - quick: the smaller history only
 * @returns one row per history size, with the re-run watch as the anchor
 */
export async function run(opts: BenchOptions = {}): Promise<BenchResult[]> {
  return (opts.quick ? [45] : [45, 400]).map((days) => {
    const m = measure(days);
    return {
      name: `audit --follow: rule work per poll with new events at ${m.events.toLocaleString("en-US")} prior events (no chain)`,
      unit: "ms",
      value: m.incrementalMs,
      anchor: { name: "the re-run watch (every rule over the whole history per poll), same events", value: m.rerunMs },
      ratio: m.incrementalMs / m.rerunMs,
      notes: `lower is better; ${days} days of generated traffic to block ${m.lastBlock}, Audit v2 rules, mean of the last ${POLLS} blocks`,
    };
  });
}

// Run alone: `npx tsx bench/audit/followEvaluation.ts [days…]` (npm run bench imports it for `run`).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const days = process.argv.slice(2).map(Number);
  for (const d of days.length ? days : [45, 400]) {
    const m = measure(d);
    process.stdout.write(
      `${m.events} events (to block ${m.lastBlock}): per poll, incremental ${m.incrementalMs.toFixed(2)} ms, ` +
        `re-run ${m.rerunMs.toFixed(1)} ms, ratio ${(m.incrementalMs / m.rerunMs).toFixed(4)}\n`,
    );
  }
}
