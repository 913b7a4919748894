import type { Address, Hex } from "viem";
import { createLedgerState } from "../../lib/state/createLedgerState.js";
import { applyToDraft, type DraftLedgerState } from "../../lib/state/internal/applyToDraft.js";
import type { LedgerEvent, LedgerState } from "../../lib/state/types.js";
import type {
  AuditFacts,
  AuditOptions,
  AuditRule,
  FindingDraft,
  ResolvedAuditOptions,
  RuleInstance,
} from "../types.js";
import { auditRules } from "./auditRules.js";
import { createCustodyHistory } from "./internal/custodyHistory.js";
import { currencyText, isExpired, lc, popcount, rangeKeys } from "./internal/helpers.js";
import { assertNever } from "../../lib/errors/assertNever.js";
import type { AuditFinding } from "../../lib/formats/auditReport.js";

/** Defaults of the configurable thresholds. */
export const defaultAuditOptions: ResolvedAuditOptions = {
  largeTransferKeys: 10_000,
  largeTransferValue: { CNY: 500_000n },
  rapidHops: 4,
  rapidHopsWindowSeconds: 3_600,
  refundRate: 0.1,
  volumeLimitValue: { CNY: 1_000_000_000n, USD: 150_000_000n, EUR: 150_000_000n },
  volumeLimitKeys: 200_000,
  productLimits: {},
  volumeWindows: [
    { seconds: 3_600, factor: 1 },
    { seconds: 86_400, factor: 3 },
    { seconds: 604_800, factor: 10 },
  ],
  structuringBand: 0.8,
  structuringCount: 3,
  structuringWindowSeconds: 604_800,
  hopSpeedGrades: [
    { seconds: 3_600, severity: "high" },
    { seconds: 86_400, severity: "medium" },
    { seconds: 604_800, severity: "low" },
  ],
  parkingWindowSeconds: 604_800,
  refundWindowSeconds: 2_592_000,
  refundMinimum: 5,
  partyNames: {},
  gasFunding: null,
  ignoreFunders: [],
  funderMaxParties: 5,
};

/** Parameters of {@link auditEvents}. */
export type AuditEventsParameters = AuditOptions & {
  /** Rules to run (default: all of {@link auditRules}, the landed set; Audit v2: `auditRulesV2`). */
  rules?: readonly AuditRule[];
  /**
   * Ids of findings a regulator acknowledged (`keytrail audit --ack FILE`): left out of `findings`
   * and returned in `acknowledged` instead.
   */
  acknowledged?: Iterable<string>;
};

/** What {@link auditEvents} returns. */
export type AuditEventsReturnType = {
  findings: AuditFinding[];
  /** Findings whose id was in `acknowledged` (not in `findings`). */
  acknowledged: AuditFinding[];
  facts: AuditFacts;
  /** The ledger state after the last event (lib/state). */
  state: LedgerState;
};

/**
 * Runs the audit rules over decoded ledger events in chain order. Each rule sees every event
 * together with the state *before* it (rebuilt by lib/state's reducer, which never trusts the
 * contract to have refused anything) and the custody chain of every key; findings name the rule,
 * severity, batch, parties, key ranges and the transactions behind them. Also gathers the chain
 * facts scorecards are computed from.
 *
 * @param events Decoded logs (lib/state `LedgerEvent`) sorted by (blockNumber, logIndex).
 * @param parameters Thresholds (see `AuditOptions`) and optionally the rules to run.
 * @returns Findings sorted by chain position, facts, and the final state.
 * @example
 * const { findings } = auditEvents(events, { largeTransferValue: { CNY: 500_000n } });
 */
export function auditEvents(
  events: Iterable<LedgerEvent>,
  parameters: AuditEventsParameters = {},
): AuditEventsReturnType {
  const session = createAuditSession(parameters);
  const drafts: RawFinding[] = [];
  for (const event of events) session.step(event, drafts);
  session.finishInto(drafts);
  followRekeys(events, session.facts, drafts);
  const findings = session.name(drafts);
  const ack = new Set(parameters.acknowledged ?? []);
  if (ack.size === 0) return { findings, acknowledged: [], facts: session.facts, state: session.state };
  return {
    findings: findings.filter((f) => !ack.has(f.id)),
    acknowledged: findings.filter((f) => ack.has(f.id)),
    facts: session.facts,
    state: session.state,
  };
}

/** A finding as a rule reported it, before the engine names it (id, position, keys). */
export type RawFinding = { rule: AuditRule; order: number; draft: FindingDraft; at: LedgerEvent | null };

