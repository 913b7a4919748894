import type { DecodeLedgerErrorContext } from "./decodeLedgerError.js";
import type { LedgerContext } from "./openLedger.js";

/**
 * What decodeLedgerError needs to describe a failure on this ledger: its client, the signing
 * account, the ledger, chain, RPC and version, and what was being done.
 *
 * @param ctx - the opened ledger.
 * @param action - what was being done, e.g. "transfer range 0-9999" (optional).
 * @returns the context for decodeLedgerError.
 * @example
 * throw await decodeLedgerError(e, ledgerErrorContext(ctx, "sell 3 keys"));
 */
export function ledgerErrorContext(ctx: LedgerContext, action?: string): DecodeLedgerErrorContext {
  return {
    version: ctx.version,
    publicClient: ctx.publicClient,
    account: ctx.account?.address,
    ledger: ctx.ledger,
    chainId: ctx.chainId,
    rpcUrl: ctx.rpcUrl,
    ...(action === undefined ? {} : { action }),
  };
}
