import { concat, encodePacked, keccak256, toBytes, toHex, type Address, type Hex } from "viem";
import { describe, expect, it } from "vitest";
import { applyLedgerEvents } from "../../lib/state/applyLedgerEvents.js";
import { computeStateDigest } from "../../lib/state/computeStateDigest.js";
import { createLedgerState } from "../../lib/state/createLedgerState.js";
import { diffSnapshots } from "../../lib/state/diffSnapshots.js";
import { encodeSnapshot } from "../../lib/state/encodeSnapshot.js";
import { InvalidSnapshotError } from "../../lib/state/errors.js";
import { toSnapshot } from "../../lib/state/toSnapshot.js";
import type { LedgerSnapshot } from "../../lib/state/types.js";
import { v2Accounts, v2VectorEvents } from "./stateDigestV2Vector.js";

/** docs/STATE-DIGEST.md, version 2: the digest of the vector's event list, and of no events. */
const VECTOR_DIGEST = "0xa47171144ca3c95542622bc41e74cc4acff65f3b18c02bfb666293fe3fe4cf54";
const EMPTY_DIGEST = "0x506e0fcb1d160998208f39962ec40e6f5f250dc62fffd39b3534e9cb4cfb262d";

/** An independent encoder of docs/STATE-DIGEST.md version 2, written with viem's encodePacked. */
function independentEncoding(s: LedgerSnapshot): Hex {
  const str = (x: string) => {
    const b = toBytes(x);
    return concat([toHex(b.length, { size: 4 }), toHex(b)]);
  };
  const section = (tag: number, n: number) => encodePacked(["uint8", "uint32"], [tag, n]);
  const parts: Hex[] = [toHex(toBytes("keytrail-state-digest-v2"))];
  parts.push(section(1, s.parties.length));
  for (const p of s.parties) {
    parts.push(
      encodePacked(
        ["address", "uint32", "uint8", "bool", "bool", "uint64", "bytes32"],
        [p.address, p.id, p.kind, p.suspended, p.suspendedByRegulator, p.accreditedUntil, p.profileHash],
      ),
      str(p.profileURI),
    );
  }
  parts.push(section(2, s.authorizations.length));
  for (const a of s.authorizations) {
    parts.push(
      encodePacked(
        ["address", "address", "uint8", "uint64", "bytes32"],
        [a.supplier, a.distributor, a.tier, a.expiresAt, a.certificateHash],
      ),
    );
  }
  parts.push(section(3, s.redeemers.length));
  for (const r of s.redeemers) parts.push(encodePacked(["address", "address"], [r.supplier, r.redeemer]));
  parts.push(section(4, s.batches.length));
  for (const b of s.batches) {
    parts.push(
      encodePacked(
        [
          "bytes32",
          "address",
          "bytes32",
          "uint64",
          "bytes32",
          "uint128",
          "bytes3",
          "uint64",
          "bool",
          "bool",
          "bytes32",
        ],
        [
          b.batchId,
          b.supplier,
          b.root,
          b.count,
          b.productId,
          b.faceValue,
          b.currency,
          b.expiresAt,
          b.restricted,
          b.saleRequired,
          b.manifestHash,
        ],
      ),
      str(b.label),
      str(b.manifestURI),
    );
  }
  parts.push(section(5, s.segments.length));
  for (const g of s.segments) {
    parts.push(
      encodePacked(
        ["bytes32", "uint64", "uint64", "address", "uint8", "uint8", "uint32", "bool"],
        [g.batchId, g.start, g.end, g.holder, g.regulatorReason, g.supplierReason, g.saleNo, g.refunded],
      ),
    );
  }
  parts.push(section(6, s.redemptions.length));
  for (const w of s.redemptions) {
    parts.push(encodePacked(["bytes32", "uint64", "uint256"], [w.batchId, w.wordIndex, w.mask]));
  }
  parts.push(section(7, s.rekeyProposals.length));
  for (const r of s.rekeyProposals) {
    parts.push(encodePacked(["address", "address", "address"], [r.oldAccount, r.newAccount, r.proposer]));
  }
  parts.push(section(8, s.sales.length));
  for (const x of s.sales) {
    parts.push(
      encodePacked(
        ["bytes32", "uint32", "address", "uint64", "bytes32", "bytes32", "bytes32", "uint128", "bytes3", "uint32"],
        [x.batchId, x.saleNo, x.seller, x.soldAt, x.root, x.store, x.terminal, x.amount, x.currency, x.itemCount],
      ),
    );
  }
  parts.push(section(9, s.saleItems.length));
  for (const x of s.saleItems) {
    parts.push(
      encodePacked(
        ["bytes32", "uint32", "uint64", "bytes32", "bytes32"],
        [x.batchId, x.saleNo, x.index, x.commitment, x.orderRef],
      ),
    );
  }
  return concat(parts);
}

const vectorSnapshot = () => toSnapshot(applyLedgerEvents(createLedgerState(), v2VectorEvents));

