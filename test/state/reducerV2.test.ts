import { describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import { applyLedgerEvent } from "../../lib/state/applyLedgerEvent.js";
import { applyLedgerEvents } from "../../lib/state/applyLedgerEvents.js";
import { computeStateDigest } from "../../lib/state/computeStateDigest.js";
import { createLedgerState } from "../../lib/state/createLedgerState.js";
import { diffSnapshots } from "../../lib/state/diffSnapshots.js";
import { toSnapshot } from "../../lib/state/toSnapshot.js";
import { saleRoot } from "../../lib/sale/saleTree.js";
import { readLedgerEventsV2, seedV2Chain } from "../audit/helpers/seedV2Chain.js";

const lc = (a: string) => a.toLowerCase() as Address;

describe("lib/state v2 reducer against KeyLedgerV2", () => {
  it("rebuilds what the contract's views say: ids, re-keys, both freeze layers, sales, refunds", async () => {
    const { env, batches, sales, accounts } = await seedV2Chain();
    const events = await readLedgerEventsV2(env);
    const names = new Set(events.map((e) => e.eventName));
    for (const n of ["PartyRekeyed", "RekeyProposed", "KeysSold", "SaleRefunded", "KeysReinstated", "PartySuspended"]) {
      expect(names).toContain(n);
    }
    const state = applyLedgerEvents(createLedgerState(), events);
    const ledger = env.as(env.w.admin);

    // Parties: ids, suspension layers, the re-keyed records under their new accounts.
    const every = [...Object.values(env.w).map((x) => lc(x.account.address)), ...Object.values(accounts)];
    for (const account of every) {
      const [kind, id, suspended, suspendedByRegulator, accreditedUntil, profileHash] = await ledger.read.partyOf([
        account,
      ]);
      const p = state.parties.get(account);
      if (kind === 0) {
        expect(p, account).toBeUndefined();
        continue;
      }
      expect(p, account).toMatchObject({ id, kind, suspended, suspendedByRegulator, accreditedUntil, profileHash });
      const [newAccount, proposer] = await ledger.read.pendingRekeyOf([account]);
      const proposal = state.rekeyProposals.get(account);
      if (/^0x0+$/.test(newAccount)) expect(proposal).toBeUndefined();
      else expect(proposal).toEqual({ oldAccount: account, newAccount: lc(newAccount), proposer: lc(proposer) });
    }
    expect(state.parties.get(accounts.newSupplier)?.id).toBe(1);
    expect(state.parties.has(lc(env.addr(env.w.supplier)))).toBe(false);
    expect(state.rekeyProposals.size).toBe(1);

    // Authorisations and redeemers follow the supplier's id to its new account.
    for (const s of every) {
      for (const d of every) {
        const [tier, expiresAt, certificateHash] = await ledger.read.authorizationOf([s, d]);
        const rec = state.authorizations.get(`${s}:${d}`);
        if (tier === 0) expect(rec, `${s}:${d}`).toBeUndefined();
        else expect(rec).toEqual({ supplier: s, distributor: d, tier, expiresAt, certificateHash });
        expect(state.redeemers.has(`${s}:${d}`), `redeemer ${s}:${d}`).toBe(await ledger.read.isRedeemer([s, d]));
      }
    }
    expect(state.authorizations.get(`${accounts.newSupplier}:${accounts.newRetail}`)?.tier).toBe(1);

    // Every key of both batches: holder, both layers, sale pointer, redemption.
    let checked = 0;
    for (const batchId of [batches.a, batches.b]) {
      const bs = state.batches.get(batchId)!;
      expect(bs.record.supplier).toBe(accounts.newSupplier);
      const [, supplier, count, , restricted, saleRequired] = await ledger.read.batchOf([batchId]);
      expect({ supplier: lc(supplier), count, restricted, saleRequired }).toEqual({
        supplier: bs.record.supplier,
        count: bs.record.count,
        restricted: bs.record.restricted,
        saleRequired: bs.record.saleRequired,
      });
      for (let i = 0n; i < count; i++) {
        const st = await ledger.read.keyStatus([batchId, i]);
        const seg = bs.segments.find((s) => s.start <= i && i < s.end)!;
        const word = bs.redeemed.get(i / 256n) ?? 0n;
        const frozenReason = seg.regulatorReason !== 0 ? seg.regulatorReason : seg.supplierReason;
        expect(
          {
            holder: lc(st.holder),
            frozenReason: st.frozenReason,
            frozenByRegulator: st.frozenByRegulator,
            supplierReason: st.supplierReason,
            saleNo: st.saleNo,
            sold: st.sold,
            refunded: st.refunded,
            redeemed: st.redeemed,
          },
          `batch ${batchId} key ${i}`,
        ).toEqual({
          holder: seg.holder,
          frozenReason,
          frozenByRegulator: seg.regulatorReason !== 0,
          supplierReason: seg.supplierReason,
          saleNo: seg.saleNo,
          sold: seg.saleNo !== 0 && !seg.refunded,
          refunded: seg.refunded,
          redeemed: ((word >> (i % 256n)) & 1n) === 1n,
        });
        if (seg.saleNo !== 0) {
          const [, , saleNo, seller, soldAt, root] = await ledger.read.saleOf([batchId, i]);
          const sale = bs.sales.get(saleNo)!;
          // the ledger keeps the first 24 bytes of the root; the items are in the event only
          expect({ seller: lc(seller), soldAt, root }).toEqual({
            seller: sale.seller,
            soldAt: sale.soldAt,
            root: sale.root.slice(0, 50),
          });
        }
        checked++;
      }
    }
    expect(checked).toBe(400);

    // Sale records keep every item (commitment and order reference), the refunded sale included.
    const a = state.batches.get(batches.a)!;
    expect([...a.sales.keys()]).toEqual([1, 2]);
    expect(a.sales.get(1)!.root).toBe(saleRoot(sales.sale1));
    expect(a.sales.get(1)!.items.map((x) => [x.index, x.commitment, x.orderRef])).toEqual(
      sales.sale1.map((x) => [x.index, x.commitment.toLowerCase(), x.orderRef.toLowerCase()]),
    );
    expect(a.sales.get(2)!.seller).toBe(accounts.newRetail);
    const seg102 = a.segments.find((s) => s.start <= 102n && 102n < s.end)!;
    expect(seg102).toMatchObject({ saleNo: 2, refunded: false, supplierReason: 0 });

    // One event at a time gives the same digest as the batch apply, and the snapshot diff is empty.
    let stepwise = createLedgerState();
    for (const e of events) stepwise = applyLedgerEvent(stepwise, e);
    expect(computeStateDigest(toSnapshot(stepwise))).toBe(computeStateDigest(toSnapshot(state)));
    expect(diffSnapshots(toSnapshot(stepwise), toSnapshot(state))).toEqual([]);
    const before = computeStateDigest(toSnapshot(applyLedgerEvents(createLedgerState(), events.slice(0, -1))));
    expect(before).not.toBe(computeStateDigest(toSnapshot(state)));
  });
});

export type { Hex };
