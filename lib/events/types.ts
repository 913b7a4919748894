import type { ContractEventArgsFromTopics, ContractEventName, Hex } from "viem";
import type { keyLedgerV2Abi } from "../abi/keyLedgerV2Abi.js";

/**
 * Names of the ledger's events, derived from the version 2 ABI (`keyLedgerV2Abi`: the ledger and
 * its sale module). AccessControl's role events and AccessControlDefaultAdminRules' admin events
 * are included because regulators act by role. Version 1 ledgers: ./v1/types.ts.
 */
export type LedgerEventName = ContractEventName<typeof keyLedgerV2Abi>;

/**
 * The named arguments of one ledger event, as viem's `decodeEventLog` types them (strict: every
 * argument present). Integer rule (viem's): uint8..uint48 are `number`, wider integers `bigint`.
 * Addresses and fixed bytes are `0x` hex; the ledger's decoder returns them lower-case.
 */
export type LedgerEventArgs<name extends LedgerEventName = LedgerEventName> = ContractEventArgsFromTopics<
  typeof keyLedgerV2Abi,
  name,
  true
>;

/**
 * A decoded ledger log, `{ eventName, args }`, as `decodeEventLog({ abi: keyLedgerV2Abi, ... })`
 * returns it: a union discriminated by `eventName`, one member per event of the ABI. Adding an
 * event to the ABI adds a member, and every exhaustive switch on `eventName` stops compiling.
 */
export type DecodedLedgerLog = {
  [name in LedgerEventName]: { eventName: name; args: LedgerEventArgs<name> };
}[LedgerEventName];

/** A log as `eth_getLogs` returns it over JSON-RPC (hex quantities, nothing decoded). */
export type RpcLog = {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex;
  blockHash: Hex;
  transactionHash: Hex;
  transactionIndex?: Hex;
  logIndex: Hex;
  removed?: boolean;
  blockTimestamp?: Hex;
};