describe("state digest version 2 (docs/STATE-DIGEST.md)", () => {
  it("the vector's event list gives the documented digest; an independent encoder agrees byte for byte", () => {
    const s = vectorSnapshot();
    const encoding = toHex(encodeSnapshot(s));
    expect(independentEncoding(s)).toBe(encoding);
    expect((encoding.length - 2) / 2).toBe(1774);
    expect(keccak256(encoding)).toBe(VECTOR_DIGEST);
    expect(computeStateDigest(s)).toBe(VECTOR_DIGEST);
    expect(computeStateDigest(toSnapshot(createLedgerState()))).toBe(EMPTY_DIGEST);
    expect(toHex(encodeSnapshot(toSnapshot(createLedgerState())))).toBe(
      independentEncoding(toSnapshot(createLedgerState())),
    );
  });

  it("the vector's snapshot: re-key moved the supplier's records, layers and sale pointers as documented", () => {
    const s = vectorSnapshot();
    const { newSupplier, distributor, pendingNew } = v2Accounts;
    expect(s.parties.map((p) => [p.address, p.id, p.suspended, p.suspendedByRegulator])).toEqual([
      [distributor, 2, true, true],
      [newSupplier, 1, false, false],
    ]);
    expect(s.rekeyProposals).toEqual([
      { oldAccount: distributor, newAccount: pendingNew, proposer: v2Accounts.registrar },
    ]);
    expect(s.authorizations.map((a) => a.supplier)).toEqual([newSupplier]);
    expect(s.redeemers).toEqual([{ supplier: newSupplier, redeemer: v2Accounts.redeemer }]);
    expect(s.batches[0]!.supplier).toBe(newSupplier);
    expect(s.sales[0]!.seller).toBe(newSupplier);
    const seg = s.segments.map((g) => [
      g.start,
      g.end,
      g.holder,
      g.regulatorReason,
      g.supplierReason,
      g.saleNo,
      g.refunded,
    ]);
    expect(seg).toEqual([
      [0n, 20n, newSupplier, 0, 0, 0, false],
      [20n, 22n, newSupplier, 0, 0, 1, false],
      [22n, 23n, newSupplier, 0, 6, 1, true],
      [23n, 100n, newSupplier, 0, 0, 0, false],
      [100n, 200n, distributor, 0, 0, 0, false],
      [200n, 250n, distributor, 1, 0, 0, false],
      [250n, 260n, distributor, 1, 5, 0, false],
      [260n, 300n, distributor, 1, 0, 0, false],
    ]);
    expect(s.saleItems.map((x) => x.index)).toEqual([20n, 21n, 22n]);
  });

  it("does not depend on list order, letter case, segment splits or zero redemption words", () => {
    const s = vectorSnapshot();
    const messy: LedgerSnapshot = structuredClone(s);
    const up = <T extends string>(x: T) => x.toUpperCase().replace("0X", "0x") as T;
    const last = messy.segments.pop()!;
    messy.segments.push({ ...last, end: 280n, holder: up(last.holder) }, { ...last, start: 280n });
    messy.segments.reverse();
    messy.redemptions.push({ batchId: s.batches[0]!.batchId, wordIndex: 1n, mask: 0n });
    messy.parties.reverse();
    messy.saleItems.reverse();
    messy.saleItems[0] = { ...messy.saleItems[0]!, commitment: up(messy.saleItems[0]!.commitment) };
    expect(computeStateDigest(messy)).toBe(VECTOR_DIGEST);
    expect(diffSnapshots(messy, s)).toEqual([]);
  });

  it("changes with any version 2 field, and diffSnapshots names the difference", () => {
    const base = vectorSnapshot();
    const variants: [string, (s: LedgerSnapshot) => void][] = [
      ["party", (s) => (s.parties[0]!.id = 3)],
      ["party", (s) => (s.parties[0]!.suspendedByRegulator = false)],
      ["batch", (s) => (s.batches[0]!.saleRequired = false)],
      ["custody", (s) => (s.segments[5]!.regulatorReason = 2)],
      ["custody", (s) => (s.segments[6]!.supplierReason = 4)],
      ["custody", (s) => (s.segments[2]!.refunded = false)],
      ["custody", (s) => (s.segments[1]!.saleNo = 2)],
      ["rekeyProposal", (s) => (s.rekeyProposals[0]!.proposer = v2Accounts.regulator)],
      ["sale", (s) => (s.sales[0]!.soldAt += 1n)],
      ["sale", (s) => (s.sales[0]!.amount += 1n)],
      ["sale", (s) => (s.saleItems[1]!.orderRef = `0x${"0".repeat(63)}1`)],
    ];
    const seen = new Set<string>([VECTOR_DIGEST]);
    for (const [kind, change] of variants) {
      const s = structuredClone(base);
      change(s);
      const d = computeStateDigest(s);
      expect(seen.has(d), kind).toBe(false);
      seen.add(d);
      expect(diffSnapshots(base, s)[0]?.kind).toBe(kind);
    }
  });

  it("refuses malformed snapshots with the field named", () => {
    const bad = (change: (s: LedgerSnapshot) => void) => {
      const s = vectorSnapshot();
      change(s);
      return () => computeStateDigest(s);
    };
    expect(bad((s) => (s.parties[0]!.id = 2 ** 32))).toThrow(InvalidSnapshotError);
    expect(bad((s) => (s.parties[0]!.id = 2 ** 32))).toThrow(/party\.id: 4294967296/);
    expect(bad((s) => (s.rekeyProposals[0]!.newAccount = "0x12" as Address))).toThrow(/rekeyProposal\.newAccount/);
    expect(bad((s) => (s.sales[0]!.itemCount = 2))).toThrow(/itemCount 2 but 3 items/);
    expect(bad((s) => s.saleItems.push({ ...s.saleItems[0]!, saleNo: 9 }))).toThrow(/a sale the snapshot lacks/);
    expect(bad((s) => s.saleItems.push({ ...s.saleItems[0]! }))).toThrow(/duplicate sale item/);
    expect(bad((s) => (s.segments[0]!.saleNo = -1))).toThrow(/segment\.saleNo/);
  });
});
