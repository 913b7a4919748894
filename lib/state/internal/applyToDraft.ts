import type { Address, Hex } from "viem";
import type {
  AuthorizationRecord,
  BatchState,
  SegmentRecord,
  LedgerEvent,
  LedgerState,
  PartyRecord,
  RedeemerRecord,
  RekeyProposalRecord,
  SaleRecord,
} from "../types.js";
import { assignRange } from "./assignRange.js";
import { assertNever } from "../../errors/assertNever.js";

/** A state whose containers the current apply call owns (copied from its input). */
export type DraftLedgerState = {
  parties: Map<Address, PartyRecord>;
  rekeyProposals: Map<Address, RekeyProposalRecord>;
  authorizations: Map<string, AuthorizationRecord>;
  redeemers: Map<string, RedeemerRecord>;
  batches: Map<Hex, BatchState>;
  roles: Map<Hex, ReadonlySet<Address>>;
  eventCount: number;
  last: LedgerState["last"];
};

const lower = <T extends string>(s: T): T => s.toLowerCase() as T;

/** Copy-on-write access to a batch: copies it once per apply call. */
function ownBatch(draft: DraftLedgerState, owned: Set<object>, batchId: Hex): BatchState | undefined {
  const bs = draft.batches.get(batchId);
  if (!bs) return undefined;
  if (owned.has(bs)) return bs;
  const copy: BatchState = {
    record: bs.record,
    segments: bs.segments.slice(),
    redeemed: new Map(bs.redeemed),
    sales: new Map(bs.sales),
  };
  owned.add(copy);
  draft.batches.set(batchId, copy);
  return copy;
}

/**
 * A confirmed re-key: the party record, custody, batch authority, sales (seller), authorisations
 * (both sides) and redeemers (supplier side: a redeemer is an account, not a party) of
 * `oldAccount` move to `newAccount`, as they follow the party id in the contract; the pending
 * proposal of `oldAccount` is dropped. O(state): re-keys are rare.
 */
function rekey(draft: DraftLedgerState, owned: Set<object>, oldAccount: Address, newAccount: Address): void {
  draft.rekeyProposals.delete(oldAccount);
  const p = draft.parties.get(oldAccount);
  if (!p) return;
  draft.parties.delete(oldAccount);
  draft.parties.set(newAccount, { ...p, address: newAccount });
  for (const [key, a] of [...draft.authorizations]) {
    if (a.supplier !== oldAccount && a.distributor !== oldAccount) continue;
    const next = {
      ...a,
      supplier: a.supplier === oldAccount ? newAccount : a.supplier,
      distributor: a.distributor === oldAccount ? newAccount : a.distributor,
    };
    draft.authorizations.delete(key);
    draft.authorizations.set(`${next.supplier}:${next.distributor}`, next);
  }
  for (const [key, r] of [...draft.redeemers]) {
    if (r.supplier !== oldAccount) continue;
    draft.redeemers.delete(key);
    draft.redeemers.set(`${newAccount}:${r.redeemer}`, { supplier: newAccount, redeemer: r.redeemer });
  }
  for (const [batchId, b] of [...draft.batches]) {
    const touches =
      b.record.supplier === oldAccount ||
      b.segments.some((s) => s.holder === oldAccount) ||
      [...b.sales.values()].some((x) => x.seller === oldAccount);
    if (!touches) continue;
    const bs = ownBatch(draft, owned, batchId)!;
    if (bs.record.supplier === oldAccount) bs.record = { ...bs.record, supplier: newAccount };
    for (let i = 0; i < bs.segments.length; i++) {
      const s = bs.segments[i]!;
      if (s.holder === oldAccount) bs.segments[i] = { ...s, holder: newAccount };
    }
    for (const [no, x] of bs.sales) if (x.seller === oldAccount) bs.sales.set(no, { ...x, seller: newAccount });
  }
}

/**
 * Applies one event to a draft the caller owns. Lenient by design: an event the contract would
 * never emit (unknown batch, range not held, out of bounds) is applied as far as it makes sense
 * (unknown batches and parties are ignored, ranges clamped) and never throws — judging such
 * events is the audit rules' job, not the reducer's.
 *
 * @param draft State containers owned by the caller.
 * @param owned Batch states already copied during this apply call.
 * @param event The decoded event.
 */
