/**
 * A minimal JSON-RPC transport for the verify page: callers over one or several endpoints (JSON-RPC
 * batches per endpoint and task), a cross-checking caller that believes only answers every endpoint
 * gives, and the ledger version probe (`SALES()`, v2 only). The selectors and the topic of the
 * hand-encoded reads (rpcReads.ts, loaded on demand) live here and are checked against the generated
 * ABIs by the portal's tests, so the page ships no general-purpose Ethereum client.
 */
import { RpcError } from "../errors.js";

/** `keyStatus(bytes32,uint64,uint64)` selector. */
export const KEY_STATUS_SELECTOR = "0x3a8c73ec";
/** `batchOf(bytes32)` selector. */
export const BATCH_OF_SELECTOR = "0xaee05732";
/** Error `KeyLedgerBatchNotFound(bytes32)`: keyStatus of a batch that was never anchored. */
export const BATCH_NOT_FOUND_SELECTOR = "0xbce899d1";
/** Error `KeyLedgerInvalidRange(bytes32,uint64,uint64,uint64)`: keyStatus of an index outside the batch. */
export const INVALID_RANGE_SELECTOR = "0xf4cc7397";

export { RpcError };

function revertDataOf(error: unknown): string | undefined {
  const e = error as { data?: unknown } | undefined;
  const d = e?.data;
  if (typeof d === "string" && /^0x[0-9a-fA-F]*$/.test(d)) return d.toLowerCase();
  if (d && typeof d === "object" && typeof (d as { data?: unknown }).data === "string") return revertDataOf(d);
  return undefined;
}

/** A JSON-RPC caller over several endpoints, tried in order. */
export type Rpc = {
  request: (method: string, params: unknown[]) => Promise<unknown>;
  chainId: () => Promise<number>;
  /** Sends the requests gathered so far now, instead of at the end of the task. */
  flush?: () => void;
};

type JsonRpcMessage = { jsonrpc: "2.0"; id: number; method: string; params: unknown[] };
type Queued = { msg: JsonRpcMessage; ok: (body: unknown) => void; fail: (e: unknown) => void };

