import {
  BaseError as ViemError,
  ContractFunctionRevertedError,
  HttpRequestError,
  InsufficientFundsError,
  TimeoutError,
  decodeErrorResult,
  formatEther,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";
import { BaseError } from "../../../lib/errors/BaseError.js";
import { CliError, LedgerRefusedError, RPC_CHECK_HINT, RpcUnreachableError } from "../errors.js";
import { describeLedgerError } from "./describeLedgerError.js";
import { ledgerAbiOf, type LedgerVersion } from "./ledgerAbiOf.js";
import { readRangeHolders, type RangeHolder } from "./readRangeHolders.js";

/** Context for {@link decodeLedgerError}. */
export type DecodeLedgerErrorContext = {
  publicClient?: PublicClient<Transport, Chain> | undefined;
  account?: Address | undefined;
  /** The ledger: with publicClient, a range not held is described part by part (each holder named). */
  ledger?: Address | undefined;
  chainId?: number | undefined;
  rpcUrl?: string | undefined;
  /** What was being done, e.g. "transfer range 0-9999". */
  action?: string | undefined;
  /** The ledger's version (decides the ABI raw revert data is decoded with); default 1. */
  version?: LedgerVersion | undefined;
};

/**
 * Turns an error thrown by viem while calling or sending to the ledger into a KeyTrail error with
 * a plain sentence: the contract's custom errors with their values, insufficient funds with the
 * balance, an unreachable RPC with its URL. Errors that are already KeyTrail errors pass through.
 *
 * @param error - what viem threw.
 * @param context - see {@link DecodeLedgerErrorContext}.
 * @returns an error to throw.
 * @example
 * try { await sendLedgerTx(ctx, …) } catch (e) { throw await decodeLedgerError(e, { account }) }
 */
export async function decodeLedgerError(error: unknown, context: DecodeLedgerErrorContext): Promise<BaseError> {
  if (error instanceof BaseError) return error;
  const prefix = context.action ? `Could not ${context.action}: ` : "";
  if (error instanceof ViemError) {
    const reverted = error.walk(
      (e) => e instanceof ContractFunctionRevertedError,
    ) as ContractFunctionRevertedError | null;
    if (reverted) {
      let name = reverted.data?.errorName;
      let args: readonly unknown[] = reverted.data?.args ?? [];
      if (!name && reverted.raw) {
        try {
          const d = decodeErrorResult({ abi: ledgerAbiOf(context.version ?? 1), data: reverted.raw });
          name = d.errorName;
          args = d.args ?? [];
        } catch {
          /* unknown selector: described below */
        }
      }
      if (name && name !== "Error" && name !== "Panic") {
        const holders = name === "KeyLedgerRangeNotHeld" ? await readHoldersOf(args, context) : undefined;
        return new LedgerRefusedError(
          prefix + describeLedgerError(name, args, { account: context.account, holders }),
          name,
          { cause: error },
        );
      }
      const reason = reverted.reason ?? reverted.raw ?? "no reason given";
      return new LedgerRefusedError(`${prefix}the ledger reverted: ${reason}.`, undefined, { cause: error });
    }
    const funds = error.walk((e) => e instanceof InsufficientFundsError);
    if (funds || /insufficient funds|enough funds/i.test(error.message)) {
      let balance = "";
      if (context.publicClient && context.account) {
        try {
          balance = ` has ${formatEther(await context.publicClient.getBalance({ address: context.account }))} ETH and`;
        } catch {
          /* balance unknown */
        }
      }
      return new CliError(
        `${prefix}insufficient funds: account ${context.account ?? "(signer)"}${balance} cannot pay for gas on chain id ${context.chainId ?? "?"}.`,
        {
          details: "Fund the account with the network's native coin and re-run the same command.",
          cause: error,
        },
      );
    }
    const transport = error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError);
    if (transport) {
      const details = context.action ? `Could not ${context.action}.\n${RPC_CHECK_HINT}` : undefined;
      return new RpcUnreachableError(context.rpcUrl ?? (transport as HttpRequestError).url ?? "(unknown URL)", {
        cause: error,
        details,
      });
    }
    return new CliError(`${prefix}${error.shortMessage}`, { cause: error, details: error.details });
  }
  return new CliError(`${prefix}${(error as Error)?.message ?? String(error)}`, { cause: error });
}

/** Who holds each part of the range a KeyLedgerRangeNotHeld names; undefined when it cannot be read. */
async function readHoldersOf(
  args: readonly unknown[],
  context: DecodeLedgerErrorContext,
): Promise<RangeHolder[] | undefined> {
  if (!context.publicClient || !context.ledger) return undefined;
  try {
    return await readRangeHolders(context.publicClient, context.ledger, {
      version: context.version,
      batchId: args[0] as Hex,
      start: BigInt(args[1] as bigint),
      end: BigInt(args[2] as bigint),
    });
  } catch {
    return undefined; // the sentence then names the first other holder, as the ledger reported it
  }
}
