import { toEventSelector } from "viem";
import type { Hex } from "viem";
import { keyLedgerV2Abi } from "../abi/keyLedgerV2Abi.js";
import { address, big, bool, bytes3, bytes32, dataWord, small, string, topicWord } from "./internal/abiWords.js";
import { LedgerLogDecodeError } from "./errors.js";
import type { DecodedLedgerLog, LedgerEventArgs, LedgerEventName } from "./types.js";

/**
 * One raw log as the decoder reads it. `name` is the event being decoded; `topics` and `data`
 * are the log's, data without its `0x` and lower-cased.
 */
type Reader = { name: LedgerEventName; topics: readonly Hex[]; data: string };

/** Decodes the logs of one event into its member of the {@link DecodedLedgerLog} union. */
type EventDecoder<name extends LedgerEventName> = (r: Reader) => { eventName: name; args: LedgerEventArgs<name> };

/**
 * A dynamic array of one-word elements (`uint64[]`, `bytes32[]`) whose head (offset word) is at
 * `slot`, each element mapped by `element`. Hand-decoded like the rest: `KeysSold` carries one
 * element per key sold, so a sale of thousands of keys is one log the replay reads in one pass.
 */
function wordArray<T>(r: Reader, slot: number, arg: string, element: (w: string) => T): T[] {
  const offset = Number.parseInt(dataWord(r, slot, arg), 16) * 2;
  const lenWord = r.data.slice(offset, offset + 64);
  const len = Number.parseInt(lenWord, 16);
  if (lenWord.length !== 64 || !(offset + 64 + len * 64 <= r.data.length)) {
    throw new LedgerLogDecodeError(
      `event ${r.name}: array ${arg} at byte ${offset / 2} runs past the data (${r.data.length / 2} bytes).`,
    );
  }
  const out = new Array<T>(len);
  for (let i = 0, p = offset + 64; i < len; i++, p += 64) out[i] = element(r.data.slice(p, p + 64));
  return out;
}

/**
 * One typed decoder per event of the ABI. The object is typed by the ABI: a new event
 * is a missing key, a renamed or retyped argument a type error. Positions (topic index, data
 * slot) follow the ABI's input order; test/events/decodeLedgerLog.test.ts checks every event
 * against viem's `decodeEventLog`.
 */
