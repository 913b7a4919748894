import type { Address, Hex } from "viem";
import { toSnapshot } from "../../lib/state/toSnapshot.js";
import type { LedgerEvent, LedgerSnapshot, LedgerState } from "../../lib/state/types.js";
import { toSnapshotV1 } from "../../lib/state/v1/toSnapshotV1.js";
import { compareSnapshots, digestOf } from "../replay/compareSnapshots.js";
import type { IndexerState } from "../replay/readIndexerState.js";
import { auditEvents, resolveAuditOptions, type AuditEventsParameters } from "../rules/auditEvents.js";
import { auditV2Options } from "../rules/auditV2Options.js";
import { auditRules } from "../rules/auditRules.js";
import { auditRulesV2 } from "../rules/auditRulesV2.js";
import { computeScorecards, SCORE_FORMULA } from "../scorecards/computeScorecards.js";
import { resolvePeriod } from "../scorecards/resolvePeriod.js";
import { computeScorecardHistory } from "../scorecards/computeScorecardHistory.js";
import { recentPeriods } from "../scorecards/recentPeriods.js";
import type { AuditFacts } from "../types.js";
import {
  AUDIT_REPORT_SCHEMA,
  type AuditFinding,
  type AuditReport,
  type EvidenceHop,
  type Severity,
} from "../../lib/formats/auditReport.js";

/** Parameters of {@link buildAuditReport}. */
export type BuildAuditReportParameters = AuditEventsParameters & {
  chain: {
    chainId: number;
    ledger: Address;
    fromBlock: bigint;
    toBlock: bigint;
    blockHash?: Hex | null;
    blockTimestamp?: bigint | null;
  };
  replay?: { rpcCalls: number; seconds: number };
  indexer?: IndexerState | null;
  /** Scorecard period ("YYYY-Qn", "YYYY", "all"; default: the quarter of the last event). */
  period?: string;
  /**
   * Version of the audited ledger (default 2). A version 1 ledger's digest is the version 1 state
   * digest (docs/STATE-DIGEST.md, history), the one its indexer reports.
   */
  ledgerVersion?: 1 | 2;
};

/** What {@link buildAuditReport} returns. */
export type BuildAuditReportReturnType = {
  report: AuditReport;
  state: LedgerState;
  snapshot: LedgerSnapshot;
  facts: AuditFacts;
};

/**
 * Builds the audit report from decoded events alone: runs the rules, rebuilds the state and its
 * digest, computes scorecards, flows and the anomaly timeline, and compares with the indexer
 * when one is given. Pure (no I/O), so synthetic event streams can be audited as well as a chain.
 *
 * @param events Decoded ledger events in chain order.
 * @param parameters Chain position, replay statistics, thresholds, period, indexer state.
 * @returns The report, the final state, its snapshot and the facts.
 * @example
 * const { report } = buildAuditReport(events, { chain: { chainId: 31337, ledger, fromBlock: 0n, toBlock: head } });
 */
