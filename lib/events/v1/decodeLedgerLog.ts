import { toEventSelector } from "viem";
import type { Hex } from "viem";
import { keyLedgerAbi } from "../../abi/keyLedgerAbi.js";
import { address, big, bool, bytes3, bytes32, dataWord, small, string, topicWord } from "../internal/abiWords.js";
import type { DecodedLedgerLog, LedgerEventArgs, LedgerEventName } from "./types.js";

/**
 * One raw log as the decoder reads it. `name` is the event being decoded; `topics` and `data`
 * are the log's, data without its `0x` and lower-cased.
 */
type Reader = { name: LedgerEventName; topics: readonly Hex[]; data: string };

/** Decodes the logs of one event into its member of the {@link DecodedLedgerLog} union. */
type EventDecoder<name extends LedgerEventName> = (r: Reader) => { eventName: name; args: LedgerEventArgs<name> };

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
      manifestHash: bytes32(dataWord(r, 8, "manifestHash")),
      manifestURI: string(r, 9, "manifestURI"),
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
  KeysRedeemed: (r) => ({
    eventName: "KeysRedeemed",
    args: {
      batchId: bytes32(topicWord(r, 1, "batchId")),
      by: address(topicWord(r, 2, "by")),
      wordIndex: big(dataWord(r, 0, "wordIndex")),
      mask: big(dataWord(r, 1, "mask")),
    },
  }),
  KeysReinstated: (r) => ({
    eventName: "KeysReinstated",
    args: {
      batchId: bytes32(topicWord(r, 1, "batchId")),
      by: address(topicWord(r, 2, "by")),
      start: big(dataWord(r, 0, "start")),
      end: big(dataWord(r, 1, "end")),
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
    },
  }),
  PartyRegistered: (r) => ({
    eventName: "PartyRegistered",
    args: {
      party: address(topicWord(r, 1, "party")),
      kind: small(dataWord(r, 0, "kind")),
      profileHash: bytes32(dataWord(r, 1, "profileHash")),
      profileURI: string(r, 2, "profileURI"),
      accreditedUntil: big(dataWord(r, 3, "accreditedUntil")),
      registrar: address(topicWord(r, 2, "registrar")),
    },
  }),
  PartyReinstated: (r) => ({
    eventName: "PartyReinstated",
    args: {
      party: address(topicWord(r, 1, "party")),
      registrar: address(topicWord(r, 2, "registrar")),
    },
  }),
  PartySuspended: (r) => ({
    eventName: "PartySuspended",
    args: {
      party: address(topicWord(r, 1, "party")),
      reasonHash: bytes32(dataWord(r, 0, "reasonHash")),
      registrar: address(topicWord(r, 2, "registrar")),
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
};

/** topic0 (lower-case) -> event name, for every event of the ABI. */
const byTopic = new Map<string, LedgerEventName>();
for (const item of keyLedgerAbi) {
  if (item.type === "event") byTopic.set(toEventSelector(item), item.name);
}

/**
 * Decodes one version 1 KeyLedger log (contracts/KeyLedger.sol) into `{ eventName, args }`,
 * exactly as viem's `decodeEventLog` with
 * the ledger's ABI types it (uint8..uint48 as number, wider integers as bigint), with addresses
 * and fixed bytes lower-case. It reads the hex words directly (no generic ABI walk): the indexer's
 * backfill and the audit's replay spend much of their time here (bench/indexer, bench/audit).
 * Version 2 ledgers are decoded by ../decodeLedgerLog.ts.
 *
 * @param log - topics and data of a raw log.
 * @returns the decoded event, or null when topic0 is not an event of the ledger's ABI.
 * @throws LedgerLogDecodeError when a topic is missing or the data does not fit the event.
 * @example
 * const decoded = decodeLedgerLog({ topics: log.topics, data: log.data });
 * if (decoded?.eventName === "BatchAnchored") console.log(decoded.args.label);
 */
export function decodeLedgerLog(log: { topics: readonly Hex[]; data: Hex }): DecodedLedgerLog | null {
  const t0 = log.topics[0];
  const name = t0 === undefined ? undefined : byTopic.get(t0.toLowerCase());
  if (name === undefined) return null;
  return decoders[name]({ name, topics: log.topics, data: log.data.slice(2).toLowerCase() });
}