export function applyToDraft(draft: DraftLedgerState, owned: Set<object>, event: LedgerEvent): void {
  switch (event.eventName) {
    case "PartyRegistered": {
      const a = event.args;
      const address = lower(a.party);
      draft.parties.set(address, {
        address,
        id: Number(a.id),
        kind: Number(a.kind),
        suspended: false,
        suspendedByRegulator: false,
        accreditedUntil: a.accreditedUntil,
        profileHash: lower(a.profileHash),
        profileURI: a.profileURI,
      });
      break;
    }
    case "PartyUpdated": {
      const a = event.args;
      const address = lower(a.party);
      const p = draft.parties.get(address);
      if (p) {
        draft.parties.set(address, {
          ...p,
          profileHash: lower(a.profileHash),
          profileURI: a.profileURI,
          accreditedUntil: a.accreditedUntil,
        });
      }
      break;
    }
    case "PartySuspended": {
      const address = lower(event.args.party);
      const p = draft.parties.get(address);
      if (p) draft.parties.set(address, { ...p, suspended: true, suspendedByRegulator: event.args.byRegulator });
      break;
    }
    case "PartyReinstated": {
      const address = lower(event.args.party);
      const p = draft.parties.get(address);
      if (p) draft.parties.set(address, { ...p, suspended: false, suspendedByRegulator: false });
      break;
    }
    case "RekeyProposed": {
      const a = event.args;
      const oldAccount = lower(a.oldAccount);
      draft.rekeyProposals.set(oldAccount, {
        oldAccount,
        newAccount: lower(a.newAccount),
        proposer: lower(a.proposer),
      });
      break;
    }
    case "PartyRekeyed":
      rekey(draft, owned, lower(event.args.oldAccount), lower(event.args.newAccount));
      break;
    case "DistributorAuthorized": {
      const a = event.args;
      const supplier = lower(a.supplier);
      const distributor = lower(a.distributor);
      draft.authorizations.set(`${supplier}:${distributor}`, {
        supplier,
        distributor,
        tier: Number(a.tier),
        expiresAt: a.expiresAt,
        certificateHash: lower(a.certificateHash),
      });
      break;
    }
    case "DistributorDeauthorized":
      draft.authorizations.delete(`${lower(event.args.supplier)}:${lower(event.args.distributor)}`);
      break;
    case "RedeemerSet": {
      const supplier = lower(event.args.supplier);
      const redeemer = lower(event.args.redeemer);
      const key = `${supplier}:${redeemer}`;
      if (event.args.allowed) draft.redeemers.set(key, { supplier, redeemer });
      else draft.redeemers.delete(key);
      break;
    }
    case "BatchAnchored": {
      const a = event.args;
      const batchId = lower(a.batchId);
      if (draft.batches.has(batchId)) break; // the contract rejects a second anchor; the audit flags it
      const supplier = lower(a.supplier);
      const bs: BatchState = {
        record: {
          batchId,
          supplier,
          label: a.label,
          root: lower(a.root),
          count: a.count,
          productId: lower(a.productId),
          faceValue: a.faceValue,
          currency: lower(a.currency),
          expiresAt: a.expiresAt,
          restricted: a.restricted,
          saleRequired: a.saleRequired,
          manifestHash: lower(a.manifestHash),
          manifestURI: a.manifestURI,
        },
        segments:
          a.count > 0n
            ? [
                {
                  start: 0n,
                  end: a.count,
                  holder: supplier,
                  regulatorReason: 0,
                  supplierReason: 0,
                  saleNo: 0,
                  refunded: false,
                },
              ]
            : [],
        redeemed: new Map(),
        sales: new Map(),
      };
      owned.add(bs);
      draft.batches.set(batchId, bs);
      break;
    }
    case "CustodyTransferred": {
      const a = event.args;
      const bs = ownBatch(draft, owned, lower(a.batchId));
      const to = lower(a.to);
      if (bs) assignRange(bs.segments, a.start, a.end, (s) => (s.holder === to ? s : { ...s, holder: to }));
      break;
    }
    case "KeysRevoked": {
      // A regulator writes the regulator layer, the supplier (or a refund) the supplier layer.
      const a = event.args;
      const reason = Number(a.reason);
      const bs = ownBatch(draft, owned, lower(a.batchId));
      if (bs && a.byRegulator) {
        assignRange(bs.segments, a.start, a.end, (s) =>
          s.regulatorReason === reason ? s : { ...s, regulatorReason: reason },
        );
      } else if (bs) {
        assignRange(bs.segments, a.start, a.end, (s) =>
          s.supplierReason === reason ? s : { ...s, supplierReason: reason },
        );
      }
      break;
    }
    case "KeysReinstated": {
      // A regulator lifts both layers, the supplier only its own.
      const a = event.args;
      const bs = ownBatch(draft, owned, lower(a.batchId));
      if (bs && a.byRegulator) {
        assignRange(bs.segments, a.start, a.end, (s) =>
          s.regulatorReason === 0 && s.supplierReason === 0 ? s : { ...s, regulatorReason: 0, supplierReason: 0 },
        );
      } else if (bs) {
        assignRange(bs.segments, a.start, a.end, (s) => (s.supplierReason === 0 ? s : { ...s, supplierReason: 0 }));
      }
      break;
    }
    case "KeysSold": {
      const a = event.args;
      const bs = ownBatch(draft, owned, lower(a.batchId));
      if (!bs || bs.sales.has(a.saleNo)) break; // sale numbers are unique per batch; the audit flags a repeat
      const sale: SaleRecord = {
        saleNo: a.saleNo,
        seller: lower(a.seller),
        soldAt: a.soldAt,
        root: lower(a.root),
        store: lower(a.context.store),
        terminal: lower(a.context.terminal),
        amount: a.context.amount,
        currency: lower(a.context.currency),
        items: a.indices.map((index, i) => ({
          index,
          commitment: lower(a.commitments[i] ?? "0x"),
          orderRef: lower(a.orderRefs[i] ?? "0x"),
        })),
      };
      bs.sales.set(a.saleNo, sale);
      // Point every listed key at the sale, one range per run of consecutive indices.
      const saleNo = a.saleNo;
      const point = (s: SegmentRecord) => (s.saleNo === saleNo && !s.refunded ? s : { ...s, saleNo, refunded: false });
      let runStart: bigint | undefined;
      let runEnd = 0n;
      for (const index of a.indices) {
        if (runStart !== undefined && index === runEnd) {
          runEnd += 1n;
          continue;
        }
        if (runStart !== undefined) assignRange(bs.segments, runStart, runEnd, point);
        runStart = index;
        runEnd = index + 1n;
      }
      if (runStart !== undefined) assignRange(bs.segments, runStart, runEnd, point);
      break;
    }
    case "SaleRefunded": {
      // The key's sale pointer is marked refunded; its `Refunded` freeze comes as KeysRevoked.
      const a = event.args;
      const bs = ownBatch(draft, owned, lower(a.batchId));
      if (bs) assignRange(bs.segments, a.index, a.index + 1n, (s) => (s.refunded ? s : { ...s, refunded: true }));
      break;
    }
    case "KeysRedeemed": {
      const a = event.args;
      const bs = ownBatch(draft, owned, lower(a.batchId));
      if (bs) bs.redeemed.set(a.wordIndex, (bs.redeemed.get(a.wordIndex) ?? 0n) | a.mask);
      break;
    }
    case "RoleGranted":
    case "RoleRevoked": {
      const role = lower(event.args.role);
      const account = lower(event.args.account);
      const next = new Set(draft.roles.get(role) ?? []);
      if (event.eventName === "RoleGranted") next.add(account);
      else next.delete(account);
      draft.roles.set(role, next);
      break;
    }
    case "RoleAdminChanged":
    case "DefaultAdminDelayChangeCanceled":
    case "DefaultAdminDelayChangeScheduled":
    case "DefaultAdminTransferCanceled":
    case "DefaultAdminTransferScheduled":
      // The admin handover shows in RoleGranted / RoleRevoked of DEFAULT_ADMIN_ROLE when accepted.
      break;
    default:
      assertNever(event, "ledger event");
  }
  draft.eventCount += 1;
  const l = draft.last;
  if (!l || event.blockNumber > l.blockNumber || (event.blockNumber === l.blockNumber && event.logIndex > l.logIndex)) {
    draft.last = {
      blockNumber: event.blockNumber,
      logIndex: event.logIndex,
      blockHash: lower(event.blockHash),
      timestamp: event.timestamp,
    };
  }
}
