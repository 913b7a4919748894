import type { Address, Hex } from "viem";
import type {
  AuthorizationRecord,
  BatchState,
  LedgerEvent,
  LedgerState,
  PartyRecord,
  RedeemerRecord,
} from "../types.js";
import { assignRange } from "../../internal/assignRange.js";
import { assertNever } from "../../../errors/assertNever.js";

/** A state whose containers the current apply call owns (copied from its input). */
export type DraftLedgerState = {
  parties: Map<Address, PartyRecord>;
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
  const copy: BatchState = { record: bs.record, segments: bs.segments.slice(), redeemed: new Map(bs.redeemed) };
  owned.add(copy);
  draft.batches.set(batchId, copy);
  return copy;
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
        kind: Number(a.kind),
        suspended: false,
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
    case "PartySuspended":
    case "PartyReinstated": {
      const address = lower(event.args.party);
      const p = draft.parties.get(address);
      if (p) draft.parties.set(address, { ...p, suspended: event.eventName === "PartySuspended" });
      break;
    }
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
          manifestHash: lower(a.manifestHash),
          manifestURI: a.manifestURI,
        },
        segments: a.count > 0n ? [{ start: 0n, end: a.count, holder: supplier, frozenReason: 0 }] : [],
        redeemed: new Map(),
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
    case "KeysRevoked":
    case "KeysReinstated": {
      const a = event.args;
      const reason = event.eventName === "KeysRevoked" ? Number(event.args.reason) : 0;
      const bs = ownBatch(draft, owned, lower(a.batchId));
      if (bs)
        assignRange(bs.segments, a.start, a.end, (s) =>
          s.frozenReason === reason ? s : { ...s, frozenReason: reason },
        );
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
