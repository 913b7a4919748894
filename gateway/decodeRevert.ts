import { BaseError as ViemError, ContractFunctionRevertedError } from "viem";

/**
 * A one-line reason for a failed simulation or call: the ledger's custom error with its values
 * (e.g. `KeyLedgerRecipientNotAuthorized(0x…, 0x…, 0x…)`), else viem's short message.
 *
 * @param error - what viem threw.
 * @returns the reason and whether it is the ledger's refusal (not a transport fault).
 * @example
 * const { reason, refused } = decodeRevert(e);
 */
export function decodeRevert(error: unknown): { reason: string; refused: boolean } {
  if (error instanceof ViemError) {
    const reverted = error.walk(
      (e) => e instanceof ContractFunctionRevertedError,
    ) as ContractFunctionRevertedError | null;
    if (reverted) {
      const name = reverted.data?.errorName;
      if (name) {
        const args = (reverted.data?.args ?? []).map((a) => String(a)).join(", ");
        return { reason: `${name}(${args})`, refused: true };
      }
      return { reason: `reverted: ${reverted.reason ?? reverted.raw ?? "no reason given"}`, refused: true };
    }
    return { reason: error.shortMessage, refused: false };
  }
  return { reason: error instanceof Error ? error.message : String(error), refused: false };
}
