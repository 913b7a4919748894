import { BaseError as ViemBaseError, CallExecutionError, ContractFunctionRevertedError } from "viem";
import { ContractFunctionZeroDataError } from "viem";
import type { Address, PublicClient } from "viem";
import { keyLedgerV2Abi } from "../abi/keyLedgerV2Abi.js";

/** A ledger's version: 1 (contracts/KeyLedger.sol) or 2 (contracts/v2/KeyLedgerV2.sol). */
export type LedgerVersion = 1 | 2;

const cache = new WeakMap<object, Map<string, Promise<LedgerVersion>>>();

/** True when `e` is the ledger refusing the call (a revert, or empty return data), not a transport failure. */
function refused(e: unknown): boolean {
  if (!(e instanceof ViemBaseError)) return false;
  return (
    e.walk(
      (x) =>
        x instanceof ContractFunctionRevertedError ||
        x instanceof ContractFunctionZeroDataError ||
        (x instanceof CallExecutionError && /revert/i.test(x.details ?? x.shortMessage)),
    ) !== null
  );
}

/**
 * The version of the ledger at `ledger`, with one `eth_call` of the v2-only view `SALES()` (the
 * sale module's address, an immutable: it never reverts on a v2 ledger). A v1 ledger has no such
 * function and no fallback, so the call reverts: version 1. Transport failures are thrown, not
 * guessed. Cached per client and ledger (a deployment's code never changes its version); a failed
 * probe is not cached.
 *
 * @param client A viem public client on the ledger's chain.
 * @param parameters.ledger The ledger address.
 * @returns 1 or 2.
 * @throws viem's errors when the RPC fails.
 *
 * @example
 * if ((await detectLedgerVersion(client, { ledger })) === 2) console.log("sales and receipts available");
 */
export function detectLedgerVersion(client: PublicClient, parameters: { ledger: Address }): Promise<LedgerVersion> {
  let perClient = cache.get(client);
  if (!perClient) cache.set(client, (perClient = new Map()));
  const key = parameters.ledger.toLowerCase();
  let p = perClient.get(key);
  if (!p) {
    p = client.readContract({ address: parameters.ledger, abi: keyLedgerV2Abi, functionName: "SALES" }).then(
      (sales): LedgerVersion => (/^0x0{40}$/.test(sales) ? 1 : 2),
      (e: unknown): LedgerVersion => {
        if (refused(e)) return 1;
        throw e;
      },
    );
    perClient.set(key, p);
    const map = perClient;
    p.catch(() => map.delete(key));
  }
  return p;
}
