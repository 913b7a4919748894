import {
  BaseError as ViemError,
  HttpRequestError,
  TimeoutError,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
} from "viem";
import { RpcUnreachableError } from "../errors.js";

/** Parameters of {@link waitForReceipt}. */
export type WaitForReceiptParameters = {
  hash: Hex;
  /** What the transaction does, for messages ("transfer range 0-99 of batch 0x… to 0x…"). */
  action: string;
  /** What to do once the node answers again (re-run to resume, look the transaction up, …). */
  afterwards: string;
  /** How long a live node may take to mine it, in ms (default 300 s). */
  timeout?: number | undefined;
  /** How often the node is probed while waiting, in ms (default: the client's polling interval, at least 1 s). */
  probeInterval?: number | undefined;
};

/**
 * Waits for a sent transaction's receipt while checking that the node still answers. viem's own
 * wait swallows polling errors until its timeout, so a node that dies with the transaction pending
 * would hold the command for the whole timeout and then blame the transaction. Here the node is
 * probed (`eth_blockNumber`, with the transport's bounded retries) every probe interval; when a
 * probe fails, the wait stops at once with {@link RpcUnreachableError} naming the URL and the
 * transaction, which was sent and may still be mined.
 *
 * @param ctx - the public client and the RPC URL(s) it uses.
 * @param parameters - see {@link WaitForReceiptParameters}.
 * @returns the receipt (mined; its status is not checked here).
 * @throws {RpcUnreachableError} when the node stops answering; viem's timeout error when a live node never mines it.
 * @example
 * const receipt = await waitForReceipt(ctx, { hash, action: "anchor batch 0x…", afterwards: "Re-run to check it." });
 */
export async function waitForReceipt(
  ctx: { publicClient: PublicClient<Transport, Chain>; rpcUrl: string },
  parameters: WaitForReceiptParameters,
): Promise<TransactionReceipt> {
  const { publicClient, rpcUrl } = ctx;
  const { hash } = parameters;
  const every = parameters.probeInterval ?? Math.max(publicClient.pollingInterval, 1_000);
  const stop = new AbortController();
  const unreachable = (cause: unknown) =>
    new RpcUnreachableError(rpcUrl, {
      cause,
      details:
        `Transaction ${hash} (${parameters.action}) was sent before the node stopped answering; it may still be mined.\n` +
        `Check that the node is running, then: ${parameters.afterwards}`,
    });
  // viem's wait gives up on its own when a lookup fails after its retries: the same unreachable RPC.
  const receipt = publicClient
    .waitForTransactionReceipt({ hash, timeout: parameters.timeout ?? 300_000, signal: stop.signal })
    .catch((e: unknown) => {
      throw e instanceof ViemError && e.walk((x) => x instanceof HttpRequestError || x instanceof TimeoutError)
        ? unreachable(e)
        : e;
    });
  const probe = (async (): Promise<never> => {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, every).unref());
      if (stop.signal.aborted) throw stop.signal.reason;
      try {
        await publicClient.getBlockNumber({ cacheTime: 0 });
      } catch (e) {
        if (stop.signal.aborted) throw stop.signal.reason;
        throw unreachable(e);
      }
    }
  })();
  try {
    return await Promise.race([receipt, probe]);
  } finally {
    stop.abort();
    receipt.catch(() => undefined);
    probe.catch(() => undefined);
  }
}