/** POSTs one JSON-RPC message or batch; rejects on a network error, a time-out ("timed out") or an HTTP error. */
async function postJson(url: string, payload: unknown, timeoutMs: number): Promise<unknown> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
      signal: ctrl.signal,
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return await res.json();
  } catch (error) {
    throw new Error(ctrl.signal.aborted ? "timed out" : (error as Error).message);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates the caller. Each endpoint gets `timeoutMs`; a network error, timeout or HTTP error moves
 * on to the next; a JSON-RPC error answer (a revert) is final. Requests made to one endpoint in the
 * same task go out as one JSON-RPC batch (one HTTP request); an endpoint that does not answer a batch
 * with an array (an HTTP error, a single object) gets each request again on its own, and from then on
 * only single requests. Every answer is matched to its request by id.
 *
 * @param urls - configured RPC URLs
 * @param timeoutMs - per endpoint
 * @returns the caller
 * @example
 * const rpc = createRpc(["http://127.0.0.1:8545"]);
 * await rpc.chainId();
 */
export function createRpc(urls: readonly string[], timeoutMs = 8000): Rpc {
  let id = 0;
  let chainIdCache: Promise<number> | undefined;
  const queues = new Map<string, Queued[]>();
  const noBatch = new Set<string>();
  const flush = async (url: string) => {
    const q = queues.get(url) ?? [];
    queues.delete(url);
    if (q.length === 0) return; // sent already by flush()
    const single = (p: Queued) => postJson(url, p.msg, timeoutMs).then(p.ok, p.fail);
    if (q.length === 1 || noBatch.has(url)) return void q.map(single);
    let answers: unknown;
    try {
      answers = await postJson(
        url,
        q.map((p) => p.msg),
        timeoutMs,
      );
    } catch (error) {
      // Unreachable or timed out: asking again one by one would only wait again.
      if (!(error instanceof Error && /^HTTP /.test(error.message))) return void q.forEach((p) => p.fail(error));
    }
    if (!Array.isArray(answers)) noBatch.add(url);
    const byId = new Map(
      (Array.isArray(answers) ? answers : []).map((a) => [(a as { id?: unknown } | null)?.id, a] as const),
    );
    for (const p of q) {
      const a = byId.get(p.msg.id);
      if (a && typeof a === "object") p.ok(a);
      else void single(p);
    }
  };
  const send = (url: string, msg: JsonRpcMessage): Promise<unknown> =>
    new Promise((ok, fail) => {
      let q = queues.get(url);
      if (!q) {
        queues.set(url, (q = []));
        setTimeout(() => void flush(url), 0);
      }
      q.push({ msg, ok, fail });
    });
  const request = async (method: string, params: unknown[]): Promise<unknown> => {
    const problems: string[] = [];
    for (const url of urls) {
      let body: unknown;
      try {
        body = await send(url, { jsonrpc: "2.0", id: ++id, method, params });
      } catch (error) {
        problems.push(`${new URL(url).host}: ${(error as Error).message}`);
        continue;
      }
      const b = body as { result?: unknown; error?: { message?: unknown } };
      if (b && typeof b === "object" && b.error)
        throw new RpcError(`${method} failed: ${String(b.error.message ?? "error")}`, false, revertDataOf(b.error));
      if (!b || typeof b !== "object" || !("result" in b)) {
        problems.push(`${new URL(url).host}: not a JSON-RPC answer`);
        continue;
      }
      return b.result;
    }
    throw new RpcError(`no RPC endpoint answered (${problems.join("; ")})`, true);
  };
  const chainId = () => {
    chainIdCache ??= request("eth_chainId", []).then((r) => {
      if (typeof r !== "string" || !/^0x[0-9a-f]+$/i.test(r))
        throw new RpcError(`eth_chainId answered ${JSON.stringify(r)}`, true);
      return Number(BigInt(r));
    });
    chainIdCache.catch(() => (chainIdCache = undefined));
    return chainIdCache;
  };
  return { request, chainId, flush: () => [...queues.keys()].forEach((url) => void flush(url)) };
}

/** A caller that asks every configured endpoint and answers only when all that answer agree. */
export type CheckedRpc = Rpc & {
  /** From now on, `eth_call`s at "latest" are made at this block (the block the RPCs agreed on); undefined unpins. */
  pin: (block: bigint | undefined) => void;
  /** Runs `read` against every endpoint alone; the answers of those that answer must be equal. */
  agree: <T>(read: (rpc: Rpc) => Promise<T>, what: string) => Promise<T>;
  /** One JSON-RPC request to one configured endpoint (the shape lib/proof's readers take). */
  requestOne: (url: string, method: string, params: unknown[]) => Promise<unknown>;
};

/**
 * Creates a cross-checking caller: every request goes to every endpoint at once; endpoints that do
 * not answer are left out, and the answers of the others (a result, or a revert with its data) must
 * be identical. Two different answers throw an `unreachable` RpcError ("cannot confirm"): with one
 * honest and one lying RPC, an `eth_call` cannot be told from the truth, so it is not believed.
 *
 * @param urls - configured RPC URLs
 * @param timeoutMs - per endpoint
 * @returns the caller
 * @example
 * const checked = createCheckedRpc(["https://a.example", "https://b.example"]);
 * const sale = await readSaleLogRaw(checked, { ledger, batchId, saleNo: 1 });
 */
export function createCheckedRpc(urls: readonly string[], timeoutMs = 8000): CheckedRpc {
  // Each endpoint's chain id is asked once per page (the chain-id check and the block agreement share
  // the answer); a failed ask is forgotten, so the next check asks again.
  const singles = new Map(
    urls.map((u): [string, Rpc] => {
      const rpc = createRpc([u], timeoutMs);
      let id: Promise<unknown> | undefined;
      const request = (method: string, params: unknown[]) => {
        if (method !== "eth_chainId") return rpc.request(method, params);
        id ??= rpc.request(method, params);
        id.catch(() => (id = undefined));
        return id;
      };
      return [u, { request, chainId: rpc.chainId, flush: rpc.flush }];
    }),
  );
  let pinned: string | undefined;
  const agree = async <T>(read: (rpc: Rpc) => Promise<T>, what: string): Promise<T> => {
    const settled = await Promise.allSettled([...singles.values()].map(read));
    const answers: { key: string; value?: T; error?: RpcError }[] = [];
    const problems: string[] = [];
    for (const s of settled) {
      if (s.status === "fulfilled") answers.push({ key: `result:${JSON.stringify(s.value)}`, value: s.value });
      else if (s.reason instanceof RpcError && !s.reason.unreachable)
        answers.push({ key: `error:${s.reason.revertData ?? ""}`, error: s.reason });
      else problems.push(s.reason instanceof Error ? s.reason.message : String(s.reason));
    }
    const [head] = answers;
    if (!head) throw new RpcError(`no RPC endpoint answered ${what} (${problems.join("; ")})`, true);
    const distinct = new Set(answers.map((a) => a.key)).size;
    if (distinct > 1)
      throw new RpcError(`RPCs disagree on ${what}: ${distinct} different answers — cannot confirm`, true);
    if (head.error) throw head.error;
    return head.value as T;
  };
  const request = (method: string, params: unknown[]): Promise<unknown> => {
    const at = method === "eth_call" && pinned !== undefined && params[1] === "latest" ? [params[0], pinned] : params;
    return agree((r) => r.request(method, at), method);
  };
  const requestOne = (url: string, method: string, params: unknown[]) => {
    const one = singles.get(url);
    if (!one) throw new RpcError(`${url} is not a configured RPC`, false);
    return one.request(method, params);
  };
  let chainIdCache: Promise<number> | undefined;
  const chainId = () => {
    chainIdCache ??= request("eth_chainId", []).then((r) => {
      if (typeof r !== "string" || !/^0x[0-9a-f]+$/i.test(r))
        throw new RpcError(`eth_chainId answered ${JSON.stringify(r)}`, true);
      return Number(BigInt(r));
    });
    chainIdCache.catch(() => (chainIdCache = undefined));
    return chainIdCache;
  };
  return {
    request,
    chainId,
    agree,
    requestOne,
    flush: () => singles.forEach((r) => r.flush?.()),
    pin: (block) => (pinned = block === undefined ? undefined : `0x${block.toString(16)}`),
  };
}

// ---------------------------------------------------------------- v2 ledgers

/** `SALES()` selector: a v2-only immutable view (the sale module's address), the version probe. */
export const SALES_SELECTOR = "0x6be6e9d9";
/** `keyStatus(bytes32,uint64)` selector (v2: no hint; a struct of 17 static words). */
export const KEY_STATUS_V2_SELECTOR = "0x366ba3ac";
/** `verifyReceipt(bytes32,uint64,bytes32,bytes32,bytes32[])` selector. */
export const VERIFY_RECEIPT_SELECTOR = "0x024fe3d6";
/** Topic 0 of `KeysSold(bytes32,address,uint32,bytes32,uint64,(bytes32,bytes32,uint128,bytes3),uint64[],bytes32[],bytes32[])`. */
export const KEYS_SOLD_TOPIC = "0xab5961b8b943ddbca385a8c93dd594ed0151049a8a9f9aa7c00250eb29548bc1";

const versions = new Map<string, Promise<1 | 2>>();

/**
 * The ledger's version, with one `eth_call` of `SALES()` (v2 answers with the sale module's
 * address; a v1 ledger has no such function and no fallback, so it reverts). Cached per ledger; an
 * unreachable RPC is thrown, not guessed.
 *
 * @param rpc - caller from {@link createRpc}
 * @param ledger - the ledger address
 * @returns 1 or 2
 * @example
 * if ((await ledgerVersionRaw(rpc, cfg.ledger)) === 2) …
 */
export function ledgerVersionRaw(rpc: Rpc, ledger: string): Promise<1 | 2> {
  const key = ledger.toLowerCase();
  let p = versions.get(key);
  if (!p) {
    p = probeLedgerVersion(rpc, ledger);
    versions.set(key, p);
    p.catch(() => versions.delete(key));
  }
  return p;
}

/**
 * The ledger's version from one `SALES()` probe, not cached (see {@link ledgerVersionRaw}).
 *
 * @param rpc - caller from {@link createRpc}
 * @param ledger - the ledger address
 * @returns 1 or 2
 * @example
 * const v = await checked.agree((r) => probeLedgerVersion(r, ledger), "the ledger version");
 */
export function probeLedgerVersion(rpc: Rpc, ledger: string): Promise<1 | 2> {
  return rpc.request("eth_call", [{ to: ledger, data: SALES_SELECTOR }, "latest"]).then(
    (r): 1 | 2 => (typeof r === "string" && /^0x[0-9a-fA-F]{64}$/.test(r) && !/^0x0{64}$/.test(r) ? 2 : 1),
    (error: unknown): 1 | 2 => {
      if (error instanceof RpcError && !error.unreachable) return 1;
      throw error;
    },
  );
}