/** Parameters of {@link createAuditSession}. */
export type AuditSessionParameters = AuditEventsParameters & {
  /** Gather the chain facts scorecards are computed from (default true; they grow with the history). */
  facts?: boolean;
};

/** An audit run that takes events as they come (see {@link createAuditSession}). */
export type AuditSession = {
  /** Checks the next events (chain order, whole transactions) and returns the findings reported at them. */
  push(events: Iterable<LedgerEvent>): AuditFinding[];
  /**
   * The findings the rules report at the end of a replay, as of now (pending per-transaction groups
   * flushed, end-of-replay aggregates): only once every transaction pushed is complete.
   */
  finish(): AuditFinding[];
  /** Checks one event, appending what the rules report to `out` (unnamed). */
  step(event: LedgerEvent, out: RawFinding[]): void;
  /** Appends the end-of-replay reports to `out` (unnamed). */
  finishInto(out: RawFinding[]): void;
  /** Sorts reports by chain position and names them (ids stay those of a whole-history run). */
  name(raw: RawFinding[]): AuditFinding[];
  /** The ledger state after the last event pushed. */
  readonly state: LedgerState;
  /** The chain facts gathered (empty lists with `facts: false`). */
  readonly facts: AuditFacts;
};

/**
 * The rule engine as a session: each rule keeps its rolling state between calls and consumes only
 * the new events, so `keytrail audit --follow` pays per new event, not per event of the history.
 * `auditEvents(events)` is `push(events)` then `finish()` on one session, and a session fed the
 * same events in several pushes (each ending on a whole transaction) reports the same findings
 * with the same ids.
 *
 * @param parameters Thresholds, rules, and whether to gather scorecard facts.
 * @returns The session.
 * @example
 * const s = createAuditSession({ rules: auditRulesV2, facts: false });
 * const fresh = [...s.push(newEvents), ...s.finish()];
 */
