import { ProofError } from "./errors.js";

/** Sends one JSON-RPC request to one URL; resolves the `result` or rejects with a reason naming the URL. */
export type RpcRequest = (url: string, method: string, params: unknown[]) => Promise<unknown>;

/** Parameters of {@link createRpcRequest}. */
export type CreateRpcRequestParameters = {
  /** Per-request time-out in milliseconds (default 8,000). */
  timeoutMs?: number;
  /** Largest response accepted, in bytes (default 4 MiB): a tar-pit or a flood is cut off. */
  maxBytes?: number;
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: typeof globalThis.fetch;
};

/**
 * A JSON-RPC requester over HTTP with a time-out and a byte cap, for reading several RPCs
 * independently (no batching, no retries: a slow or lying RPC must not hold the verdict hostage).
 *
 * @param parameters - time-out, byte cap, fetch.
 * @returns the requester.
 * @example
 * const request = createRpcRequest({ timeoutMs: 5_000 });
 * const head = await request("https://rpc.example", "eth_blockNumber", []);
 */
export function createRpcRequest(parameters: CreateRpcRequestParameters = {}): RpcRequest {
  const timeoutMs = parameters.timeoutMs ?? 8_000;
  const maxBytes = parameters.maxBytes ?? 4 * 1024 * 1024;
  const doFetch = parameters.fetch ?? globalThis.fetch;
  let id = 0;
  return async (url, method, params) => {
    const res = await doFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    }).catch((e: unknown) => {
      throw new ProofError(`RPC ${url}: ${method} failed (${e instanceof Error ? e.message : String(e)}).`, {
        cause: e,
        retryable: true,
      });
    });
    if (!res.ok) throw new ProofError(`RPC ${url}: ${method} answered HTTP ${res.status}.`, { retryable: true });
    const reader = res.body?.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (reader) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > maxBytes) {
          await reader.cancel();
          throw new ProofError(`RPC ${url}: ${method} answered more than ${maxBytes} bytes.`);
        }
        chunks.push(value);
      }
    }
    const text = new TextDecoder().decode(chunks.length === 1 ? chunks[0] : concat(chunks, size));
    let body: { result?: unknown; error?: { message?: string } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new ProofError(`RPC ${url}: ${method} answered something that is not JSON.`);
    }
    if (body.error) throw new ProofError(`RPC ${url}: ${method} error: ${body.error.message ?? "unknown"}.`);
    return body.result;
  };
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

/**
 * A requester that sends each distinct request (URL, method and parameters) once and hands every
 * later caller the same answer or the same failure. For one read only: it remembers `eth_blockNumber`
 * too, so that work started ahead (`prefetchFirstProofs`) and the block agreement see the same heads.
 *
 * @param request - the requester that sends.
 * @returns the remembering requester.
 * @example
 * const remembered = rememberRequests(createRpcRequest({ timeoutMs: 10_000 }));
 */
export function rememberRequests(request: RpcRequest): RpcRequest {
  const answers = new Map<string, Promise<unknown>>();
  return (url, method, params) => {
    const key = JSON.stringify([url, method, params]);
    let answer = answers.get(key);
    if (!answer) answers.set(key, (answer = request(url, method, params)));
    return answer;
  };
}
