/**
 * The verify page's reads that a first verdict on a KeyLedger v2 does not need, loaded on demand: the
 * v1 ledger's `keyStatus(bytes32,uint64,uint64)` (with `batchOf` for an index outside the batch), the
 * v2 `keyStatus(bytes32,uint64)` for a node without `eth_getProof`, the `KeysSold` log of a sale and
 * `verifyReceipt`, each ABI-encoded and decoded by hand over rpc.ts's callers (selectors and topic in
 * rpc.ts, checked against the generated ABIs by the portal's tests).
 */
import type { KeyStatus } from "../../../lib/schemas/keyStatus.ts";
import type { SaleRecord } from "../../../lib/verify/types.ts";
import { REVOCATION_REASONS } from "../../../lib/verify/revocationReasons.js";
import {
  BATCH_NOT_FOUND_SELECTOR,
  BATCH_OF_SELECTOR,
  INVALID_RANGE_SELECTOR,
  KEY_STATUS_SELECTOR,
  KEY_STATUS_V2_SELECTOR,
  KEYS_SOLD_TOPIC,
  RpcError,
  VERIFY_RECEIPT_SELECTOR,
  type CheckedRpc,
  type Rpc,
} from "./rpc.js";

const ZERO_ADDRESS = `0x${"0".repeat(40)}` as const;

/**
 * Whether an eth_getProof failure means the node does not offer the method (then keyStatus by eth_call
 * is the fallback, and the verdict says it is not proven).
 *
 * @param e - the failure of the proven read
 * @returns true for "method not found / not supported" answers and HTTP 400/405
 * @example
 * if (lacksGetProof(e)) return readKeyStatusV2Raw(checked, q);
 */
export const lacksGetProof = (e: unknown): boolean =>
  e instanceof Error &&
  /eth_getProof/.test(e.message) &&
  /not (found|supported|available|implemented)|unsupported|does not exist|-32601|HTTP 40[05]/i.test(e.message);

/**
 * One RPC's `keyStatus` `eth_call` sent at "latest" in the verify page's first round, with that RPC's
 * `eth_blockNumber` sent before it and its latest header sent after it in the same batch.
 */
export type EarlyCall = {
  to: string;
  data: string;
  answer: Promise<unknown>;
  /** eth_blockNumber's answer (undefined when it failed). */
  head: Promise<unknown>;
  /** The latest header (undefined when it failed). */
  header: Promise<unknown>;
};

/**
 * One configured RPC whose `eth_call`s are made at `block` (a block the RPCs agreed on), not at
 * "latest". A call equal to `early`'s is answered by it when the head before it and the latest header
 * after it, in the same batch, both name `block` (so it was answered at that block by a node that
 * answers a batch in order); otherwise, and when that early call got no answer, it is asked at `block`.
 *
 * @param checked - the page's cross-checking caller
 * @param url - the RPC
 * @param block - the agreed block
 * @param early - that RPC's first-round call, if any
 * @returns a caller for rpcReads' readers
 * @example
 * const s = await readKeyStatusRaw(rpcAtBlock(checked, url, block, early), q);
 */
export function rpcAtBlock(checked: CheckedRpc, url: string, block: bigint, early?: EarlyCall): Rpc {
  const tag = `0x${block.toString(16)}`;
  const at = (x: unknown) => typeof x === "string" && /^0x[0-9a-f]+$/i.test(x) && BigInt(x) === block;
  const usable = async (call: { to?: unknown; data?: unknown }): Promise<boolean> => {
    if (!early || call.to !== early.to || call.data !== early.data) return false;
    const [head, header] = await Promise.all([early.head, early.header]);
    // Answered at another block (or not known to be at this one): asked again at the block.
    if (!at(head) || !header || typeof header !== "object" || !at((header as { number?: unknown }).number))
      return false;
    // An RPC that did not answer is asked again; an answer or a revert stands.
    return early.answer.then(
      () => true,
      (e: unknown) => e instanceof RpcError && !e.unreachable,
    );
  };
  return {
    request: async (method, params) =>
      method === "eth_call" && (await usable(params[0] as { to?: unknown; data?: unknown }))
        ? early!.answer
        : checked.requestOne(url, method, method === "eth_call" ? [params[0], tag] : params),
    chainId: () => checked.chainId(),
  };
}

const word = (n: bigint) => n.toString(16).padStart(64, "0");

/** An eth_call at "latest" whose answer holds at least `words` 32-byte words; returns the i-th word's hex. */
async function callWords(rpc: Rpc, to: string, data: string, words: number): Promise<(i: number) => string> {
  const r = await rpc.request("eth_call", [{ to, data }, "latest"]);
  if (typeof r !== "string" || !/^0x[0-9a-fA-F]*$/.test(r) || r.length < 2 + 64 * words)
    throw new RpcError(`eth_call returned ${String(r).slice(0, 80)}`, false);
  return (i: number) => r.slice(2 + 64 * i, 2 + 64 * (i + 1));
}
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
  const call = (data: string, words: number) => callWords(rpc, q.ledger, data, words);
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
  const call = (data: string, words: number) => callWords(rpc, q.ledger, data, words);
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