export function createAuditSession(parameters: AuditSessionParameters = {}): AuditSession {
  const options = resolveAuditOptions(parameters);
  const rules = parameters.rules ?? auditRules;
  const gather = parameters.facts ?? true;
  const instances: [AuditRule, RuleInstance][] = rules.map((r) => [r, r.create(options)]);
  const empty = createLedgerState();
  const draft: DraftLedgerState = {
    parties: new Map(),
    rekeyProposals: new Map(),
    authorizations: new Map(),
    redeemers: new Map(),
    batches: new Map(),
    roles: new Map(),
    eventCount: empty.eventCount,
    last: empty.last,
  };
  // The engine owns every container of its draft, so it applies events in place (copying nothing).
  const owned = { has: () => true, add: () => undefined } as unknown as Set<object>;
  const history = createCustodyHistory();
  const facts: AuditFacts = {
    registrations: [],
    anchors: [],
    hops: [],
    revocations: [],
    sales: [],
    refunds: [],
    redemptions: [],
  };
  const anchoredAt = new Map<Hex, bigint>();
  let order = 0;
  // How many findings of one rule were named at one position ("<rule>@<block>.<logIndex>"): the
  // n-th gets ".n". Kept for the recent blocks only (rules report at the event being checked or at
  // the first event of its transaction).
  const seen = new Map<string, { n: number; block: number }>();
  // Re-keys seen so far: a finding's supplier is the party's current account.
  const next = new Map<Address, Address>();

  const collect = (rule: AuditRule, drafts: FindingDraft[], at: LedgerEvent | null, out: RawFinding[]) => {
    for (const d of drafts) out.push({ rule, order: order++, draft: d, at: d.at ?? at });
  };
  const step = (event: LedgerEvent, out: RawFinding[]) => {
    const input = { event, state: draft as LedgerState, history, options };
    for (const [rule, inst] of instances) collect(rule, inst.check(input), event, out);
    if (gather) gatherFacts(event, draft, facts, anchoredAt);
    else if (event.eventName === "BatchAnchored" && !draft.batches.has(lc(event.args.batchId)))
      anchoredAt.set(lc(event.args.batchId), event.timestamp);
    if (event.eventName === "PartyRekeyed") next.set(lc(event.args.oldAccount), lc(event.args.newAccount));
    const hop = {
      timestamp: Number(event.timestamp),
      blockNumber: Number(event.blockNumber),
      logIndex: event.logIndex,
      txHash: event.txHash,
    };
    if (event.eventName === "BatchAnchored" && !draft.batches.has(lc(event.args.batchId))) {
      history.anchor(lc(event.args.batchId), Number(event.args.count), {
        ...hop,
        from: null,
        to: lc(event.args.supplier),
      });
    }
    if (event.eventName === "CustodyTransferred") {
      history.append(lc(event.args.batchId), Number(event.args.start), Number(event.args.end), {
        ...hop,
        from: lc(event.args.from),
        to: lc(event.args.to),
      });
    }
    applyToDraft(draft, owned, event);
  };
  const finishInto = (out: RawFinding[]) => {
    for (const [rule, inst] of instances) if (inst.finish) collect(rule, inst.finish(draft), null, out);
  };
  const name = (raw: RawFinding[]): AuditFinding[] => {
    raw.sort((a, b) => {
      const ab = a.at ? Number(a.at.blockNumber) : Number.MAX_SAFE_INTEGER;
      const bb = b.at ? Number(b.at.blockNumber) : Number.MAX_SAFE_INTEGER;
      if (ab !== bb) return ab - bb;
      const al = a.at?.logIndex ?? 0;
      const bl = b.at?.logIndex ?? 0;
      return al !== bl ? al - bl : a.order - b.order;
    });
    const lastBlock = Number(draft.last?.blockNumber ?? 0n);
    const named = raw.map(({ rule, draft: d, at }) => {
      const base = at ? `${rule.id}@${at.blockNumber}.${at.logIndex}` : `${rule.id}@end`;
      const s = seen.get(base) ?? { n: 0, block: at ? Number(at.blockNumber) : Number.MAX_SAFE_INTEGER };
      const n = s.n;
      s.n++;
      seen.set(base, s);
      const { at: _at, severity, ...rest } = d;
      return {
        id: n === 0 ? base : `${base}.${n}`,
        ruleId: rule.id,
        severity: severity ?? rule.severity,
        ...rest,
        keys: rangeKeys(rest.ranges),
        blockNumber: at ? Number(at.blockNumber) : lastBlock,
        timestamp: at ? Number(at.timestamp) : Number(draft.last?.timestamp ?? 0n),
        txHash: at ? at.txHash : (("0x" + "0".repeat(64)) as Hex),
      };
    });
    // Positions of blocks before the last one are done: forget their counters (bounded memory).
    for (const [k, v] of seen) if (v.block < lastBlock) seen.delete(k);
    return named;
  };
  const current = (a: Address): Address => {
    let x = a;
    for (let hops = 0; next.has(x) && hops <= next.size; hops++) x = next.get(x)!;
    return x;
  };
  const withCurrentSupplier = (raw: RawFinding[]) => {
    if (next.size > 0) for (const { draft: d } of raw) if (d.supplier) d.supplier = current(d.supplier);
    return raw;
  };
  return {
    push(events) {
      const raw: RawFinding[] = [];
      for (const event of events) step(event, raw);
      return name(withCurrentSupplier(raw));
    },
    finish() {
      const raw: RawFinding[] = [];
      finishInto(raw);
      // End-of-replay reports are recomputed on every call: their counters start afresh each time.
      for (const k of [...seen.keys()]) if (k.endsWith("@end")) seen.delete(k);
      const named = name(withCurrentSupplier(raw));
      for (const k of [...seen.keys()]) if (k.endsWith("@end")) seen.delete(k);
      return named;
    },
    step,
    finishInto,
    name,
    state: draft as LedgerState,
    facts,
  };
}

/** {@link AuditOptions} with every threshold not given set to its default ({@link defaultAuditOptions}). */
export function resolveAuditOptions(parameters: AuditOptions): ResolvedAuditOptions {
  const out = { ...defaultAuditOptions };
  for (const k of Object.keys(defaultAuditOptions) as (keyof ResolvedAuditOptions)[]) {
    if (parameters[k] !== undefined) (out as Record<string, unknown>)[k] = parameters[k];
  }
  return out;
}

/**
 * Scorecards follow a party through re-keys: the supplier and seller accounts in the facts, and
 * the supplier a finding is charged to, become the party's current account (evidence and the
 * parties named in findings keep the accounts of the time).
 */
