import type { ContractEventArgsFromTopics, ContractEventName } from "viem";
import type { keyLedgerAbi } from "../../abi/keyLedgerAbi.js";

export type { RpcLog } from "../types.js";

/**
 * Names of the version 1 ledger's events (contracts/KeyLedger.sol, `keyLedgerAbi`). Version 1
 * ledgers stay deployed and their links keep verifying; new deployments are version 2 (../types.ts).
 */
export type LedgerEventName = ContractEventName<typeof keyLedgerAbi>;

/** The named arguments of one version 1 ledger event, typed as viem's `decodeEventLog` types them. */
export type LedgerEventArgs<name extends LedgerEventName = LedgerEventName> = ContractEventArgsFromTopics<
  typeof keyLedgerAbi,
  name,
  true
>;

/** A decoded version 1 ledger log, `{ eventName, args }`: a union discriminated by `eventName`. */
export type DecodedLedgerLog = {
  [name in LedgerEventName]: { eventName: name; args: LedgerEventArgs<name> };
}[LedgerEventName];
