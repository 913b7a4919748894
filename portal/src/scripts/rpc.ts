/**
 * A minimal JSON-RPC client for the verify page: `eth_chainId` and one `eth_call` of the ledger's
 * `keyStatus(bytes32,uint64,uint64)` view, ABI-encoded and decoded by hand (the return is a struct
 * of ten static words), so the page ships no general-purpose Ethereum client. On a v2 ledger
 * (detected with `SALES()`): `keyStatus(bytes32,uint64)` (17 static words), the `KeysSold` log of a
 * sale (`eth_getLogs` on its two indexed topics) and `verifyReceipt`. The selectors and the topic
 * are checked against the generated ABIs by the portal's tests.
 */
import type { KeyStatus } from "../../../lib/schemas/keyStatus.ts";
import type { SaleRecord } from "../../../lib/verify/types.ts";
import { REVOCATION_REASONS } from "../../../lib/verify/revocationReasons.js";
import { RpcError } from "../errors.js";

/** `keyStatus(bytes32,uint64,uint64)` selector. */
export const KEY_STATUS_SELECTOR = "0x3a8c73ec";
/** `batchOf(bytes32)` selector. */
export const BATCH_OF_SELECTOR = "0xaee05732";
/** Error `KeyLedgerBatchNotFound(bytes32)`: keyStatus of a batch that was never anchored. */
export const BATCH_NOT_FOUND_SELECTOR = "0xbce899d1";
/** Error `KeyLedgerInvalidRange(bytes32,uint64,uint64,uint64)`: keyStatus of an index outside the batch. */
export const INVALID_RANGE_SELECTOR = "0xf4cc7397";
const ZERO_ADDRESS = `0x${"0".repeat(40)}` as const;

export { RpcError };

function revertDataOf(error: unknown): string | undefined {
  const e = error as { data?: unknown } | undefined;
  const d = e?.data;
  if (typeof d === "string" && /^0x[0-9a-fA-F]*$/.test(d)) return d.toLowerCase();
  if (d && typeof d === "object" && typeof (d as { data?: unknown }).data === "string") return revertDataOf(d);
  return undefined;
}

/** A JSON-RPC caller over several endpoints, tried in order. */
export type Rpc = { request: (method: string, params: unknown[]) => Promise<unknown>; chainId: () => Promise<number> };

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
  return { request, chainId };
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
      return [u, { request, chainId: rpc.chainId }];
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
    pin: (block) => (pinned = block === undefined ? undefined : `0x${block.toString(16)}`),
  };
}

const word = (n: bigint) => n.toString(16).padStart(64, "0");

/**
 * Reads one key's status from the ledger (one `eth_call`, latest block). The ledger reverts for a
 * batch that was never anchored (returned here as a zero root, the agreed "no such batch") and for
 * an index outside the batch (returned with the batch's root and count, holder zero, so the
 * verifier says "not in this batch").
 *
 * @param rpc - caller from {@link createRpc}
 * @param q - ledger address, batch id, key index, optional segment hint
 * @returns the decoded status
 * @throws RpcError (unreachable, or an unexpected revert)
 * @example
 * const s = await readKeyStatusRaw(rpc, { ledger, batchId, index: 5 });
 */
