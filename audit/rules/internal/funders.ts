import type { Address } from "viem";
import type { LedgerEvent } from "../../../lib/state/types.js";
import type { Evidence } from "../../../lib/formats/auditReport.js";
import type { GasFunding, ResolvedAuditOptions } from "../../types.js";
import { lc } from "./helpers.js";

/** The evidence record of a funding transaction (a plain transaction: no log, logIndex -1). */
export function fundingEvidence(f: GasFunding): Evidence {
  return { txHash: f.txHash, blockNumber: f.blockNumber, logIndex: -1, timestamp: f.timestamp, event: "ValueTransfer" };
}

/** What {@link createFunderView} returns. */
export type FunderView = {
  /**
   * Takes the next event (before the rule looks at it): registers new party accounts and counts the
   * fundings mined up to its block. Returns the funders (not ignored) that have just passed
   * `funderMaxParties` parties.
   */
  observe(event: LedgerEvent): Address[];
  /** The account's funding when mined by now, else undefined. */
  funding(account: Address): GasFunding | undefined;
  /** Whether a funder links the parties it funded: not ignored, and at most `funderMaxParties` of them. */
  links(funder: Address): boolean;
  /** The party accounts a funder has funded by now, in funding order. */
  funded(funder: Address): GasFunding[];
};

/**
 * Gas funders of registered parties, as of the event being checked (docs/AUDIT.md, "Linked
 * identities"): a party account counts for its funder from the block of its funding on, so a run
 * over the whole history and `--follow` (which learns fundings block by block) see the same links.
 *
 * @param options The resolved options (`gasFunding`, `ignoreFunders`, `funderMaxParties`).
 * @returns The view, or null without funding data.
 */
export function createFunderView(options: ResolvedAuditOptions): FunderView | null {
  const sources = options.gasFunding;
  if (!sources) return null;
  const ignored = new Set(options.ignoreFunders.map(lc));
  const max = options.funderMaxParties;
  const registered = new Set<Address>();
  const queued = new Set<Address>();
  const pending: GasFunding[] = []; // by block, ascending
  const active = new Map<Address, GasFunding>();
  const byFunder = new Map<Address, GasFunding[]>();
  let knownSources = 0;
  const enqueue = (account: Address) => {
    const f = sources.get(account);
    if (!f || queued.has(account)) return;
    queued.add(account);
    let lo = 0;
    let hi = pending.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pending[mid]!.blockNumber <= f.blockNumber) lo = mid + 1;
      else hi = mid;
    }
    pending.splice(lo, 0, f);
  };
  return {
    observe(event) {
      // Fundings learnt since (a follower scans new blocks between events): queue registered accounts.
      if (sources.size !== knownSources) {
        knownSources = sources.size;
        for (const a of registered) enqueue(a);
      }
      const account =
        event.eventName === "PartyRegistered"
          ? lc(event.args.party)
          : event.eventName === "PartyRekeyed"
            ? lc(event.args.newAccount)
            : null;
      if (account && !registered.has(account)) {
        registered.add(account);
        enqueue(account);
      }
      const crossed: Address[] = [];
      const block = Number(event.blockNumber);
      while (pending.length > 0 && pending[0]!.blockNumber <= block) {
        const f = pending.shift()!;
        const funder = lc(f.funder);
        active.set(lc(f.account), f);
        const list = byFunder.get(funder) ?? [];
        list.push(f);
        byFunder.set(funder, list);
        if (list.length === max + 1 && !ignored.has(funder)) crossed.push(funder);
      }
      return crossed;
    },
    funding: (account) => active.get(lc(account)),
    links: (funder) => !ignored.has(lc(funder)) && (byFunder.get(lc(funder))?.length ?? 0) <= max,
    funded: (funder) => byFunder.get(lc(funder)) ?? [],
  };
}

/** The shared funder of two accounts, when it links them now (see {@link FunderView.links}). */
export function sharedFunder(view: FunderView | null, a: Address, b: Address): [GasFunding, GasFunding] | null {
  if (!view || lc(a) === lc(b)) return null;
  const fa = view.funding(a);
  const fb = view.funding(b);
  if (!fa || !fb || lc(fa.funder) !== lc(fb.funder) || !view.links(fa.funder)) return null;
  return [fa, fb];
}
