import type { ContractFunctionArgs, ContractFunctionName, Hex, TransactionReceipt } from "viem";
import { ledgerErrorContext } from "./ledgerErrorContext.js";
import type { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
import type { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { CliError, CliUsageError } from "../errors.js";
import { decodeLedgerError } from "./decodeLedgerError.js";
import { ledgerAbiOf, type LedgerAbi } from "./ledgerAbiOf.js";
import type { LedgerContext } from "./openLedger.js";
import { waitForReceipt } from "./waitForReceipt.js";

type WriteName<abi extends LedgerAbi> = ContractFunctionName<abi, "nonpayable">;

/** Parameters of {@link sendLedgerTx}. */
export type SendLedgerTxParameters<abi extends LedgerAbi, N extends WriteName<abi>> = {
  /**
   * The ABI the arguments are typed by: `keyLedgerV2Abi` for a v2-only call (sell, refund, proposeRekey …);
   * omitted for calls both versions share. The call is encoded with the ABI of the ledger's version.
   */
  abi?: abi;
  functionName: N;
  args: ContractFunctionArgs<abi, "nonpayable", N>;
  /** What is being done, for messages ("register party 0x…"). */
  action: string;
};

/**
 * Simulates a ledger call (so refusals are decoded before anything is sent), sends it, and waits
 * for the receipt. Refusals become plain sentences (see decodeLedgerError).
 *
 * @param ctx - an opened ledger with a signer.
 * @param parameters - see {@link SendLedgerTxParameters}.
 * @returns the transaction hash and receipt.
 * @example
 * await sendLedgerTx(ctx, { functionName: "setRedeemer", args: [addr, true], action: "add redeemer" });
 */
export async function sendLedgerTx<
  abi extends typeof keyLedgerAbi | typeof keyLedgerV2Abi = typeof keyLedgerAbi,
  N extends WriteName<abi> = WriteName<abi>,
>(ctx: LedgerContext, parameters: SendLedgerTxParameters<abi, N>): Promise<{ hash: Hex; receipt: TransactionReceipt }> {
  const { walletClient, account, publicClient } = ctx;
  if (!walletClient || !account) throw new CliUsageError(`${parameters.action} needs a signing account.`);
  const errCtx = ledgerErrorContext(ctx, parameters.action);
  let hash: Hex;
  try {
    const { request } = await publicClient.simulateContract({
      account,
      address: ctx.ledger,
      abi: ledgerAbiOf(ctx.version),
      functionName: parameters.functionName,
      args: parameters.args,
    } as never);
    hash = await walletClient.writeContract(request as never);
  } catch (e) {
    throw await decodeLedgerError(e, errCtx);
  }
  let receipt: TransactionReceipt;
  try {
    receipt = await waitForReceipt(ctx, {
      hash,
      action: parameters.action,
      afterwards: `look transaction ${hash} up before sending again (a transfer that landed is refused on a re-run, naming the recipient as holder).`,
    });
  } catch (e) {
    throw await decodeLedgerError(e, { ...errCtx, action: `confirm transaction ${hash} (${parameters.action})` });
  }
  if (receipt.status !== "success")
    throw new CliError(
      `Transaction ${hash} (${parameters.action}) was mined but reverted in block ${receipt.blockNumber}.`,
    );
  return { hash, receipt };
}