export async function readKeyStatusRaw(
  rpc: Rpc,
  q: { ledger: string; batchId: string; index: number | bigint; hint?: number | bigint },
): Promise<KeyStatus> {
  if (!/^0x[0-9a-fA-F]{40}$/.test(q.ledger) || !/^0x[0-9a-fA-F]{64}$/.test(q.batchId))
    throw new RpcError("bad keyStatus arguments", false);
  const id = q.batchId.slice(2).toLowerCase();
  const call = async (data: string, words: number): Promise<(i: number) => string> => {
    const r = await rpc.request("eth_call", [{ to: q.ledger, data }, "latest"]);
    if (typeof r !== "string" || !/^0x[0-9a-fA-F]*$/.test(r) || r.length < 2 + 64 * words)
      throw new RpcError(`eth_call returned ${String(r).slice(0, 80)}`, false);
    return (i: number) => r.slice(2 + 64 * i, 2 + 64 * (i + 1));
  };
  const n = (w: string) => Number(BigInt(`0x${w}`));
  const a = (w: string) => `0x${w.slice(24)}` as `0x${string}`;
  let w: (i: number) => string;
  try {
    w = await call(KEY_STATUS_SELECTOR + id + word(BigInt(q.index)) + word(BigInt(q.hint ?? 0)), 10);
  } catch (error) {
    const data = error instanceof RpcError ? error.revertData : undefined;
    if (data?.startsWith(BATCH_NOT_FOUND_SELECTOR))
      return {
        root: `0x${"0".repeat(64)}`,
        supplier: ZERO_ADDRESS,
        count: 0,
        expiresAt: 0,
        restricted: false,
        holder: ZERO_ADDRESS,
        segmentStart: 0,
        segmentEnd: 0,
        frozenReason: "none",
        redeemed: false,
      };
    if (data?.startsWith(INVALID_RANGE_SELECTOR)) {
      const b = await call(BATCH_OF_SELECTOR + id, 5);
      return {
        root: `0x${b(0)}`,
        supplier: a(b(1)),
        count: n(b(2)),
        expiresAt: n(b(3)),
        restricted: n(b(4)) !== 0,
        holder: ZERO_ADDRESS,
        segmentStart: 0,
        segmentEnd: 0,
        frozenReason: "none",
        redeemed: false,
      };
    }
    throw error;
  }
  const reason = n(w(8));
  return {
    root: `0x${w(0)}`,
    supplier: a(w(1)),
    count: n(w(2)),
    expiresAt: n(w(3)),
    restricted: n(w(4)) !== 0,
    holder: a(w(5)),
    segmentStart: n(w(6)),
    segmentEnd: n(w(7)),
    frozenReason: REVOCATION_REASONS[reason] ?? "other",
    redeemed: n(w(9)) !== 0,
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

const hex32 = /^0x[0-9a-fA-F]{64}$/;

/**
 * Reads one key's status from a v2 ledger (`keyStatus(bytes32,uint64)`, no hint), with the v2
 * fields; an unknown batch and an index outside the batch come back as data, as in
 * {@link readKeyStatusRaw}.
 *
 * @param rpc - caller from {@link createRpc}
 * @param q - ledger address, batch id, key index
 * @returns the decoded status, `ledgerVersion: 2`
 * @throws RpcError (unreachable, or an unexpected revert)
 * @example
 * const s = await readKeyStatusV2Raw(rpc, { ledger, batchId, index: 5 });
 */
export async function readKeyStatusV2Raw(
  rpc: Rpc,
  q: { ledger: string; batchId: string; index: number | bigint },
): Promise<KeyStatus> {
  if (!/^0x[0-9a-fA-F]{40}$/.test(q.ledger) || !hex32.test(q.batchId))
    throw new RpcError("bad keyStatus arguments", false);
  const id = q.batchId.slice(2).toLowerCase();
  const call = async (data: string, words: number): Promise<(i: number) => string> => {
    const r = await rpc.request("eth_call", [{ to: q.ledger, data }, "latest"]);
    if (typeof r !== "string" || !/^0x[0-9a-fA-F]*$/.test(r) || r.length < 2 + 64 * words)
      throw new RpcError(`eth_call returned ${String(r).slice(0, 80)}`, false);
    return (i: number) => r.slice(2 + 64 * i, 2 + 64 * (i + 1));
  };
  const n = (w: string) => Number(BigInt(`0x${w}`));
  const a = (w: string) => `0x${w.slice(24)}` as `0x${string}`;
  const reason = (w: string) => REVOCATION_REASONS[n(w)] ?? "other";
  const none = {
    holder: ZERO_ADDRESS,
    segmentStart: 0,
    segmentEnd: 0,
    frozenReason: "none",
    redeemed: false,
    ledgerVersion: 2,
    issuerSuspended: false,
    frozenByRegulator: false,
    supplierReason: "none",
    saleNo: 0,
    sold: false,
    refunded: false,
  } as const;
  let w: (i: number) => string;
  try {
    w = await call(KEY_STATUS_V2_SELECTOR + id + word(BigInt(q.index)), 17);
  } catch (error) {
    const data = error instanceof RpcError ? error.revertData : undefined;
    if (data?.startsWith(BATCH_NOT_FOUND_SELECTOR))
      return {
        root: `0x${"0".repeat(64)}`,
        supplier: ZERO_ADDRESS,
        count: 0,
        expiresAt: 0,
        restricted: false,
        saleRequired: false,
        ...none,
      };
    if (data?.startsWith(INVALID_RANGE_SELECTOR)) {
      const b = await call(BATCH_OF_SELECTOR + id, 6);
      return {
        root: `0x${b(0)}`,
        supplier: a(b(1)),
        count: n(b(2)),
        expiresAt: n(b(3)),
        restricted: n(b(4)) !== 0,
        saleRequired: n(b(5)) !== 0,
        ...none,
      };
    }
    throw error;
  }
  return {
    root: `0x${w(0)}`,
    supplier: a(w(1)),
    count: n(w(2)),
    expiresAt: n(w(3)),
    restricted: n(w(4)) !== 0,
    saleRequired: n(w(5)) !== 0,
    issuerSuspended: n(w(6)) !== 0,
    holder: a(w(7)),
    segmentStart: n(w(8)),
    segmentEnd: n(w(9)),
    frozenReason: reason(w(10)),
    frozenByRegulator: n(w(11)) !== 0,
    supplierReason: reason(w(12)),
    redeemed: n(w(13)) !== 0,
    saleNo: n(w(14)),
    sold: n(w(15)) !== 0,
    refunded: n(w(16)) !== 0,
    ledgerVersion: 2,
  };
}

/**
 * Reads the `KeysSold` log of sale `saleNo` of a batch (`eth_getLogs` on the batch id and sale
 * number topics, from the earliest block) and decodes it by hand. Evidence only: the verifier
 * confirms the key's item with `verifyReceipt` ({@link readReceiptValidRaw}).
 *
 * @param rpc - caller from {@link createRpc}
 * @param q - ledger, batch id, sale number
 * @returns the sale as logged
 * @throws RpcError (unreachable, malformed answer, or not exactly one log)
 * @example
 * const sale = await readSaleLogRaw(rpc, { ledger, batchId, saleNo: 3 });
 */
export async function readSaleLogRaw(
  rpc: Rpc,
  q: { ledger: string; batchId: string; saleNo: number },
): Promise<SaleRecord> {
  if (!/^0x[0-9a-fA-F]{40}$/.test(q.ledger) || !hex32.test(q.batchId) || !Number.isInteger(q.saleNo) || q.saleNo < 1)
    throw new RpcError("bad KeysSold arguments", false);
  const logs = await rpc.request("eth_getLogs", [
    {
      address: q.ledger,
      fromBlock: "0x0",
      toBlock: "latest",
      topics: [KEYS_SOLD_TOPIC, q.batchId.toLowerCase(), null, `0x${word(BigInt(q.saleNo))}`],
    },
  ]);
  if (!Array.isArray(logs) || logs.length !== 1)
    throw new RpcError(
      `sale ${q.saleNo} of batch ${q.batchId}: ${Array.isArray(logs) ? logs.length : "no"} KeysSold logs, expected 1`,
      false,
    );
  const log = logs[0] as { data?: unknown; topics?: unknown; transactionHash?: unknown; blockNumber?: unknown };
  const topics = log.topics;
  const data = log.data;
  if (
    typeof data !== "string" ||
    !/^0x(?:[0-9a-fA-F]{64})+$/.test(data) ||
    !Array.isArray(topics) ||
    topics.length !== 4 ||
    !topics.every((t) => typeof t === "string" && hex32.test(t)) ||
    typeof log.transactionHash !== "string" ||
    !hex32.test(log.transactionHash) ||
    typeof log.blockNumber !== "string"
  )
    throw new RpcError("eth_getLogs answered a malformed KeysSold log", false);
  const words = (data.length - 2) / 64;
  const w = (i: number) => {
    if (i >= words) throw new RpcError("eth_getLogs answered a truncated KeysSold log", false);
    return data.slice(2 + 64 * i, 2 + 64 * (i + 1));
  };
  const n = (x: string) => BigInt(`0x${x}`);
  const array = (head: number): string[] => {
    const at = n(w(head));
    if (at % 32n !== 0n || at / 32n >= BigInt(words)) throw new RpcError("KeysSold log: bad array offset", false);
    const start = Number(at / 32n);
    const len = n(w(start));
    if (len > BigInt(words)) throw new RpcError("KeysSold log: bad array length", false);
    return Array.from({ length: Number(len) }, (_, k) => w(start + 1 + k));
  };
  // data: root, soldAt, context (store, terminal, amount, currency), then offsets of indices, commitments, orderRefs
  const currencyHex = w(5).slice(0, 6);
  const currency = /^(?:[2-7][0-9a-f]){3}$/i.test(currencyHex)
    ? String.fromCharCode(...currencyHex.match(/../g)!.map((x) => parseInt(x, 16)))
    : `0x${currencyHex}`;
  return {
    batchId: `0x${(topics[1] as string).slice(2).toLowerCase()}`,
    seller: `0x${(topics[2] as string).slice(26)}`,
    saleNo: Number(n((topics[3] as string).slice(2))),
    root: `0x${w(0)}`,
    soldAt: Number(n(w(1))),
    store: `0x${w(2)}`,
    terminal: `0x${w(3)}`,
    amount: n(w(4)).toString(),
    currency,
    indices: array(6).map((x) => Number(n(x))),
    commitments: array(7).map((x) => `0x${x}` as `0x${string}`),
    orderRefs: array(8).map((x) => `0x${x}` as `0x${string}`),
    tx: log.transactionHash as `0x${string}`,
    blockNumber: Number(BigInt(log.blockNumber)),
  };
}

/**
 * Asks a v2 ledger `verifyReceipt(batchId, index, commitment, orderRef, proof)` (one `eth_call`).
 *
 * @param rpc - caller from {@link createRpc}
 * @param q - ledger, batch id, index, commitment, order-reference hash, sale proof
 * @returns whether the ledger accepts it as the key's live receipt
 * @throws RpcError
 * @example
 * const ok = await readReceiptValidRaw(rpc, { ledger, batchId, index, commitment, orderRef, proof });
 */
export async function readReceiptValidRaw(
  rpc: Rpc,
  q: { ledger: string; batchId: string; index: number; commitment: string; orderRef: string; proof: string[] },
): Promise<boolean> {
  if (![q.batchId, q.commitment, q.orderRef, ...q.proof].every((h) => hex32.test(h)))
    throw new RpcError("bad verifyReceipt arguments", false);
  const data =
    VERIFY_RECEIPT_SELECTOR +
    q.batchId.slice(2) +
    word(BigInt(q.index)) +
    q.commitment.slice(2) +
    q.orderRef.slice(2) +
    word(5n * 32n) +
    word(BigInt(q.proof.length)) +
    q.proof.map((p) => p.slice(2)).join("");
  const r = await rpc.request("eth_call", [{ to: q.ledger, data: data.toLowerCase() }, "latest"]);
  if (typeof r !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(r))
    throw new RpcError(`eth_call returned ${String(r).slice(0, 80)}`, false);
  return BigInt(r) === 1n;
}
