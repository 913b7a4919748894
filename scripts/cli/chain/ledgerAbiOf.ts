import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";

/** A KeyLedger version the CLI drives: 1 (contracts/KeyLedger.sol) or 2 (contracts/v2, with its sale module). */
export type LedgerVersion = 1 | 2;

/** The ABI of either ledger version. */
export type LedgerAbi = typeof keyLedgerAbi | typeof keyLedgerV2Abi;

/**
 * The ABI to call a ledger of a version with (v2: the ledger's functions merged with its sale
 * module's, all called at the ledger address).
 *
 * @param version - the ledger version.
 * @returns the ABI.
 * @example
 * const abi = ledgerAbiOf(ctx.version);
 */
export function ledgerAbiOf(version: LedgerVersion): LedgerAbi {
  return version === 2 ? keyLedgerV2Abi : keyLedgerAbi;
}