export function buildAuditReport(
  events: readonly LedgerEvent[],
  parameters: BuildAuditReportParameters,
): BuildAuditReportReturnType {
  const rules = parameters.rules ?? auditRules;
  const { findings, acknowledged, facts, state } = auditEvents(events, parameters);
  const snapshot = toSnapshot(state);
  const digested = parameters.ledgerVersion === 1 ? toSnapshotV1(state) : snapshot;
  const digest = digestOf(digested);
  const lastTime = events.length ? Number(events[events.length - 1]!.timestamp) : 0;
  const period = resolvePeriod(parameters.period, lastTime);

  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of findings) bySeverity[f.severity]++;
  const flows = new Map<string, { from: Address; to: Address; transfers: number; keys: number }>();
  for (const h of facts.hops) {
    const k = `${h.from}:${h.to}`;
    const f = flows.get(k) ?? { from: h.from, to: h.to, transfers: 0, keys: 0 };
    f.transfers++;
    f.keys += h.keys;
    flows.set(k, f);
  }
  const days = new Map<string, { day: string; critical: number; high: number; medium: number; low: number }>();
  for (const f of findings) {
    const day = new Date(f.timestamp * 1000).toISOString().slice(0, 10);
    const d = days.get(day) ?? { day, critical: 0, high: 0, medium: 0, low: 0 };
    d[f.severity]++;
    days.set(day, d);
  }

  let indexer: AuditReport["indexer"] = null;
  if (parameters.indexer) {
    const ix = parameters.indexer;
    if (ix.snapshot) {
      indexer = {
        ...compareSnapshots(ix.snapshot.version === 1 ? toSnapshotV1(state) : snapshot, ix.snapshot),
        source: ix.label,
        block: Number(ix.block),
        snapshotAvailable: true,
      };
    } else {
      const indexerDigest = (ix.digest ?? "0x") as Hex;
      const match = indexerDigest === digest;
      indexer = {
        match,
        replayDigest: digest,
        indexerDigest,
        firstDivergence: match
          ? null
          : {
              kind: "batch",
              batchId: null,
              party: null,
              index: null,
              message:
                "The digests differ; the indexer API gives only its digest. Run the audit with --indexer-db to name the first diverging batch or party.",
              replay: digest,
              indexer: indexerDigest,
            },
        differences: match ? 0 : 1,
        source: ix.label,
        block: Number(ix.block),
        snapshotAvailable: false,
      };
    }
  }

  const seconds = parameters.replay?.seconds ?? 0;
  const report: AuditReport = {
    schema: AUDIT_REPORT_SCHEMA,
    chain: {
      chainId: parameters.chain.chainId,
      ledger: parameters.chain.ledger.toLowerCase() as Address,
      fromBlock: Number(parameters.chain.fromBlock),
      toBlock: Number(parameters.chain.toBlock),
      blockHash: parameters.chain.blockHash ?? null,
      blockTimestamp:
        parameters.chain.blockTimestamp === undefined || parameters.chain.blockTimestamp === null
          ? null
          : Number(parameters.chain.blockTimestamp),
    },
    replay: {
      events: events.length,
      rpcCalls: parameters.replay?.rpcCalls ?? 0,
      seconds,
      eventsPerSecond: seconds > 0 ? Math.round(events.length / seconds) : 0,
    },
    digest,
    indexer,
    options: {
      largeTransferKeys: parameters.largeTransferKeys ?? 10_000,
      largeTransferValue: Object.fromEntries(
        Object.entries(parameters.largeTransferValue ?? { CNY: 500_000n }).map(([c, v]) => [c, v.toString()]),
      ),
      rapidHops: parameters.rapidHops ?? 4,
      rapidHopsWindowSeconds: parameters.rapidHopsWindowSeconds ?? 3600,
      refundRate: parameters.refundRate ?? 0.1,
    },
    rules: rules.map((r) => ({
      id: r.id,
      title: r.title,
      severity: r.severity,
      description: r.description,
      enforcedByContract: r.enforcedByContract,
      findings: findings.filter((f) => f.ruleId === r.id).length,
    })),
    summary: {
      findings: findings.length,
      bySeverity,
      parties: snapshot.parties.length,
      batches: snapshot.batches.length,
      keys: snapshot.batches.reduce((n, b) => n + Number(b.count), 0),
      transfers: facts.hops.length,
      revocations: facts.revocations.length,
      redemptions: facts.redemptions.length,
    },
    findings,
    scorecards: { formula: SCORE_FORMULA, period, suppliers: computeScorecards(facts, findings, period) },
    flows: [...flows.values()].sort((a, b) => b.keys - a.keys || (a.from + a.to < b.from + b.to ? -1 : 1)),
    timeline: [...days.values()].sort((a, b) => (a.day < b.day ? -1 : 1)),
    scorecardHistory: computeScorecardHistory(facts, findings, recentPeriods(lastTime)),
    evidenceHops: evidenceHops(findings, facts),
  };
  if (rules === auditRulesV2) {
    report.ruleSet = "v2";
    report.options.v2 = auditV2Options(resolveAuditOptions(parameters));
  }
  if (parameters.acknowledged !== undefined)
    report.acknowledged = { count: acknowledged.length, ids: acknowledged.map((f) => f.id) };
  return { report, state, snapshot, facts };
}

/** The custody hops of the transactions cited as evidence by findings, in chain order. */
function evidenceHops(findings: readonly AuditFinding[], facts: AuditFacts): EvidenceHop[] {
  const cited = new Set<Hex>();
  for (const f of findings) {
    cited.add(f.txHash);
    for (const e of f.evidence) cited.add(e.txHash);
  }
  return facts.hops
    .filter((h) => cited.has(h.txHash))
    .map((h) => ({ txHash: h.txHash, blockNumber: h.blockNumber, from: h.from, to: h.to, keys: h.keys }));
}
