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
  const options = resolveAuditOptions(parameters);
  const rules = parameters.rules ?? auditRules;
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
  const raw: { rule: AuditRule; order: number; draft: FindingDraft; at: LedgerEvent | null }[] = [];
  let order = 0;

  const collect = (rule: AuditRule, drafts: FindingDraft[], at: LedgerEvent | null) => {
    for (const d of drafts) raw.push({ rule, order: order++, draft: d, at: d.at ?? at });
  };

  for (const event of events) {
    const input = { event, state: draft as LedgerState, history, options };
    for (const [rule, inst] of instances) collect(rule, inst.check(input), event);
    gatherFacts(event, draft, facts, anchoredAt);
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
  }
  for (const [rule, inst] of instances) if (inst.finish) collect(rule, inst.finish(draft), null);
  followRekeys(events, facts, raw);

  raw.sort((a, b) => {
    const ab = a.at ? Number(a.at.blockNumber) : Number.MAX_SAFE_INTEGER;
    const bb = b.at ? Number(b.at.blockNumber) : Number.MAX_SAFE_INTEGER;
    if (ab !== bb) return ab - bb;
    const al = a.at?.logIndex ?? 0;
    const bl = b.at?.logIndex ?? 0;
    return al !== bl ? al - bl : a.order - b.order;
  });
  const seen = new Map<string, number>();
  const findings: AuditFinding[] = raw.map(({ rule, draft: d, at }) => {
    const base = at ? `${rule.id}@${at.blockNumber}.${at.logIndex}` : `${rule.id}@end`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    const { at: _at, severity, ...rest } = d;
    return {
      id: n === 0 ? base : `${base}.${n}`,
      ruleId: rule.id,
      severity: severity ?? rule.severity,
      ...rest,
      keys: rangeKeys(rest.ranges),
      blockNumber: at ? Number(at.blockNumber) : Number(draft.last?.blockNumber ?? 0n),
      timestamp: at ? Number(at.timestamp) : Number(draft.last?.timestamp ?? 0n),
      txHash: at ? at.txHash : (("0x" + "0".repeat(64)) as Hex),
    };
  });
  const ack = new Set(parameters.acknowledged ?? []);
  if (ack.size === 0) return { findings, acknowledged: [], facts, state: draft };
  return {
    findings: findings.filter((f) => !ack.has(f.id)),
    acknowledged: findings.filter((f) => ack.has(f.id)),
    facts,
    state: draft,
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
