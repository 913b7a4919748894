import { HttpRequestError, ResponseBodyTooLargeError, RpcRequestError, TimeoutError } from "viem";
import { IndexerRangeTooLargeError, IndexerRpcError } from "../errors.js";

const RANGE_HINT = /(too many|more than|limit|exceed|range|response size|too large|10000 results|block range)/i;

/**
 * Turns whatever an RPC call threw (or a JSON-RPC error object it answered) into a typed indexer
 * error: {@link IndexerRangeTooLargeError} when the answer was too big for the block range
 * (viem's ResponseBodyTooLargeError, HTTP 413, "-32005 limit exceeded" and similar), otherwise
 * {@link IndexerRpcError} with `retryable` set for time-outs, 429, 5xx, dropped connections,
 * unreadable bodies and server-side JSON-RPC errors.
 *
 * @param parameters.error - the thrown error, or a JSON-RPC `error` member.
 * @param parameters.method - the JSON-RPC method (log-range hints only count for eth_getLogs).
 * @param parameters.url - which RPC answered (for the message).
 * @returns a typed error to throw.
 * @example
 * throw classifyRpcError({ error: e, method: "eth_getLogs", url });
 */
export function classifyRpcError(parameters: {
  error: unknown;
  method: string;
  url: string;
}): IndexerRpcError | IndexerRangeTooLargeError {
  const { error, method, url } = parameters;
  const where = `${method} at ${url}`;
  const isLogs = method === "eth_getLogs";
  if (error instanceof ResponseBodyTooLargeError) {
    return new IndexerRangeTooLargeError(`${where}: response body over ${error.maxSize} bytes.`, {
      cause: error,
      details: "The block range is shrunk and the call repeated.",
    });
  }
  if (error instanceof TimeoutError)
    return new IndexerRpcError(`${where}: timed out.`, { cause: error, retryable: true });
  const rpcErr =
    error instanceof RpcRequestError
      ? { code: error.code, message: error.shortMessage, status: error.status }
      : undefined;
  const obj =
    !rpcErr && typeof error === "object" && error !== null && "code" in error && "message" in error
      ? (error as { code: number; message: string })
      : undefined;
  const rpc = rpcErr ?? (obj ? { code: obj.code, message: String(obj.message), status: undefined } : undefined);
  if (rpc) {
    if (isLogs && (rpc.code === -32005 || RANGE_HINT.test(rpc.message))) {
      return new IndexerRangeTooLargeError(`${where}: ${rpc.message} (code ${rpc.code}).`, { cause: error });
    }
    if (rpc.status === 429 || rpc.code === 429 || rpc.code === -32005) {
      return new IndexerRpcError(`${where}: rate limited (${rpc.message}).`, { cause: error, retryable: true });
    }
    const retryable =
      rpc.code === -32603 ||
      (rpc.code <= -32000 && rpc.code >= -32099) ||
      (rpc.status !== undefined && rpc.status >= 500);
    return new IndexerRpcError(`${where}: JSON-RPC error ${rpc.code}: ${rpc.message}.`, { cause: error, retryable });
  }
  if (error instanceof HttpRequestError) {
    const status = error.status;
    if (status === 413 && isLogs) return new IndexerRangeTooLargeError(`${where}: HTTP 413.`, { cause: error });
    if (status === undefined)
      return new IndexerRpcError(`${where}: ${error.shortMessage} (connection dropped or body unreadable).`, {
        cause: error,
        retryable: true,
      });
    const retryable = status === 429 || status === 408 || status >= 500;
    return new IndexerRpcError(`${where}: HTTP ${status}.`, { cause: error, retryable });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new IndexerRpcError(`${where}: ${message}`, { cause: error, retryable: true });
}
