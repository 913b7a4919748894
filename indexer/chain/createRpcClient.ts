import { getHttpRpcClient } from "viem/utils";
import {
  IndexerConfigError,
  IndexerInconsistentResponseError,
  IndexerRangeTooLargeError,
  IndexerRpcError,
} from "../errors.js";
import { classifyRpcError } from "./classifyRpcError.js";

/** Retry policy of {@link createRpcClient}. */
export type RetryPolicy = {
  /** Attempts per call across all URLs (default 8). */
  maxAttempts?: number;
  /** First back-off delay (default 100 ms), doubled each attempt, with jitter. */
  baseDelayMs?: number;
  /** Back-off ceiling (default 4 s). */
  maxDelayMs?: number;
  /** Per-request time-out (default 10 s). */
  timeoutMs?: number;
};

/** What the client reports about a retry. */
export type RpcRetryInfo = {
  method: string;
  url: string;
  attempt: number;
  delayMs: number;
  error: IndexerRpcError | IndexerInconsistentResponseError;
};

/** A JSON-RPC client over several HTTP URLs with fallback and bounded retries. */
export type RpcClient = {
  /** One call; retried on retryable errors, moving to the next URL after each failure. */
  request<T>(method: string, params: readonly unknown[]): Promise<T>;
  /** Several calls in one HTTP batch; the whole batch is retried when any element fails retryably. */
  batch<T>(calls: readonly { method: string; params: readonly unknown[] }[]): Promise<T[]>;
  readonly urls: readonly string[];
};

type RpcAnswer = { id?: number; result?: unknown; error?: { code: number; message: string } };

/**
 * Creates a JSON-RPC client (viem's HTTP RPC client underneath) with typed errors: range-too-large
 * errors go straight to the caller (which shrinks its block range); retryable errors are retried
 * with exponential back-off and jitter, each retry on the next URL; others are thrown at once.
 *
 * @param parameters.urls - one or more HTTP(S) RPC URLs, in order of preference.
 * @param parameters.retry - see {@link RetryPolicy}.
 * @param parameters.onRetry - called before each back-off sleep.
 * @param parameters.signal - aborts sleeps and requests.
 * @returns an {@link RpcClient}.
 * @example
 * const rpc = createRpcClient({ urls: ["http://127.0.0.1:8545"] });
 * const head = BigInt(await rpc.request<string>("eth_blockNumber", []));
 */
export function createRpcClient(parameters: {
  urls: readonly string[];
  retry?: RetryPolicy | undefined;
  onRetry?: ((info: RpcRetryInfo) => void) | undefined;
  signal?: AbortSignal | undefined;
}): RpcClient {
  const urls = parameters.urls;
  if (!urls.length)
    throw new IndexerConfigError("No RPC URL given.", {
      details: "Pass --rpc URL (several for fallback) or set KEYTRAIL_RPC_URL.",
    });
  for (const u of urls) {
    if (!/^https?:\/\//.test(u))
      throw new IndexerConfigError(`RPC URL "${u}" is not http(s).`, {
        details: "Expected e.g. http://127.0.0.1:8545.",
      });
  }
  const maxAttempts = parameters.retry?.maxAttempts ?? 8;
  const base = parameters.retry?.baseDelayMs ?? 100;
  const cap = parameters.retry?.maxDelayMs ?? 4000;
  const timeout = parameters.retry?.timeoutMs ?? 10_000;
  const clients = urls.map((u) => getHttpRpcClient(u, { timeout }));
  let preferred = 0;
  let nextId = 1;

  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      const signal = parameters.signal;
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });

  async function withRetry<T>(method: string, once: (i: number) => Promise<T>): Promise<T> {
    let last: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const i = preferred;
      try {
        return await once(i);
      } catch (e) {
        const err =
          e instanceof IndexerRpcError ||
          e instanceof IndexerRangeTooLargeError ||
          e instanceof IndexerInconsistentResponseError
            ? e
            : classifyRpcError({ error: e, method, url: urls[i]! });
        if (err instanceof IndexerRangeTooLargeError || !err.retryable || parameters.signal?.aborted) throw err;
        last = err;
        preferred = (i + 1) % clients.length;
        if (attempt === maxAttempts) break;
        const delayMs = Math.round(Math.min(cap, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
        parameters.onRetry?.({ method, url: urls[i]!, attempt, delayMs, error: err });
        await sleep(delayMs);
      }
    }
    throw new IndexerRpcError(`${method}: gave up after ${maxAttempts} attempts over ${urls.length} RPC URL(s).`, {
      cause: last,
      retryable: false,
      details: last instanceof Error ? `Last error: ${last.message}` : undefined,
    });
  }

  return {
    urls,
    request<T>(method: string, params: readonly unknown[]) {
      return withRetry(method, async (i) => {
        const answer = (await clients[i]!.request({
          body: { method, params: [...params], id: nextId++ },
          fetchOptions: parameters.signal ? { signal: parameters.signal } : {},
        })) as RpcAnswer;
        if (answer.error) throw classifyRpcError({ error: answer.error, method, url: urls[i]! });
        if (!("result" in answer))
          throw new IndexerInconsistentResponseError(`${method} at ${urls[i]}: answer without a result.`);
        return answer.result as T;
      });
    },
    batch<T>(calls: readonly { method: string; params: readonly unknown[] }[]) {
      if (!calls.length) return Promise.resolve([]);
      const method = calls[0]!.method;
      return withRetry(method, async (i) => {
        const ids = calls.map(() => nextId++);
        const body = calls.map((c, k) => ({ method: c.method, params: [...c.params], id: ids[k] }));
        const answers = (await clients[i]!.request({
          body,
          fetchOptions: parameters.signal ? { signal: parameters.signal } : {},
        })) as unknown as RpcAnswer[];
        if (!Array.isArray(answers))
          throw new IndexerInconsistentResponseError(`${method} batch at ${urls[i]}: answer is not an array.`);
        const byId = new Map(answers.map((a) => [a.id, a]));
        return ids.map((id, k) => {
          const a = byId.get(id);
          if (!a)
            throw new IndexerInconsistentResponseError(`${method} batch at ${urls[i]}: no answer for request ${k}.`);
          if (a.error) throw classifyRpcError({ error: a.error, method: calls[k]!.method, url: urls[i]! });
          return a.result as T;
        });
      });
    },
  };
}
