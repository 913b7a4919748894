/**
 * A minimal JSON-RPC client for the verify page: `eth_chainId` and one `eth_call` of the ledger's
 * `keyStatus(bytes32,uint64,uint64)` view, ABI-encoded and decoded by hand (the return is a struct
 * of ten static words), so the page ships no general-purpose Ethereum client. The selector is
 * checked against the generated ABI by the portal's tests.
 */
import type { KeyStatus } from "../../../lib/schemas/keyStatus.ts";
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

/**
 * Creates the caller. Each endpoint gets `timeoutMs`; a network error, timeout or HTTP error moves
 * on to the next; a JSON-RPC error answer (a revert) is final.
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
  const request = async (method: string, params: unknown[]): Promise<unknown> => {
    const problems: string[] = [];
    for (const url of urls) {
      const ctrl = new AbortController();
      const timer = setTimeout(() => ctrl.abort(), timeoutMs);
      let body: unknown;
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
          signal: ctrl.signal,
          cache: "no-store",
          credentials: "omit",
          referrerPolicy: "no-referrer",
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        body = await res.json();
      } catch (error) {
        problems.push(`${new URL(url).host}: ${ctrl.signal.aborted ? "timed out" : (error as Error).message}`);
        continue;
      } finally {
        clearTimeout(timer);
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
