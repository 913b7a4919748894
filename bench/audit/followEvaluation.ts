/**
 * `keytrail audit --follow`: the rule work per poll with new events, without a chain, at a given
 * history size: the incremental session taking one new block (then its end-of-replay reports)
 * against every rule re-run over the whole history (the watch as first released), same events,
 * same run. Generated traffic (bench/audit/_auditTraffic.ts), Audit v2 rules.
 *
 *   npx tsx bench/audit/followEvaluation.ts [days…]
 */
import { auditEvents, createAuditSession } from "../../audit/rules/auditEvents.js";
import { auditRulesV2 } from "../../audit/rules/auditRulesV2.js";
import { generateAuditTraffic } from "./_auditTraffic.js";

const days = process.argv.slice(2).map(Number);
for (const d of days.length ? days : [45, 400]) {
  const { events } = generateAuditTraffic({ seed: 1, days: d });
  const lastBlock = events.at(-1)!.blockNumber;
  // The last 20 blocks with events arrive one poll each.
  const blocks = [...new Set(events.map((e) => e.blockNumber))].slice(-20);
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
  process.stdout.write(
    `${events.length} events (to block ${lastBlock}): per poll, incremental ${(inc / blocks.length).toFixed(2)} ms, ` +
      `re-run ${(rerun / blocks.length).toFixed(1)} ms, ratio ${(inc / rerun).toFixed(4)}\n`,
  );
}
