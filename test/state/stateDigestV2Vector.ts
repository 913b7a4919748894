import type { Address, Hex } from "viem";
import type { DecodedLedgerLog, LedgerEvent } from "../../lib/state/types.js";

const A = (d: string) => `0x${d.repeat(40)}` as Address;
const B32 = (d: string) => `0x${d.repeat(64)}` as Hex;
const low = (hex: string) => `0x${hex.padStart(64, "0")}` as Hex;

/** Accounts of the version 2 vector (docs/STATE-DIGEST.md, section 6). */
export const v2Accounts = {
  supplier: A("1"),
  distributor: A("2"),
  redeemer: A("3"),
  registrar: A("a"),
  regulator: A("b"),
  newSupplier: A("5"),
  pendingNew: A("6"),
};
const batchId = B32("4");

/**
 * The version 2 vector as a fixed event list (positions and times made up; the digest does not
 * hash them): two parties, an authorisation, a redeemer, a sale-required batch of 300 keys, a
 * transfer, a regulator freeze and a supplier freeze, a sale of keys 20..22 with key 22
 * refunded, a redemption of key 20, a regulator's suspension, a pending re-key of the distributor
 * and a confirmed re-key of the supplier.
 */
export const v2VectorLogs: DecodedLedgerLog[] = [
  {
    eventName: "PartyRegistered",
    args: {
      party: v2Accounts.supplier,
      id: 1,
      kind: 1,
      profileHash: low("aa"),
      profileURI: "ipfs://p",
      accreditedUntil: 2000000000n,
      registrar: v2Accounts.registrar,
    },
  },
  {
    eventName: "PartyRegistered",
    args: {
      party: v2Accounts.distributor,
      id: 2,
      kind: 2,
      profileHash: low("cc"),
      profileURI: "",
      accreditedUntil: 0n,
      registrar: v2Accounts.registrar,
    },
  },
  {
    eventName: "DistributorAuthorized",
    args: {
      supplier: v2Accounts.supplier,
      distributor: v2Accounts.distributor,
      tier: 1,
      expiresAt: 1900000000n,
      certificateHash: low("bb"),
    },
  },
  { eventName: "RedeemerSet", args: { supplier: v2Accounts.supplier, redeemer: v2Accounts.redeemer, allowed: true } },
  {
    eventName: "BatchAnchored",
    args: {
      batchId,
      supplier: v2Accounts.supplier,
      label: "Q1",
      root: B32("5"),
      count: 300n,
      productId: low("6901234567892"),
      faceValue: 10000n,
      currency: "0x434e59",
      expiresAt: 0n,
      restricted: true,
      saleRequired: true,
      manifestHash: B32("6"),
      manifestURI: "",
    },
  },
  {
    eventName: "CustodyTransferred",
    args: {
      batchId,
      from: v2Accounts.supplier,
      to: v2Accounts.distributor,
      start: 100n,
      end: 300n,
      memo: B32("0"),
    },
  },
  {
    eventName: "KeysRevoked",
    args: { batchId, by: v2Accounts.regulator, start: 200n, end: 300n, reason: 1, byRegulator: true },
  },
  {
    eventName: "KeysRevoked",
    args: { batchId, by: v2Accounts.supplier, start: 250n, end: 260n, reason: 5, byRegulator: false },
  },
  {
    eventName: "KeysSold",
    args: {
      batchId,
      seller: v2Accounts.supplier,
      saleNo: 1,
      root: B32("7"),
      soldAt: 1800000000n,
      context: { store: B32("8"), terminal: B32("9"), amount: 30000n, currency: "0x434e59" },
      indices: [20n, 21n, 22n],
      commitments: [low("c1"), low("c2"), low("c3")],
      orderRefs: [low("d1"), low("d2"), low("d3")],
    },
  },
  {
    eventName: "SaleRefunded",
    args: { batchId, seller: v2Accounts.supplier, saleNo: 1, index: 22n, orderRef: low("d3") },
  },
  {
    eventName: "KeysRevoked",
    args: { batchId, by: v2Accounts.supplier, start: 22n, end: 23n, reason: 6, byRegulator: false },
  },
  { eventName: "KeysRedeemed", args: { batchId, by: v2Accounts.redeemer, wordIndex: 0n, mask: 1n << 20n } },
  {
    eventName: "PartySuspended",
    args: { party: v2Accounts.distributor, reasonHash: low("ee"), by: v2Accounts.regulator, byRegulator: true },
  },
  {
    eventName: "RekeyProposed",
    args: { oldAccount: v2Accounts.distributor, newAccount: v2Accounts.pendingNew, proposer: v2Accounts.registrar },
  },
  {
    eventName: "RekeyProposed",
    args: { oldAccount: v2Accounts.supplier, newAccount: v2Accounts.newSupplier, proposer: v2Accounts.registrar },
  },
  {
    eventName: "PartyRekeyed",
    args: {
      oldAccount: v2Accounts.supplier,
      newAccount: v2Accounts.newSupplier,
      id: 1,
      proposer: v2Accounts.registrar,
      confirmer: v2Accounts.regulator,
    },
  },
];

/** The vector's events with made-up positions (block i + 1, log 0). */
export const v2VectorEvents: LedgerEvent[] = v2VectorLogs.map(
  (log, i) =>
    ({
      ...log,
      blockNumber: BigInt(i + 1),
      blockHash: low((i + 1).toString(16)),
      logIndex: 0,
      txHash: low((0x1000 + i).toString(16)),
      timestamp: 1_800_000_000n + BigInt(i),
    }) as LedgerEvent,
);