const decoders: { [name in LedgerEventName]: EventDecoder<name> } = {
  BatchAnchored: (r) => ({
    eventName: "BatchAnchored",
    args: {
      batchId: bytes32(topicWord(r, 1, "batchId")),
      supplier: address(topicWord(r, 2, "supplier")),
      label: string(r, 0, "label"),
      root: bytes32(dataWord(r, 1, "root")),
      count: big(dataWord(r, 2, "count")),
      productId: bytes32(dataWord(r, 3, "productId")),
      faceValue: big(dataWord(r, 4, "faceValue")),
      currency: bytes3(dataWord(r, 5, "currency")),
      expiresAt: big(dataWord(r, 6, "expiresAt")),
      restricted: bool(dataWord(r, 7, "restricted")),
      saleRequired: bool(dataWord(r, 8, "saleRequired")),
      manifestHash: bytes32(dataWord(r, 9, "manifestHash")),
      manifestURI: string(r, 10, "manifestURI"),
    },
  }),
  CustodyTransferred: (r) => ({
    eventName: "CustodyTransferred",
    args: {
      batchId: bytes32(topicWord(r, 1, "batchId")),
      from: address(topicWord(r, 2, "from")),
      to: address(topicWord(r, 3, "to")),
      start: big(dataWord(r, 0, "start")),
      end: big(dataWord(r, 1, "end")),
      memo: bytes32(dataWord(r, 2, "memo")),
    },
  }),
  // Events without arguments: viem types their args `readonly []` (and returns undefined); an empty array here.
  DefaultAdminDelayChangeCanceled: () => ({ eventName: "DefaultAdminDelayChangeCanceled", args: [] }),
  DefaultAdminDelayChangeScheduled: (r) => ({
    eventName: "DefaultAdminDelayChangeScheduled",
    args: {
      newDelay: small(dataWord(r, 0, "newDelay")),
      effectSchedule: small(dataWord(r, 1, "effectSchedule")),
    },
  }),
  DefaultAdminTransferCanceled: () => ({ eventName: "DefaultAdminTransferCanceled", args: [] }),
  DefaultAdminTransferScheduled: (r) => ({
    eventName: "DefaultAdminTransferScheduled",
    args: {
      newAdmin: address(topicWord(r, 1, "newAdmin")),
      acceptSchedule: small(dataWord(r, 0, "acceptSchedule")),
    },
  }),
  DistributorAuthorized: (r) => ({
    eventName: "DistributorAuthorized",
    args: {
      supplier: address(topicWord(r, 1, "supplier")),
      distributor: address(topicWord(r, 2, "distributor")),
      tier: small(dataWord(r, 0, "tier")),
      expiresAt: big(dataWord(r, 1, "expiresAt")),
      certificateHash: bytes32(dataWord(r, 2, "certificateHash")),
    },
  }),
  DistributorDeauthorized: (r) => ({
    eventName: "DistributorDeauthorized",
    args: {
      supplier: address(topicWord(r, 1, "supplier")),
      distributor: address(topicWord(r, 2, "distributor")),
    },
  }),
  // v2 logs `by` as data (two topics); v1's event, same signature and topic0, has it as a topic (three).
  KeysRedeemed: (r) =>
    r.topics.length === 3
      ? {
          eventName: "KeysRedeemed",
          args: {
            batchId: bytes32(topicWord(r, 1, "batchId")),
            by: address(topicWord(r, 2, "by")),
            wordIndex: big(dataWord(r, 0, "wordIndex")),
            mask: big(dataWord(r, 1, "mask")),
          },
        }
      : {
          eventName: "KeysRedeemed",
          args: {
            batchId: bytes32(topicWord(r, 1, "batchId")),
            by: address(dataWord(r, 0, "by")),
            wordIndex: big(dataWord(r, 1, "wordIndex")),
            mask: big(dataWord(r, 2, "mask")),
          },
        },
  KeysReinstated: (r) => ({
    eventName: "KeysReinstated",
    args: {
      batchId: bytes32(topicWord(r, 1, "batchId")),
      by: address(topicWord(r, 2, "by")),
      start: big(dataWord(r, 0, "start")),
      end: big(dataWord(r, 1, "end")),
      byRegulator: bool(dataWord(r, 2, "byRegulator")),
    },
  }),
  KeysRevoked: (r) => ({
    eventName: "KeysRevoked",
    args: {
      batchId: bytes32(topicWord(r, 1, "batchId")),
      by: address(topicWord(r, 2, "by")),
      start: big(dataWord(r, 0, "start")),
      end: big(dataWord(r, 1, "end")),
      reason: small(dataWord(r, 2, "reason")),
      byRegulator: bool(dataWord(r, 3, "byRegulator")),
    },
  }),
  KeysSold: (r) => ({
    eventName: "KeysSold",
    args: {
      batchId: bytes32(topicWord(r, 1, "batchId")),
      seller: address(topicWord(r, 2, "seller")),
      saleNo: small(topicWord(r, 3, "saleNo")),
      root: bytes32(dataWord(r, 0, "root")),
      soldAt: big(dataWord(r, 1, "soldAt")),
      // The context tuple is static: its four words sit inline at slots 2..5.
      context: {
        store: bytes32(dataWord(r, 2, "context.store")),
        terminal: bytes32(dataWord(r, 3, "context.terminal")),
        amount: big(dataWord(r, 4, "context.amount")),
        currency: bytes3(dataWord(r, 5, "context.currency")),
      },
      indices: wordArray(r, 6, "indices", big),
      commitments: wordArray(r, 7, "commitments", bytes32),
      orderRefs: wordArray(r, 8, "orderRefs", bytes32),
    },
  }),
  PartyRegistered: (r) => ({
    eventName: "PartyRegistered",
    args: {
      party: address(topicWord(r, 1, "party")),
      id: small(dataWord(r, 0, "id")),
      kind: small(dataWord(r, 1, "kind")),
      profileHash: bytes32(dataWord(r, 2, "profileHash")),
      profileURI: string(r, 3, "profileURI"),
      accreditedUntil: big(dataWord(r, 4, "accreditedUntil")),
      registrar: address(topicWord(r, 2, "registrar")),
    },
  }),
  PartyRekeyed: (r) => ({
    eventName: "PartyRekeyed",
    args: {
      oldAccount: address(topicWord(r, 1, "oldAccount")),
      newAccount: address(topicWord(r, 2, "newAccount")),
      id: small(dataWord(r, 0, "id")),
      proposer: address(dataWord(r, 1, "proposer")),
      confirmer: address(topicWord(r, 3, "confirmer")),
    },
  }),
  PartyReinstated: (r) => ({
    eventName: "PartyReinstated",
    args: {
      party: address(topicWord(r, 1, "party")),
      by: address(topicWord(r, 2, "by")),
    },
  }),
  PartySuspended: (r) => ({
    eventName: "PartySuspended",
    args: {
      party: address(topicWord(r, 1, "party")),
      reasonHash: bytes32(dataWord(r, 0, "reasonHash")),
      by: address(topicWord(r, 2, "by")),
      byRegulator: bool(dataWord(r, 1, "byRegulator")),
    },
  }),
  PartyUpdated: (r) => ({
    eventName: "PartyUpdated",
    args: {
      party: address(topicWord(r, 1, "party")),
      profileHash: bytes32(dataWord(r, 0, "profileHash")),
      profileURI: string(r, 1, "profileURI"),
      accreditedUntil: big(dataWord(r, 2, "accreditedUntil")),
      registrar: address(topicWord(r, 2, "registrar")),
    },
  }),
  RedeemerSet: (r) => ({
    eventName: "RedeemerSet",
    args: {
      supplier: address(topicWord(r, 1, "supplier")),
      redeemer: address(topicWord(r, 2, "redeemer")),
      allowed: bool(dataWord(r, 0, "allowed")),
    },
  }),
  RekeyProposed: (r) => ({
    eventName: "RekeyProposed",
    args: {
      oldAccount: address(topicWord(r, 1, "oldAccount")),
      newAccount: address(topicWord(r, 2, "newAccount")),
      proposer: address(topicWord(r, 3, "proposer")),
    },
  }),
  RoleAdminChanged: (r) => ({
    eventName: "RoleAdminChanged",
    args: {
      role: bytes32(topicWord(r, 1, "role")),
      previousAdminRole: bytes32(topicWord(r, 2, "previousAdminRole")),
      newAdminRole: bytes32(topicWord(r, 3, "newAdminRole")),
    },
  }),
  RoleGranted: (r) => ({
    eventName: "RoleGranted",
    args: {
      role: bytes32(topicWord(r, 1, "role")),
      account: address(topicWord(r, 2, "account")),
      sender: address(topicWord(r, 3, "sender")),
    },
  }),
  RoleRevoked: (r) => ({
    eventName: "RoleRevoked",
    args: {
      role: bytes32(topicWord(r, 1, "role")),
      account: address(topicWord(r, 2, "account")),
      sender: address(topicWord(r, 3, "sender")),
    },
  }),
  SaleRefunded: (r) => ({
    eventName: "SaleRefunded",
    args: {
      batchId: bytes32(topicWord(r, 1, "batchId")),
      seller: address(topicWord(r, 2, "seller")),
      saleNo: small(topicWord(r, 3, "saleNo")),
      index: big(dataWord(r, 0, "index")),
      orderRef: bytes32(dataWord(r, 1, "orderRef")),
    },
  }),
};