function followRekeys(events: Iterable<LedgerEvent>, facts: AuditFacts, raw: { draft: FindingDraft }[]): void {
  const next = new Map<Address, Address>();
  for (const e of events) if (e.eventName === "PartyRekeyed") next.set(lc(e.args.oldAccount), lc(e.args.newAccount));
  if (next.size === 0) return;
  const current = (a: Address): Address => {
    let x = a;
    for (let hops = 0; next.has(x) && hops <= next.size; hops++) x = next.get(x)!;
    return x;
  };
  for (const r of facts.registrations) r.party = current(r.party);
  for (const list of [facts.anchors, facts.hops, facts.revocations, facts.redemptions]) {
    for (const f of list) f.supplier = current(f.supplier);
  }
  for (const f of [...facts.sales, ...facts.refunds]) {
    f.supplier = current(f.supplier);
    f.seller = current(f.seller);
  }
  for (const { draft } of raw) if (draft.supplier) draft.supplier = current(draft.supplier);
}

function gatherFacts(
  event: LedgerEvent,
  state: DraftLedgerState,
  facts: AuditFacts,
  anchoredAt: Map<Hex, bigint>,
): void {
  const at = { timestamp: Number(event.timestamp), blockNumber: Number(event.blockNumber) };
  switch (event.eventName) {
    case "PartyRegistered":
      if (!state.parties.has(lc(event.args.party)))
        facts.registrations.push({ party: lc(event.args.party), kind: Number(event.args.kind), ...at });
      break;
    case "BatchAnchored": {
      const batchId = lc(event.args.batchId);
      if (state.batches.has(batchId)) break;
      anchoredAt.set(batchId, event.timestamp);
      facts.anchors.push({
        batchId,
        supplier: lc(event.args.supplier),
        keys: Number(event.args.count),
        faceValue: event.args.faceValue,
        currency: currencyText(event.args.currency),
        ...at,
      });
      break;
    }
    case "CustodyTransferred": {
      const batchId = lc(event.args.batchId);
      const b = state.batches.get(batchId);
      if (!b) break;
      const supplier = b.record.supplier;
      const to = lc(event.args.to);
      const auth = state.authorizations.get(`${supplier}:${to}`);
      facts.hops.push({
        batchId,
        supplier,
        from: lc(event.args.from),
        to,
        keys: Number(event.args.end > event.args.start ? event.args.end - event.args.start : 0n),
        authorised: to === supplier || (auth !== undefined && !isExpired(auth.expiresAt, event.timestamp)),
        txHash: event.txHash,
        ...at,
      });
      break;
    }
    case "KeysRevoked": {
      const batchId = lc(event.args.batchId);
      const b = state.batches.get(batchId);
      if (!b) break;
      facts.revocations.push({
        batchId,
        supplier: b.record.supplier,
        by: lc(event.args.by),
        keys: Number(event.args.end > event.args.start ? event.args.end - event.args.start : 0n),
        reason: Number(event.args.reason),
        ...at,
      });
      break;
    }
    case "KeysRedeemed": {
      const batchId = lc(event.args.batchId);
      const b = state.batches.get(batchId);
      if (!b) break;
      const fresh = event.args.mask & ~(b.redeemed.get(event.args.wordIndex) ?? 0n);
      facts.redemptions.push({
        batchId,
        supplier: b.record.supplier,
        by: lc(event.args.by),
        keys: popcount(fresh),
        secondsSinceAnchor: Number(event.timestamp - (anchoredAt.get(batchId) ?? event.timestamp)),
        ...at,
      });
      break;
    }
    case "KeysSold": {
      const batchId = lc(event.args.batchId);
      const b = state.batches.get(batchId);
      if (!b) break;
      facts.sales.push({
        batchId,
        supplier: b.record.supplier,
        seller: lc(event.args.seller),
        saleNo: event.args.saleNo,
        keys: event.args.indices.length,
        ...at,
      });
      break;
    }
    case "SaleRefunded": {
      const batchId = lc(event.args.batchId);
      const b = state.batches.get(batchId);
      if (!b) break;
      facts.refunds.push({
        batchId,
        supplier: b.record.supplier,
        seller: lc(event.args.seller),
        saleNo: event.args.saleNo,
        index: Number(event.args.index),
        ...at,
      });
      break;
    }
    // No fact for the scorecards in these.
    case "DistributorAuthorized":
    case "DistributorDeauthorized":
    case "KeysReinstated":
    case "PartyReinstated":
    case "PartySuspended":
    case "PartyUpdated":
    case "RedeemerSet":
    case "RoleAdminChanged":
    case "RoleGranted":
    case "RoleRevoked":
    case "RekeyProposed":
    case "PartyRekeyed":
    case "DefaultAdminDelayChangeCanceled":
    case "DefaultAdminDelayChangeScheduled":
    case "DefaultAdminTransferCanceled":
    case "DefaultAdminTransferScheduled":
      break;
    default:
      assertNever(event, "ledger event");
  }
}
