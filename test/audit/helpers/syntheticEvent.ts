import { keccak256, toBytes, type Hex } from "viem";
import type { DecodedLedgerLog, LedgerEvent } from "../../../lib/state/types.js";

/**
 * A synthetic ledger event placed after `after` (next block, +10 s per step): what a compromised
 * or buggy contract could emit, to exercise rules that KeyLedger itself enforces.
 */
export function syntheticEvent(after: LedgerEvent, step: number, log: DecodedLedgerLog, seconds = 10): LedgerEvent {
  const txHash = keccak256(toBytes(`synthetic:${step}`)) as Hex;
  return {
    ...log,
    blockNumber: after.blockNumber + BigInt(step),
    blockHash: keccak256(toBytes(`synthetic-block:${step}`)) as Hex,
    logIndex: 0,
    txHash,
    timestamp: after.timestamp + BigInt(step * seconds),
  } as LedgerEvent;
}