/** topic0 (lower-case) -> event name, for every event of the ABI. */
const byTopic = new Map<string, LedgerEventName>();
for (const item of keyLedgerV2Abi) {
  if (item.type === "event") byTopic.set(toEventSelector(item), item.name);
}

/**
 * Decodes one KeyLedger v2 log (contracts/v2: the ledger and its sale module) into
 * `{ eventName, args }`, exactly as viem's `decodeEventLog` with `keyLedgerV2Abi` types it
 * (uint8..uint48 as number, wider integers as bigint), with addresses and fixed bytes lower-case.
 * It reads the hex words directly (no generic ABI walk): the indexer's backfill and the audit's
 * replay spend much of their time here (bench/indexer, bench/audit). The one decoder of ledger
 * logs: the indexer, the audit and the CLI use it. Version 1 ledgers: ./v1/decodeLedgerLog.ts.
 *
 * @param log - topics and data of a raw log.
 * @returns the decoded event, or null when topic0 is not an event of the ledger's ABI.
 * @throws LedgerLogDecodeError when a topic is missing or the data does not fit the event.
 * @example
 * const decoded = decodeLedgerLog({ topics: log.topics, data: log.data });
 * if (decoded?.eventName === "KeysSold") console.log(decoded.args.saleNo, decoded.args.indices.length);
 */
export function decodeLedgerLog(log: { topics: readonly Hex[]; data: Hex }): DecodedLedgerLog | null {
  const t0 = log.topics[0];
  const name = t0 === undefined ? undefined : byTopic.get(t0.toLowerCase());
  if (name === undefined) return null;
  return decoders[name]({ name, topics: log.topics, data: log.data.slice(2).toLowerCase() });
}
